package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// SQLite is the Store on a SQLite database file: WAL mode, one writer connection running
// immediate transactions, and a small pool of read-only connections.
type SQLite struct {
	w, r   *sql.DB
	path   string
	remove bool // delete the file on Close (in-memory mode)
	// readStmt is the read by id, prepared once per pooled connection: parsing the SQL
	// again on every read cost more than running it.
	readStmt *sql.Stmt
	// queries runs searches on the read pool through prepared statements.
	queries *stmtCache
}

var _ Store = (*SQLite)(nil)

// maxCachedStatements bounds the prepared search statements kept per store.
const maxCachedStatements = 256

// Options configures OpenSQLite. The zero value opens ./lhcr-sandbox.db.
type Options struct {
	// Path of the database file; "" means ./lhcr-sandbox.db.
	Path string
	// InMemory keeps the database in a temporary file that is removed on Close, so that each
	// run starts empty (WAL needs a file that every pooled connection shares).
	InMemory bool
	// Readers is the size of the read pool; 0 means the number of CPUs (at least 2).
	Readers int
}

// exclusiveVFS is the SQLite VFS the store opens its file with where there is one: "unix-excl"
// holds an exclusive lock on the database file for as long as the process has it open, so the
// WAL index lives in process memory and a transaction takes no file lock (two fcntl calls per
// read otherwise: a read by id took 4.2 µs with them and 1.9 µs without). The price is that one
// process at a time uses a database file: a second lhcr-sandbox on the same file is refused
// (ErrInUse). Windows has no such VFS and keeps the default.
var exclusiveVFS = func() string {
	if runtime.GOOS == "windows" {
		return ""
	}
	return "unix-excl"
}()

// ErrInUse: another process has the database file open.
var ErrInUse = errors.New("store: the database file is in use by another process")

// isBusy reports whether err is SQLITE_BUSY (or one of its extended codes): the lock was not
// granted within the busy timeout.
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

func dsn(path string, readOnly bool) string {
	// busy_timeout comes first so that it already applies while the later pragmas run.
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	// Larger pages mean fewer writes per commit; this only takes effect when the file is created.
	// The driver runs the _pragma list sorted by name, and the shorthand keys after it: with
	// journal_mode in the list, WAL came before page_size and fixed the file's page size at
	// 4 KiB. As shorthand keys, journal mode, synchronous, foreign keys and query_only come
	// after page_size.
	q.Add("_pragma", "page_size(8192)")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_foreign_keys", "on")
	q.Add("_pragma", "cache_size(-32768)") // 32 MiB of page cache per connection
	// Reads through a memory map instead of a read(2) per page: searches spent a third of their
	// time in read syscalls.
	q.Add("_pragma", "mmap_size(1073741824)")
	if readOnly {
		q.Set("_query_only", "1")
	} else {
		q.Set("_txlock", "immediate")
	}
	if exclusiveVFS != "" {
		q.Set("vfs", exclusiveVFS)
	}
	return "file:" + path + "?" + q.Encode()
}

// OpenSQLite opens (creating if needed) and migrates the database.
func OpenSQLite(ctx context.Context, opt Options) (*SQLite, error) {
	path := opt.Path
	remove := false
	if opt.InMemory {
		dir, err := os.MkdirTemp("", "lhcr-sandbox-*")
		if err != nil {
			return nil, fmt.Errorf("store: temporary database: %w", err)
		}
		path = filepath.Join(dir, "sandbox.db")
		remove = true
	}
	if path == "" {
		path = "lhcr-sandbox.db"
	}
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	s := &SQLite{w: w, path: path, remove: remove}
	if err := s.migrate(ctx); err != nil {
		w.Close()
		if isBusy(err) {
			return nil, fmt.Errorf("%w: %s (is another lhcr-sandbox running on it? stop it, or choose another --db)", ErrInUse, path)
		}
		return nil, err
	}
	// A bulk load the process did not finish left its indexes to build.
	if err := s.restoreIndexes(ctx); err != nil {
		w.Close()
		return nil, err
	}
	readers := opt.Readers
	if readers <= 0 {
		readers = max(2, runtime.NumCPU())
	}
	r, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	r.SetConnMaxLifetime(0)
	s.r = r
	s.queries = newStmtCache(r, maxCachedStatements)
	if s.readStmt, err = r.PrepareContext(ctx, readSQL); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("store: prepare: %w", err)
	}
	return s, nil
}

// Path is the database file.
func (s *SQLite) Path() string { return s.path }

// Close closes both pools (and removes an in-memory database).
func (s *SQLite) Close() error {
	s.readStmt.Close()
	s.queries.Close()
	err := s.r.Close()
	if werr := s.w.Close(); err == nil {
		err = werr
	}
	if s.remove {
		os.RemoveAll(filepath.Dir(s.path))
	}
	return err
}

func (s *SQLite) migrate(ctx context.Context) error { return s.migrateTo(ctx, math.MaxInt) }

// migrateTo applies the migrations numbered up to last that are not applied yet.
func (s *SQLite) migrateTo(ctx context.Context, last int) error {
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrations table: %w", err)
	}
	var current int
	if err := s.w.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, f := range files {
		n, err := strconv.Atoi(strings.SplitN(filepath.Base(f), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("store: migration %s: name must start with a number", f)
		}
		if n <= current || n > last {
			continue
		}
		body, err := migrations.ReadFile(f)
		if err != nil {
			return err
		}
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migration %s: %w", f, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, n, time.Now().UnixMilli()); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: migration %s: %w", f, err)
		}
	}
	return nil
}

// IntegrityCheck runs PRAGMA integrity_check.
func (s *SQLite) IntegrityCheck(ctx context.Context) error {
	rows, err := s.w.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return err
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(msgs) == 1 && msgs[0] == "ok" {
		return nil
	}
	return fmt.Errorf("store: integrity check: %s", strings.Join(msgs, "; "))
}

// Count returns the number of live resources of typ ("" for all).
func (s *SQLite) Count(ctx context.Context, typ string) (int, error) {
	var n int
	var err error
	if typ == "" {
		err = s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM resources WHERE deleted = 0`).Scan(&n)
	} else {
		err = s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM resources WHERE type = ? AND deleted = 0`, typ).Scan(&n)
	}
	return n, err
}

// Reset deletes all resources, versions and index rows (apps, developers and keys stay).
func (s *SQLite) Reset(ctx context.Context) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, t := range []string{"idx_token", "idx_string", "idx_date", "idx_ref", "versions", "resources"} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
			return fmt.Errorf("store: reset %s: %w", t, err)
		}
	}
	// How the data was seeded goes with the data; apps, keys and other settings stay.
	if _, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE key LIKE 'seed%'`); err != nil {
		return fmt.Errorf("store: reset settings: %w", err)
	}
	return tx.Commit()
}
