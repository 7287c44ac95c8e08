package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gm-lhcr/lhcr/sandbox/internal/search"
)

// newID returns a random UUID (version 4) as a FHIR id.
func newID() string {
	var u [16]byte
	rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// now is the store's clock, truncated to the millisecond precision it stores.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// Create stores a new resource with a server-assigned id.
func (s *SQLite) Create(ctx context.Context, typ string, body []byte, ifNoneExist *search.Query) (WriteResult, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return WriteResult{}, fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	if ifNoneExist != nil {
		q := *ifNoneExist
		q.Count, q.Cursor, q.Sort, q.Summary = 2, "", nil, search.SummaryNone
		page, err := s.search(ctx, tx, &q)
		if err != nil {
			return WriteResult{}, err
		}
		switch len(page.Resources) {
		case 0:
		case 1:
			return WriteResult{Resource: page.Resources[0]}, nil
		default:
			return WriteResult{}, ErrMultipleMatches
		}
	}
	res, err := s.put(ctx, tx, typ, newID(), body, "POST", now(), currentRow{}, false)
	if err != nil {
		return WriteResult{}, err
	}
	if err := tx.Commit(); err != nil {
		return WriteResult{}, fmt.Errorf("store: commit: %w", err)
	}
	return WriteResult{Resource: res, Created: true}, nil
}

// Update stores a new version of typ/id, creating it when absent.
func (s *SQLite) Update(ctx context.Context, typ, id string, body []byte, ifMatch int64) (WriteResult, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return WriteResult{}, fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	cur, err := current(ctx, tx, typ, id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return WriteResult{}, err
	}
	exists := err == nil
	if ifMatch > 0 && (!exists || cur.version != ifMatch) {
		return WriteResult{}, ErrVersionConflict
	}
	method := "PUT"
	if !exists {
		method = "POST"
	}
	res, err := s.put(ctx, tx, typ, id, body, method, now(), cur, exists)
	if err != nil {
		return WriteResult{}, err
	}
	if err := tx.Commit(); err != nil {
		return WriteResult{}, fmt.Errorf("store: commit: %w", err)
	}
	// A write to a deleted resource brings it back: FHIR counts that as an update (200), not a create.
	return WriteResult{Resource: res, Created: !exists}, nil
}

// Delete records a deletion of typ/id.
func (s *SQLite) Delete(ctx context.Context, typ, id string, ifMatch int64) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	cur, err := current(ctx, tx, typ, id)
	if errors.Is(err, ErrNotFound) {
		if ifMatch > 0 {
			return ErrVersionConflict
		}
		return nil
	}
	if err != nil {
		return err
	}
	if ifMatch > 0 && cur.version != ifMatch {
		return ErrVersionConflict
	}
	if cur.deleted {
		return nil
	}
	at := now()
	v := cur.version + 1
	if err := archive(ctx, tx, cur.rid); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE resources SET version = ?, last_updated = ?, deleted = 1, method = 'DELETE', json = NULL WHERE rid = ?`, v, at.UnixMilli(), cur.rid); err != nil {
		return fmt.Errorf("store: delete: %w", err)
	}
	if err := clearIndex(ctx, tx, cur.rid); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// Import writes prepared resources as version 1, in one transaction.
func (s *SQLite) Import(ctx context.Context, resources []Prepared) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	ins, err := newInserter(ctx, tx)
	if err != nil {
		return err
	}
	defer ins.close()
	for _, p := range resources {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := ins.insertPrepared(ctx, p, "POST"); err != nil {
			return fmt.Errorf("store: import %s/%s: %w", p.Type, p.ID, err)
		}
	}
	if err := ins.flush(ctx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

type currentRow struct {
	rid     int64
	version int64
	deleted bool
}

func current(ctx context.Context, q querier, typ, id string) (currentRow, error) {
	var c currentRow
	err := q.QueryRowContext(ctx, `SELECT rid, version, deleted FROM resources WHERE type = ? AND id = ?`, typ, id).Scan(&c.rid, &c.version, &c.deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("store: read %s/%s: %w", typ, id, err)
	}
	return c, nil
}

// put writes a version of typ/id inside tx: a new resource row when !exists, else the version
// after cur's.
func (s *SQLite) put(ctx context.Context, tx *sql.Tx, typ, id string, body []byte, method string, at time.Time, cur currentRow, exists bool) (Resource, error) {
	ins, err := newInserter(ctx, tx)
	if err != nil {
		return Resource{}, err
	}
	defer ins.close()
	if !exists {
		res, err := ins.insertNew(ctx, typ, id, body, method, at)
		if err != nil {
			return Resource{}, err
		}
		return res, ins.flush(ctx)
	}
	v := cur.version + 1
	js, err := stamp(body, typ, id, v, at)
	if err != nil {
		return Resource{}, err
	}
	entries, err := search.Extract(typ, js)
	if err != nil {
		return Resource{}, fmt.Errorf("store: index %s/%s: %w", typ, id, err)
	}
	if err := archive(ctx, tx, cur.rid); err != nil {
		return Resource{}, err
	}
	rid := cur.rid
	if _, err := tx.ExecContext(ctx, `UPDATE resources SET version = ?, last_updated = ?, deleted = 0, method = ?, json = ? WHERE rid = ?`,
		v, at.UnixMilli(), method, js, rid); err != nil {
		return Resource{}, fmt.Errorf("store: update %s/%s: %w", typ, id, err)
	}
	if err := clearIndex(ctx, tx, rid); err != nil {
		return Resource{}, err
	}
	if err := ins.index(ctx, rid, typ, entries); err != nil {
		return Resource{}, err
	}
	if err := ins.flush(ctx); err != nil {
		return Resource{}, err
	}
	return Resource{Type: typ, ID: id, Version: v, LastUpdated: at, Method: method, JSON: js}, nil
}

// archive copies the current version of rid into versions, before resources takes the next.
func archive(ctx context.Context, tx *sql.Tx, rid int64) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO versions (rid, version, last_updated, method, json)
		SELECT rid, version, last_updated, method, json FROM resources WHERE rid = ?`, rid); err != nil {
		return fmt.Errorf("store: keep the previous version: %w", err)
	}
	return nil
}

func clearIndex(ctx context.Context, tx *sql.Tx, rid int64) error {
	for _, t := range []string{"idx_token", "idx_string", "idx_date", "idx_ref"} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t+" WHERE rid = ?", rid); err != nil {
			return fmt.Errorf("store: clear index: %w", err)
		}
	}
	return nil
}

// inserter writes resources and their index rows inside one write transaction. Index rows are
// buffered and written indexChunk rows per INSERT: a statement per row cost more in the
// driver's and database/sql's per-call work than in SQLite (about 160 index rows per patient).
// flush writes what is buffered; the transaction must not commit before it.
type inserter struct {
	tx       *sql.Tx
	resource *sql.Stmt
	tables   [4]indexTable // by search.Type: token, string, date, reference
}

// indexChunk is how many index rows one INSERT writes.
const indexChunk = 64

// indexTable buffers the rows of one index table.
type indexTable struct {
	name    string    // e.g. idx_token
	columns string    // e.g. (rid, param, system, code)
	width   int       // number of columns
	chunk   *sql.Stmt // INSERT of indexChunk rows, prepared when first needed
	pending []any     // the values of buffered rows, width per row
}

func (t *indexTable) insertSQL(rows int) string {
	row := "(" + placeholders(t.width) + ")"
	return "INSERT INTO " + t.name + " " + t.columns + " VALUES " + strings.TrimSuffix(strings.Repeat(row+",", rows), ",")
}

func newInserter(ctx context.Context, tx *sql.Tx) (*inserter, error) {
	ins := &inserter{tx: tx, tables: [4]indexTable{
		{name: "idx_token", columns: "(rid, param, system, code)", width: 4},
		{name: "idx_string", columns: "(rid, param, text, exact)", width: 4},
		{name: "idx_date", columns: "(rid, param, low, high)", width: 4},
		{name: "idx_ref", columns: "(rid, param, ref_type, ref_id)", width: 4},
	}}
	var err error
	if ins.resource, err = tx.PrepareContext(ctx, `INSERT INTO resources (type, id, version, last_updated, deleted, method, json) VALUES (?, ?, 1, ?, 0, ?, ?) RETURNING rid`); err != nil {
		return nil, fmt.Errorf("store: prepare: %w", err)
	}
	return ins, nil
}

func (ins *inserter) close() {
	if ins.resource != nil {
		ins.resource.Close()
	}
	for _, t := range ins.tables {
		if t.chunk != nil {
			t.chunk.Close()
		}
	}
}

// add buffers one row of t, writing a full chunk.
func (ins *inserter) add(ctx context.Context, t *indexTable, values ...any) error {
	t.pending = append(t.pending, values...)
	if len(t.pending) < indexChunk*t.width {
		return nil
	}
	if t.chunk == nil {
		// Prepared on the first full chunk: a single write rarely fills one.
		var err error
		if t.chunk, err = ins.tx.PrepareContext(ctx, t.insertSQL(indexChunk)); err != nil {
			return fmt.Errorf("store: prepare: %w", err)
		}
	}
	_, err := t.chunk.ExecContext(ctx, t.pending...)
	t.pending = t.pending[:0]
	if err != nil {
		return fmt.Errorf("store: index: %w", err)
	}
	return nil
}

// flush writes the buffered index rows.
func (ins *inserter) flush(ctx context.Context) error {
	for i := range ins.tables {
		t := &ins.tables[i]
		if len(t.pending) == 0 {
			continue
		}
		_, err := ins.tx.ExecContext(ctx, t.insertSQL(len(t.pending)/t.width), t.pending...)
		t.pending = t.pending[:0]
		if err != nil {
			return fmt.Errorf("store: index: %w", err)
		}
	}
	return nil
}

// insertNew writes version 1 of a new resource.
func (ins *inserter) insertNew(ctx context.Context, typ, id string, body []byte, method string, at time.Time) (Resource, error) {
	p, err := Prepare(typ, id, body, at)
	if err != nil {
		return Resource{}, err
	}
	return ins.insertPrepared(ctx, p, method)
}

func (ins *inserter) insertPrepared(ctx context.Context, p Prepared, method string) (Resource, error) {
	at := p.LastUpdated.UnixMilli()
	var rid int64
	if err := ins.resource.QueryRowContext(ctx, p.Type, p.ID, at, method, p.JSON).Scan(&rid); err != nil {
		return Resource{}, fmt.Errorf("store: insert %s/%s: %w", p.Type, p.ID, err)
	}
	if err := ins.index(ctx, rid, p.Type, p.Entries); err != nil {
		return Resource{}, err
	}
	return Resource{Type: p.Type, ID: p.ID, Version: 1, LastUpdated: p.LastUpdated, Method: method, JSON: p.JSON}, nil
}

func (ins *inserter) index(ctx context.Context, rid int64, typ string, entries []search.Entry) error {
	for _, e := range entries {
		param := typ + "." + e.Param
		if _, dup := indexAlias[param]; dup {
			continue // indexed under the parameter it duplicates
		}
		var err error
		switch e.Type {
		case search.Token:
			err = ins.add(ctx, &ins.tables[0], rid, param, e.System, e.Code)
		case search.String:
			err = ins.add(ctx, &ins.tables[1], rid, param, e.Text, e.Exact)
		case search.Date:
			err = ins.add(ctx, &ins.tables[2], rid, param, e.Low.UnixMilli(), e.High.UnixMilli())
		case search.Reference:
			err = ins.add(ctx, &ins.tables[3], rid, param, e.RefType, e.RefID)
		}
		if err != nil {
			return fmt.Errorf("store: index %s: %w", param, err)
		}
	}
	return nil
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
