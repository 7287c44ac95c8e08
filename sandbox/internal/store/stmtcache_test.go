package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// TestStmtCache: queries through the cache answer as unprepared queries do, at most max
// statements are kept (least recently used out first), and evicting a statement while other
// goroutines use it loses no query.
func TestStmtCache(t *testing.T) {
	ctx := context.Background()
	s, err := OpenSQLite(ctx, Options{Path: filepath.Join(t.TempDir(), "store.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := newStmtCache(s.r, 3)
	defer c.Close()

	query := func(i int) string { return fmt.Sprintf("SELECT ? + %d", i) }
	ask := func(i, arg int) {
		t.Helper()
		var got int
		if err := c.QueryRowContext(ctx, query(i), arg).Scan(&got); err != nil {
			t.Fatalf("query %d: %v", i, err)
		}
		if got != arg+i {
			t.Fatalf("query %d with %d = %d, want %d", i, arg, got, arg+i)
		}
	}
	for i := range 3 {
		ask(i, 10)
	}
	ask(0, 1) // 0 is now the most recently used; 1 the least
	ask(3, 1) // evicts 1
	c.mu.Lock()
	_, has0 := c.byKey[query(0)]
	_, has1 := c.byKey[query(1)]
	n := c.order.Len()
	c.mu.Unlock()
	if n != 3 || !has0 || has1 {
		t.Fatalf("after 5 texts with room for 3: %d kept, query 0 kept %v, query 1 kept %v; want 3, true, false", n, has0, has1)
	}

	// Rows open on a statement that is evicted meanwhile stay readable.
	rows, err := c.QueryContext(ctx, "SELECT value FROM json_each('[1,2,3]')")
	if err != nil {
		t.Fatal(err)
	}
	for i := 10; i < 14; i++ {
		ask(i, 0)
	}
	sum := 0
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		sum += v
	}
	if err := rows.Close(); err != nil || sum != 6 {
		t.Fatalf("rows of an evicted statement: sum %d, err %v; want 6, nil", sum, err)
	}

	// Many goroutines over more texts than the cache holds: every answer right (run with -race).
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for k := range 200 {
				i := (g + k) % 7
				var got int
				if err := c.QueryRowContext(ctx, query(i), k).Scan(&got); err != nil || got != k+i {
					errs <- fmt.Errorf("goroutine %d: query %d with %d = %d, %v", g, i, k, got, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// A query that does not prepare reports its error.
	var x int
	if err := c.QueryRowContext(ctx, "SELECT nonsense FROM nowhere").Scan(&x); err == nil {
		t.Error("a query on a missing table succeeded")
	}
	if _, err := c.QueryContext(ctx, "SELECT nonsense FROM nowhere"); err == nil {
		t.Error("a query on a missing table succeeded")
	}
}
