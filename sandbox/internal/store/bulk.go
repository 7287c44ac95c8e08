package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// settingBulkIndexes holds the definitions of the indexes a bulk load dropped, until they are
// built again: if the process stops during the load, the next OpenSQLite builds them.
const settingBulkIndexes = "store.bulk_load_indexes"

// bulkTables are the tables whose secondary indexes a bulk load builds at the end. The unique
// (type, id) constraint of resources stays: it is what makes a duplicate id fail.
var bulkTables = []string{"resources", "idx_token", "idx_string", "idx_date", "idx_ref"}

type indexDef struct{ Name, SQL string }

// BulkLoad runs load (Imports into an empty store, as seeding does) with the search indexes
// built once at the end, by sorting, instead of row by row: each resource carries about seven
// index rows, and keeping ten B-tree indexes up to date in random order was most of an import's
// time. The indexes are built again even when load fails.
func (s *SQLite) BulkLoad(ctx context.Context, load func(context.Context) error) error {
	if err := s.dropIndexes(ctx); err != nil {
		return err
	}
	err := load(ctx)
	// A cancelled load (Ctrl-C while seeding) still leaves a database with its indexes.
	if rerr := s.restoreIndexes(context.WithoutCancel(ctx)); rerr != nil {
		err = errors.Join(err, rerr)
	}
	return err
}

// dropIndexes records the definitions of the bulk tables' indexes in the settings and drops
// them, in one transaction.
func (s *SQLite) dropIndexes(ctx context.Context) error {
	// An earlier load that never finished: its recorded definitions are the ones to keep.
	if err := s.restoreIndexes(ctx); err != nil {
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: bulk load: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
		AND tbl_name IN (`+placeholders(len(bulkTables))+`) ORDER BY name`, anys(bulkTables)...)
	if err != nil {
		return fmt.Errorf("store: bulk load: list indexes: %w", err)
	}
	var defs []indexDef
	for rows.Next() {
		var d indexDef
		if err := rows.Scan(&d.Name, &d.SQL); err != nil {
			rows.Close()
			return fmt.Errorf("store: bulk load: list indexes: %w", err)
		}
		defs = append(defs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: bulk load: list indexes: %w", err)
	}
	js, err := json.Marshal(defs)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)`, settingBulkIndexes, string(js)); err != nil {
		return fmt.Errorf("store: bulk load: %w", err)
	}
	for _, d := range defs {
		if _, err := tx.ExecContext(ctx, `DROP INDEX "`+d.Name+`"`); err != nil {
			return fmt.Errorf("store: bulk load: drop %s: %w", d.Name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: bulk load: %w", err)
	}
	return nil
}

// restoreIndexes builds the indexes a bulk load dropped, if any, in one transaction. It runs
// at every open: without recorded definitions it only reads.
func (s *SQLite) restoreIndexes(ctx context.Context) error {
	var pending int
	if err := s.w.QueryRowContext(ctx, `SELECT COUNT(*) FROM settings WHERE key = ?`, settingBulkIndexes).Scan(&pending); err != nil {
		return fmt.Errorf("store: restore indexes: %w", err)
	}
	if pending == 0 {
		return nil // no write transaction at start-up for nothing
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: restore indexes: %w", err)
	}
	defer tx.Rollback()
	var js string
	switch err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, settingBulkIndexes).Scan(&js); {
	case err == nil:
	case errors.Is(err, sql.ErrNoRows):
		return nil
	default:
		return fmt.Errorf("store: restore indexes: %w", err)
	}
	var defs []indexDef
	if err := json.Unmarshal([]byte(js), &defs); err != nil {
		return fmt.Errorf("store: restore indexes: the recorded definitions are damaged: %w", err)
	}
	for _, d := range defs {
		create, ok := strings.CutPrefix(d.SQL, "CREATE INDEX ")
		if !ok {
			return fmt.Errorf("store: restore indexes: unexpected definition %q", d.SQL)
		}
		if _, err := tx.ExecContext(ctx, "CREATE INDEX IF NOT EXISTS "+create); err != nil {
			return fmt.Errorf("store: restore index %s: %w", d.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, settingBulkIndexes); err != nil {
		return fmt.Errorf("store: restore indexes: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: restore indexes: %w", err)
	}
	return nil
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}
