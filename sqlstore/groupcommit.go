package sqlstore

import (
	"context"
	"errors"
	"fmt"

	chime "github.com/chimed/chimed"
)

// commitQueue batches the write transactions of a SQLite store: one goroutine takes every request waiting,
// runs each one's function inside its own SAVEPOINT of a single transaction, and commits once — one fsync
// (synchronous=FULL) acknowledges the whole batch. Requests still run one after the other, exactly as with a
// transaction each, and a request whose function fails is rolled back to its savepoint alone: no rule is
// weakened and nothing is acknowledged before it is durable. If the COMMIT fails, every request of the batch
// gets the error and none of them took effect.
type commitQueue struct {
	reqs chan *writeReq
	stop chan struct{}
	done chan struct{}
}

type writeReq struct {
	ctx  context.Context
	fn   func(chime.Tx) error
	err  error
	ok   bool
	done chan struct{}
}

// The statements around each request of a batch (prepared on the writer).
const (
	savepointQuery  = "SAVEPOINT request"
	releaseQuery    = "RELEASE request"
	rollbackToQuery = "ROLLBACK TO request"
)

// maxBatch bounds how many requests share one transaction.
const maxBatch = 128

var errClosed = errors.New("sqlstore: the store is closed")

func (db *DB) startCommitQueue() {
	q := &commitQueue{reqs: make(chan *writeReq), stop: make(chan struct{}), done: make(chan struct{})}
	db.queue = q
	go func() {
		defer close(q.done)
		for {
			var batch []*writeReq
			select {
			case r := <-q.reqs:
				batch = append(batch, r)
			case <-q.stop:
				return
			}
		gather:
			for len(batch) < maxBatch {
				select {
				case r := <-q.reqs:
					batch = append(batch, r)
				default:
					break gather
				}
			}
			db.runBatch(batch)
		}
	}()
}

func (q *commitQueue) close() {
	close(q.stop)
	<-q.done
}

// writeGrouped queues fn and waits until its batch committed (or failed).
func (db *DB) writeGrouped(ctx context.Context, fn func(chime.Tx) error) error {
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan struct{})}
	select {
	case db.queue.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-db.queue.stop:
		return errClosed
	}
	<-r.done // once queued, the outcome is only known when the batch ends
	return r.err
}

// runBatch runs the requests of one batch in one transaction.
func (db *DB) runBatch(batch []*writeReq) {
	db.obs.batches[len(batch)].Add(1)
	defer func() {
		for _, r := range batch {
			close(r.done)
		}
	}()
	fail := func(err error) {
		for _, r := range batch {
			if r.err == nil {
				r.err = err
			}
		}
	}
	// The batch's statements do not take a request's context: cancelling one request must not interrupt the
	// connection (SQLite would roll back the whole transaction). Each request is checked before it runs.
	ctx := context.Background()
	st, err := db.write.BeginTx(ctx, &db.dialect.writeTx)
	if err != nil {
		fail(err)
		return
	}
	var before uint32
	var beforeErr error
	if db.changes != nil {
		before, beforeErr = db.changes.counter()
	}
	savepoints := len(batch) > 1
	// The savepoint statements take the write path too (prepared; they write no table).
	bt := &tx{db: db, sqltx: st, d: &db.dialect, write: true, fixedCtx: ctx}
	exec := func(q string) error {
		_, err := bt.exec(ctx, q)
		return err
	}
	var changed dirty
	committed := false
	defer func() {
		if !committed {
			st.Rollback()
		}
	}()
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		if savepoints {
			if err := exec(savepointQuery); err != nil {
				fail(err)
				return
			}
		}
		w := &tx{db: db, sqltx: st, d: &db.dialect, write: true, fixedCtx: ctx}
		r.err = runFn(r.fn, w)
		switch {
		case r.err == nil && savepoints:
			if err := exec(releaseQuery); err != nil {
				fail(err)
				return
			}
		case r.err != nil && savepoints:
			if err := exec(rollbackToQuery); err != nil {
				fail(err)
				return
			}
			if err := exec(releaseQuery); err != nil {
				fail(err)
				return
			}
		case r.err != nil:
			return // the only request failed: roll back
		}
		if r.err == nil {
			r.ok = true
			changed.merge(&w.changed) // a request rolled back to its savepoint changed nothing
		}
	}
	changed.merge(&bt.changed)
	if err := st.Commit(); err != nil {
		for _, r := range batch {
			if r.ok {
				r.err, r.ok = err, false
			}
		}
		committed = true // nothing left to roll back
		// The outcome of a failed COMMIT is unknown: drop every cached table.
		db.afterCommit(&dirty{tables: cachedTables}, before, beforeErr)
		return
	}
	committed = true
	db.afterCommit(&changed, before, beforeErr)
}

// runFn runs one request's function, turning a panic into an error of that request alone.
func runFn(fn func(chime.Tx) error, t *tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("sqlstore: write transaction panicked: %v", p)
		}
	}()
	return fn(t)
}

// afterCommit invalidates what a commit of this process changed, and flushes the cache if another process
// committed too.
func (db *DB) afterCommit(changed *dirty, before uint32, beforeErr error) {
	if db.cache == nil {
		return
	}
	if !changed.empty() {
		db.cache.invalidate(changed)
	}
	if db.changes != nil && db.changes.ownCommit(before, beforeErr) {
		db.cache.flush()
	}
}
