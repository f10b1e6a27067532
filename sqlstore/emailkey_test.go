package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
	"github.com/chimed/chimed/sqlstore"
)

// Email identity (docs/behavior.md D10): a database written when EmailKey was strings.ToLower gets its keys
// recomputed with chime.EmailKey on the first open; two users whose new keys collide in one AWS account are both
// kept, the one holding the key first keeps it, the other keeps its old key and is logged.

// oldSchema applies the migrations before the re-keying step (from the files on disk) to a fresh database and
// returns a raw connection to it.
func oldSchema(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	var raw *sql.DB
	var err error
	var dialect goose.Dialect
	var dir string
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		raw, err = sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)")
		dialect, dir = goose.DialectSQLite3, "migrations/sqlite"
	} else {
		raw, err = sql.Open("pgx", dsn)
		dialect, dir = goose.DialectPostgres, "migrations/postgres"
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	p, err := goose.NewProvider(dialect, raw, os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, sqlstore.EmailKeyVersion-1); err != nil {
		t.Fatalf("migrations before %d: %v", sqlstore.EmailKeyVersion, err)
	}
	return raw
}

// oldUser is a user row as the old schema stored it.
type oldUser struct{ aws, account, id, email string }

func insertOld(t *testing.T, raw *sql.DB, users []oldUser) {
	t.Helper()
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	accounts := map[string]bool{}
	for _, u := range users {
		if !accounts[u.account] {
			accounts[u.account] = true
			if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, aws_account_id, name, type, created_ms,
				default_license, supported_licenses, status) VALUES ($1, $2, 'A', 'EnterpriseDirectory', 1, 'Pro',
				'Basic,Plus,Pro,ProTrial', 'Active')`, u.account, u.aws); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, account_id, aws_account_id, email, email_key,
			license, user_type, reg_status, created_ms) VALUES ($1, $2, $3, $4, $5, 'Pro', 'PrivateUser',
			'Unregistered', 1)`, u.id, u.account, u.aws, u.email, strings.ToLower(u.email)); err != nil {
			t.Fatalf("insert %+v: %v", u, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func storedKeys(t *testing.T, raw *sql.DB) map[string]string {
	t.Helper()
	rows, err := raw.QueryContext(ctx, `SELECT id, email_key FROM users`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	keys := map[string]string{}
	for rows.Next() {
		var id, key string
		if err := rows.Scan(&id, &key); err != nil {
			t.Fatal(err)
		}
		keys[id] = key
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

// logRecorder keeps the records of the re-keying step.
type logRecorder struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, rec)
	return nil
}
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *logRecorder) WithGroup(string) slog.Handler      { return r }

// collisions returns, for the warnings about AWS account aws, the user ids that kept their old key.
func (r *logRecorder) collisions(aws string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, rec := range r.recs {
		if rec.Level != slog.LevelWarn {
			continue
		}
		attrs := map[string]string{}
		rec.Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value.String(); return true })
		if attrs["aws_account_id"] == aws {
			out = append(out, attrs["user_id"])
		}
	}
	return out
}

var rekeyLog = &logRecorder{}

func init() { sqlstore.SetRekeyLogger(slog.New(rekeyLog)) }

func TestEmailKeyMigration(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		raw := oldSchema(t, dsn)
		// Tenants of this run only (both engines run at once and share the log).
		n := time.Now().UnixNano() % 1_000_000
		awsA, awsB, awsC := fmt.Sprintf("%06d000001", n), fmt.Sprintf("%06d000002", n), fmt.Sprintf("%06d000003", n)
		users := []oldUser{
			{awsA, "a1", "ascii", "Jane.Doe@Example.com"},          // unchanged: ASCII keys stay
			{awsA, "a1", "nfd", "JOSE\u0301@Example.org"},          // NFD → NFC key
			{awsA, "a1", "eszett", "Stra\u00dfe@example.org"},      // ß → ss
			{awsA, "a2", "sigma", "\u03c3\u03bf\u03c2@example.gr"}, // final sigma
			{awsA, "a2", "lig", "\ufb01@example.org"},              // ligature
			// awsB: collisions. "held" already holds "strasse@…": the older "older" cannot take it.
			{awsB, "b1", "older", "stra\u00dfe@example.org"},
			{awsB, "b1", "held", "STRASSE@example.org"},
			// Both need re-keying to "σσ@…": the first in creation order wins.
			{awsB, "b2", "first", "\u03c3\u03c2@example.gr"},
			{awsB, "b2", "second", "\u03c2\u03c3@example.gr"},
			// Another AWS account may hold the same identity.
			{awsC, "c1", "other", "STRASSE@example.org"},
			{awsC, "c1", "other2", "\u03c3\u03c2@example.gr"},
		}
		// More rows than one batch, every one to re-key.
		for i := range 2500 {
			users = append(users, oldUser{awsC, "c2", fmt.Sprintf("bulk%d", i), fmt.Sprintf("U%dE\u0301@example.org", i)})
		}
		insertOld(t, raw, users)

		db := MustOpen(t, dsn) // runs the re-keying
		keys := storedKeys(t, raw)
		stale := map[string]bool{"older": true, "second": true}
		for _, u := range users {
			want := chime.EmailKey(u.email)
			if stale[u.id] {
				want = strings.ToLower(u.email)
			}
			if keys[u.id] != want {
				t.Errorf("user %s (%+q): key %+q, want %+q", u.id, u.email, keys[u.id], want)
			}
		}
		if got := rekeyLog.collisions(awsB); len(got) != 2 || !(got[0] == "older" && got[1] == "second") {
			t.Errorf("collisions logged for %s: %v, want [older second]", awsB, got)
		}
		for _, aws := range []string{awsA, awsC} {
			if got := rekeyLog.collisions(aws); len(got) != 0 {
				t.Errorf("collisions logged for %s: %v", aws, got)
			}
		}

		// The service finds every form of a re-keyed address, and the identity held by "held" is taken.
		svc := MustService(t, db, chime.ServiceOptions{})
		for _, email := range []string{"jos\u00e9@example.org", "STRASSE@EXAMPLE.ORG", "\u03a3\u039f\u03a3@example.gr", "FI@example.org"} {
			list, _, err := svc.ListAccounts(ctx, awsA, chime.ListAccountsInput{UserEmail: ptr(email)})
			if err != nil || len(list) != 1 {
				t.Errorf("ListAccounts(user-email %+q): %d accounts, %v", email, len(list), err)
			}
		}
		list, _, err := svc.ListUsers(ctx, awsB, "b1", chime.ListUsersInput{UserEmail: ptr("stra\u00dfe@example.org")})
		if err != nil || len(list) != 1 || list[0].ID != "held" {
			t.Errorf("ListUsers(straße) in %s: %v, %v; want the user holding the key", awsB, list, err)
		}

		// The listing step (Go migration 20) filled every user stored before it, in several batches: no listing
		// is NULL, and a page of the bulk account shows what each user's own read shows.
		var unfilled int
		if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE listing IS NULL`).Scan(&unfilled); err != nil || unfilled != 0 {
			t.Errorf("users without a listing after the migrations: %d, %v", unfilled, err)
		}
		page, _, err := svc.ListUsers(ctx, awsC, "c2", chime.ListUsersInput{MaxResults: 50})
		if err != nil || len(page) != 50 {
			t.Fatalf("ListUsers(c2): %d, %v", len(page), err)
		}
		for _, u := range page {
			one, err := svc.GetUser(ctx, awsC, "c2", u.ID)
			if err != nil || one.Email != u.Email || one.License != u.License || one.RegistrationStatus != u.RegistrationStatus {
				t.Errorf("listed %+v, read %+v, %v", u, one, err)
			}
		}

		// Idempotent: running the step again (its version forgotten) changes nothing; it logs the collisions
		// that remain again.
		must(t, db.Close())
		if _, err := raw.ExecContext(ctx, `DELETE FROM goose_db_version WHERE version_id = $1`,
			sqlstore.EmailKeyVersion); err != nil {
			t.Fatal(err)
		}
		before := len(rekeyLog.collisions(awsB))
		MustOpen(t, dsn).Close()
		if again := storedKeys(t, raw); fmt.Sprint(again) != fmt.Sprint(keys) {
			t.Error("the second run changed keys")
		}
		if n := len(rekeyLog.collisions(awsB)); n != 2*before {
			t.Errorf("collisions logged on the second run: %d, want %d", n-before, before)
		}
	})
}

// TestEmailKeyMigrationConcurrentNodes: several nodes opening one old PostgreSQL database at once re-key it once
// (under the migration lock) and all start.
func TestEmailKeyMigrationConcurrentNodes(t *testing.T) {
	t.Parallel()
	dsn := testenv.PostgresDSN(t)
	raw := oldSchema(t, dsn)
	var users []oldUser
	for i := range 300 {
		users = append(users, oldUser{"999900000001", "n1", fmt.Sprintf("u%d", i), fmt.Sprintf("N%d\u00df@example.org", i)})
	}
	insertOld(t, raw, users)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := sqlstore.Open(ctx, dsn)
			if err == nil {
				db.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("node %d: %v", i, err)
		}
	}
	keys := storedKeys(t, raw)
	for _, u := range users {
		if keys[u.id] != chime.EmailKey(u.email) {
			t.Fatalf("user %s: key %+q, want %+q", u.id, keys[u.id], chime.EmailKey(u.email))
		}
	}
}
