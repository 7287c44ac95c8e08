package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
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

// TestSecondProcessRefused: while one process has the database open, another is refused with
// ErrInUse and a message that says what to do, rather than sharing the file (the store keeps
// the WAL index in its own memory).
func TestSecondProcessRefused(t *testing.T) {
	if exclusiveVFS == "" {
		t.Skip("no exclusive VFS on " + runtime.GOOS + ": processes share the file")
	}
	if path := os.Getenv("LHCR_STORE_HOLD"); path != "" {
		// The helper process: hold the database until stdin closes.
		s, err := OpenSQLite(context.Background(), Options{Path: path})
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println("held")
		io.Copy(io.Discard, os.Stdin)
		s.Close()
		return
	}
	path := filepath.Join(t.TempDir(), "store.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestSecondProcessRefused$")
	cmd.Env = append(os.Environ(), "LHCR_STORE_HOLD="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "held\n" {
		t.Fatalf("helper process: %q, %v", line, err)
	}
	_, err = OpenSQLite(context.Background(), Options{Path: path})
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "another lhcr-sandbox") {
		t.Fatalf("opening a database another process holds: %v; want ErrInUse naming the file and the likely cause", err)
	}
	stdin.Close()
	cmd.Wait()
	// Once the other process is gone, the file opens.
	s, err := OpenSQLite(context.Background(), Options{Path: path})
	if err != nil {
		t.Fatalf("after the other process closed it: %v", err)
	}
	s.Close()
}
