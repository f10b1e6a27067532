package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"sync/atomic"
)

// The write path and the read cache. Every statement of a write transaction runs through tx.target, and every
// statement run outside one (credentials, server secrets) through DB.autocommit; both ask statementWrites
// which table the statement writes and mark that table dirty. A write method may name the one row it writes
// (see tx.row); a statement that writes a cached table without naming its row drops every cached entry of that
// table. So invalidation cannot be forgotten: at worst it is coarse.

// tableSet is a set of the tables the read cache holds (bit flags).
type tableSet uint8

const (
	tableUsers tableSet = 1 << iota
	tableAccounts
	tableCredentials

	cachedTables = tableUsers | tableAccounts | tableCredentials
)

// cachedTableNames maps the name of each table the read cache holds to its flag. A table whose rows a foreign
// key cascade (or a trigger) changes when another table is written must be added to the set of that table too
// (today the only cascades go from users to user_links and user_sessions, which are not cached).
var cachedTableNames = map[string]tableSet{
	"users":       tableUsers,
	"accounts":    tableAccounts,
	"credentials": tableCredentials,
}

// writeInfo is what a statement writes.
type writeInfo struct {
	tables tableSet // the cached tables it writes
	// oneRow: a row key may narrow it (see tx.row). Only a plain INSERT, UPDATE or DELETE: OR REPLACE,
	// REPLACE INTO and ON CONFLICT … DO UPDATE may change a row other than the one the statement names.
	oneRow bool
}

// statementWrites tells what statement q writes: the table of INSERT [OR …] INTO t, REPLACE INTO t,
// UPDATE [OR …] [ONLY] t or DELETE FROM [ONLY] t when it is cached, nothing for those of other tables and for
// statements that write no table (SELECT, SAVEPOINT, RELEASE, ROLLBACK, …), and every cached table for a
// statement it cannot read (WITH …, several statements, anything else): it errs only towards dropping too
// much. The answer is computed once per query string; the store's queries are constants or a few variants.
func statementWrites(q string) writeInfo {
	if v, ok := parsed.Load(q); ok {
		return v.(writeInfo)
	}
	w := parseStatement(q)
	if parsedCount.Load() < maxParsed {
		if _, loaded := parsed.LoadOrStore(q, w); !loaded {
			parsedCount.Add(1)
		}
	}
	return w
}

var (
	parsed      sync.Map // query string → writeInfo
	parsedCount atomic.Int64
)

// maxParsed bounds the remembered queries (a query built with inlined values would otherwise grow the map);
// beyond it a query is parsed at each run, which costs well under a microsecond.
const maxParsed = 4096

var unknownWrite = writeInfo{tables: cachedTables}

func parseStatement(q string) writeInfo {
	if i := strings.IndexByte(q, ';'); i >= 0 && strings.TrimSpace(q[i+1:]) != "" {
		return unknownWrite // several statements (or a ';' in a literal): do not guess
	}
	s := sqlScanner{q: q}
	oneRow := true
	switch s.word() {
	case "select", "savepoint", "release", "rollback", "begin", "commit", "end", "values":
		return writeInfo{}
	case "insert":
		if or, ok := s.conflictClause(); !ok || s.word() != "into" {
			return unknownWrite
		} else if or == "replace" {
			oneRow = false
		}
	case "replace":
		if s.word() != "into" {
			return unknownWrite
		}
		oneRow = false
	case "update":
		if or, ok := s.conflictClause(); !ok {
			return unknownWrite
		} else if or == "replace" {
			oneRow = false
		}
		s.only()
	case "delete":
		if s.word() != "from" {
			return unknownWrite
		}
		s.only()
	default:
		return unknownWrite
	}
	name, ok := s.tableName()
	if !ok {
		return unknownWrite
	}
	if oneRow && strings.Contains(strings.ToLower(q[s.p:]), "do update") {
		oneRow = false // an upsert: the row updated is the one that conflicts, whatever its key
	}
	return writeInfo{tables: cachedTableNames[name], oneRow: oneRow}
}

// sqlScanner reads the words at the start of a statement.
type sqlScanner struct {
	q string
	p int
}

// space skips white space and comments.
func (s *sqlScanner) space() {
	for s.p < len(s.q) {
		switch c := s.q[s.p]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			s.p++
		case strings.HasPrefix(s.q[s.p:], "--"):
			if i := strings.IndexByte(s.q[s.p:], '\n'); i >= 0 {
				s.p += i + 1
			} else {
				s.p = len(s.q)
			}
		case strings.HasPrefix(s.q[s.p:], "/*"):
			if i := strings.Index(s.q[s.p+2:], "*/"); i >= 0 {
				s.p += i + 4
			} else {
				s.p = len(s.q)
			}
		default:
			return
		}
	}
}

// word returns the next bare word in lower case ("" when the next token is not one).
func (s *sqlScanner) word() string {
	s.space()
	start := s.p
	for s.p < len(s.q) && isIdentByte(s.q[s.p]) {
		s.p++
	}
	return strings.ToLower(s.q[start:s.p])
}

// conflictClause reads SQLite's "OR ABORT|FAIL|IGNORE|REPLACE|ROLLBACK" after INSERT or UPDATE, if there is
// one, and returns its action; ok is false when the words after OR are not one.
func (s *sqlScanner) conflictClause() (action string, ok bool) {
	save := s.p
	if s.word() != "or" {
		s.p = save
		return "", true
	}
	switch a := s.word(); a {
	case "abort", "fail", "ignore", "replace", "rollback":
		return a, true
	}
	return "", false
}

// only skips PostgreSQL's ONLY before a table name.
func (s *sqlScanner) only() {
	save := s.p
	if s.word() != "only" {
		s.p = save
	}
}

// tableName reads a possibly schema-qualified, possibly quoted table name and returns its last part in lower
// case.
func (s *sqlScanner) tableName() (string, bool) {
	var name string
	for {
		s.space()
		if s.p >= len(s.q) {
			return "", false
		}
		switch c := s.q[s.p]; c {
		case '"', '`', '[':
			end := byte(c)
			if c == '[' {
				end = ']'
			}
			i := strings.IndexByte(s.q[s.p+1:], end)
			if i < 0 || strings.HasPrefix(s.q[s.p+2+i:], string(end)) {
				return "", false // unterminated, or an escaped quote: do not guess
			}
			name = strings.ToLower(s.q[s.p+1 : s.p+1+i])
			s.p += i + 2
		default:
			if name = s.word(); name == "" {
				return "", false
			}
		}
		s.space()
		if s.p < len(s.q) && s.q[s.p] == '.' {
			s.p++
			continue
		}
		return name, true
	}
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}

// rowKey names the one row of a cached table that a statement writes (see tx.row). The zero rowKey names none.
type rowKey struct {
	table         tableSet
	accountID, id string // users: (account_id, id); accounts: id
}

// userRow names the user (accountID, id).
func userRow(accountID, id string) rowKey { return rowKey{tableUsers, accountID, id} }

// accountRow names the account id.
func accountRow(id string) rowKey { return rowKey{table: tableAccounts, id: id} }

// dirty is what one write transaction changed: whole tables, and single rows of the others.
type dirty struct {
	tables   tableSet
	accounts []string
	users    []userKey
}

// wrote records that a statement wrote w, naming row k (the zero rowKey: none). The row counts only when it
// belongs to the one cached table the statement writes and the statement changes no other row by itself
// (w.oneRow); otherwise the statement's tables are dropped whole.
func (d *dirty) wrote(w writeInfo, k rowKey) {
	if w.tables == 0 {
		return
	}
	if !w.oneRow || k.table != w.tables || k.id == "" || d.tables&w.tables != 0 {
		d.tables |= w.tables
		return
	}
	switch w.tables {
	case tableUsers:
		d.users = append(d.users, userKey{k.accountID, k.id})
	case tableAccounts:
		d.accounts = append(d.accounts, k.id)
	default:
		d.tables |= w.tables
	}
}

func (d *dirty) merge(o *dirty) {
	d.tables |= o.tables
	d.accounts = append(d.accounts, o.accounts...)
	d.users = append(d.users, o.users...)
}

func (d *dirty) empty() bool { return d.tables == 0 && len(d.accounts) == 0 && len(d.users) == 0 }

// written marks what statement q of a write transaction writes, naming row k. It runs before the statement:
// a statement that fails may still have changed something (and the transaction may still commit).
func (t *tx) written(q string, k rowKey) {
	if t.db.cache != nil {
		t.changed.wrote(statementWrites(q), k)
	}
}

// keyed runs statements of t that write the one cached row it names.
type keyed struct {
	t   *tx
	key rowKey
}

// row returns t's statements for a statement that writes only the row k of a cached table (and nothing of
// another cached table): the read cache then drops that row alone. Naming a row the statement does not write
// leaves stale entries in the cache; naming none is always safe.
func (t *tx) row(k rowKey) keyed { return keyed{t, k} }

func (k keyed) queryRow(ctx context.Context, q string, args ...any) scanner {
	return k.t.queryRowKey(ctx, k.key, q, args...)
}

func (k keyed) exec1(ctx context.Context, q string, args ...any) error {
	return k.t.exec1Key(ctx, k.key, q, args...)
}

// autocommit runs a statement outside any transaction, on the writer, and then drops from the read cache what
// it wrote (whether or not it succeeded: a failure may leave its outcome unknown).
//
// On a PostgreSQL node with a cache, a statement that writes a cached table runs in a transaction of its own
// with the notification to the other nodes (see notifyChanges).
func (db *DB) autocommit(ctx context.Context, q string, args ...any) (sql.Result, error) {
	var d dirty
	if db.cache != nil {
		d.wrote(statementWrites(q), rowKey{})
	}
	var res sql.Result
	var err error
	if db.pgc != nil && !d.empty() {
		res, err = db.execNotified(ctx, &d, q, args...)
	} else {
		res, err = db.write.ExecContext(ctx, q, args...)
	}
	if !d.empty() {
		db.cache.invalidate(&d)
	}
	return res, err
}

// execNotified runs q and the notification of d in one transaction.
func (db *DB) execNotified(ctx context.Context, d *dirty, q string, args ...any) (sql.Result, error) {
	t, err := db.write.BeginTx(ctx, &db.dialect.writeTx)
	if err != nil {
		return nil, err
	}
	defer t.Rollback()
	res, err := t.ExecContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	if err := db.notifyChanges(ctx, t, d); err != nil {
		return nil, err
	}
	return res, t.Commit()
}
