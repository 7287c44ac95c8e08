package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
)

// TestMigrationCurrentInResources upgrades a database written by the schema before migration 6
// (every version, the current one included, in versions) and checks that reads, version reads
// and histories answer as before, including a deleted resource.
func TestMigrationCurrentInResources(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	old := &SQLite{w: w}
	if err := old.migrateTo(ctx, 5); err != nil {
		t.Fatal(err)
	}
	doc := func(id, v string) string {
		return `{"resourceType":"Patient","id":"` + id + `","meta":{"versionId":"` + v + `"}}`
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO resources (rid, type, id, version, last_updated, deleted) VALUES (1, 'Patient', 'p1', 3, 3000, 0), (2, 'Patient', 'p2', 2, 2000, 1)`, nil},
		{`INSERT INTO versions (rid, version, last_updated, method, json) VALUES
			(1, 1, 1000, 'POST', ?), (1, 2, 2000, 'PUT', ?), (1, 3, 3000, 'PUT', ?),
			(2, 1, 1000, 'POST', ?), (2, 2, 2000, 'DELETE', NULL)`, []any{doc("p1", "1"), doc("p1", "2"), doc("p1", "3"), doc("p2", "1")}},
	} {
		if _, err := w.ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()

	s, err := OpenSQLite(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := s.Read(ctx, "Patient", "p1")
	if err != nil || r.Version != 3 || string(r.JSON) != doc("p1", "3") || r.LastUpdated.UnixMilli() != 3000 {
		t.Errorf("read p1: %+v %s, %v", r, r.JSON, err)
	}
	for v := int64(1); v <= 3; v++ {
		r, err := s.VRead(ctx, "Patient", "p1", v)
		if err != nil || string(r.JSON) != doc("p1", string(rune('0'+v))) {
			t.Errorf("vread p1/%d: %s, %v", v, r.JSON, err)
		}
	}
	h, err := s.History(ctx, "Patient", "p1", 10, "")
	if err != nil || len(h.Resources) != 3 || h.Resources[0].Version != 3 || h.Resources[2].Version != 1 ||
		h.Resources[0].Method != "PUT" || h.Resources[2].Method != "POST" || h.Total != 3 {
		t.Errorf("history p1: %+v, %v", h, err)
	}
	if _, err := s.Read(ctx, "Patient", "p2"); !errors.Is(err, ErrGone) {
		t.Errorf("read deleted p2: %v, want ErrGone", err)
	}
	if _, err := s.VRead(ctx, "Patient", "p2", 2); !errors.Is(err, ErrGone) {
		t.Errorf("vread p2/2 (the deletion): %v, want ErrGone", err)
	}
	if r, err := s.VRead(ctx, "Patient", "p2", 1); err != nil || string(r.JSON) != doc("p2", "1") {
		t.Errorf("vread p2/1: %s, %v", r.JSON, err)
	}
	h, err = s.History(ctx, "Patient", "p2", 10, "")
	if err != nil || len(h.Resources) != 2 || !h.Resources[0].Deleted || h.Resources[1].Method != "POST" {
		t.Errorf("history p2: %+v, %v", h, err)
	}
	var past int
	if err := s.w.QueryRowContext(ctx, `SELECT COUNT(*) FROM versions`).Scan(&past); err != nil || past != 3 {
		t.Errorf("versions keeps %d rows (%v), want the 3 earlier versions", past, err)
	}
	// A write after the upgrade continues the history.
	if _, err := s.Update(ctx, "Patient", "p1", []byte(`{"resourceType":"Patient","id":"p1"}`), 3); err != nil {
		t.Fatal(err)
	}
	if h, err := s.History(ctx, "Patient", "p1", 10, ""); err != nil || len(h.Resources) != 4 || h.Resources[1].Version != 3 || string(h.Resources[1].JSON) != doc("p1", "3") {
		t.Errorf("history after an update: %+v, %v", h, err)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
}
