package store

import (
	"container/list"
	"context"
	"database/sql"
	"sync"
)

// stmtCache runs queries on the read pool through prepared statements, one per distinct query
// text, kept for reuse. Searches build their SQL from the query's shape (parameters, modifiers,
// number of values) with every value bound as an argument, so a handful of texts serve all
// searches of a kind; parsing and planning that SQL again on every search took a seventh of a
// search page's CPU. At most max texts are kept, the least recently used closed first.
type stmtCache struct {
	db  *sql.DB
	max int

	mu    sync.Mutex
	byKey map[string]*list.Element // of *cachedStmt
	order list.List                // most recently used first
}

type cachedStmt struct {
	query   string
	stmt    *sql.Stmt
	users   int  // queries between taking the statement and starting to run it
	evicted bool // out of the cache: closed when users drops to 0
}

func newStmtCache(db *sql.DB, max int) *stmtCache {
	return &stmtCache{db: db, max: max, byKey: map[string]*list.Element{}}
}

// acquire returns the statement of query, preparing it on first use.
func (c *stmtCache) acquire(ctx context.Context, query string) (*cachedStmt, error) {
	c.mu.Lock()
	if e, ok := c.byKey[query]; ok {
		c.order.MoveToFront(e)
		cs := e.Value.(*cachedStmt)
		cs.users++
		c.mu.Unlock()
		return cs, nil
	}
	c.mu.Unlock()
	// Prepared outside the lock; two goroutines may both prepare a new text, and the second
	// keeps its own statement out of the cache.
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	cs := &cachedStmt{query: query, stmt: st, users: 1}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[query]; ok {
		cs.evicted = true
		return cs, nil
	}
	c.byKey[query] = c.order.PushFront(cs)
	for c.order.Len() > c.max {
		old := c.order.Back()
		c.order.Remove(old)
		o := old.Value.(*cachedStmt)
		delete(c.byKey, o.query)
		o.evicted = true
		if o.users == 0 {
			go o.stmt.Close() // waits for rows still open on it
		}
	}
	return cs, nil
}

// release ends a use begun by acquire. Once a query has started, closing its statement waits
// for the query's rows to be closed, so the statement may be closed as soon as it has started.
func (c *stmtCache) release(cs *cachedStmt) {
	c.mu.Lock()
	cs.users--
	closeIt := cs.evicted && cs.users == 0
	c.mu.Unlock()
	if closeIt {
		go cs.stmt.Close() // waits for rows still open on it
	}
}

// QueryContext runs query through its prepared statement.
func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	cs, err := c.acquire(ctx, query)
	if err != nil {
		return nil, err
	}
	defer c.release(cs)
	return cs.stmt.QueryContext(ctx, args...)
}

// QueryRowContext runs query through its prepared statement.
func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	cs, err := c.acquire(ctx, query)
	if err != nil {
		// The same query unprepared reports the same error through the Row.
		return c.db.QueryRowContext(ctx, query, args...)
	}
	defer c.release(cs)
	return cs.stmt.QueryRowContext(ctx, args...)
}

// Close closes every cached statement.
func (c *stmtCache) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for e := c.order.Front(); e != nil; e = e.Next() {
		e.Value.(*cachedStmt).stmt.Close()
	}
	c.order.Init()
	clear(c.byKey)
}
