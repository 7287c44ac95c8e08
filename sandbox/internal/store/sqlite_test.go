package store

import (
	"context"
	"path/filepath"
	"testing"
)

// TestPragmas: a new database gets 8 KiB pages and WAL (the driver runs its _pragma list sorted
// by name, so WAL once came first and fixed the page size at 4 KiB), and the read pool cannot
// write.
func TestPragmas(t *testing.T) {
	ctx := context.Background()
	s, err := OpenSQLite(ctx, Options{Path: filepath.Join(t.TempDir(), "store.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, db := range []struct {
		name string
		q    querier
	}{{"writer", s.w}, {"reader", s.r}} {
		var pageSize, syncMode, fk, queryOnly int
		var journal string
		for _, p := range []struct {
			pragma string
			dst    any
		}{{"page_size", &pageSize}, {"journal_mode", &journal}, {"synchronous", &syncMode}, {"foreign_keys", &fk}, {"query_only", &queryOnly}} {
			if err := db.q.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(p.dst); err != nil {
				t.Fatalf("%s: PRAGMA %s: %v", db.name, p.pragma, err)
			}
		}
		wantQueryOnly := 0
		if db.name == "reader" {
			wantQueryOnly = 1
		}
		if pageSize != 8192 || journal != "wal" || syncMode != 1 || fk != 1 || queryOnly != wantQueryOnly {
			t.Errorf("%s: page_size %d, journal_mode %s, synchronous %d, foreign_keys %d, query_only %d; want 8192, wal, 1 (NORMAL), 1, %d",
				db.name, pageSize, journal, syncMode, fk, queryOnly, wantQueryOnly)
		}
	}
}
