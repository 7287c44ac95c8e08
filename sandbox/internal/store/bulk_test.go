package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gm-lhcr/lhcr/sandbox/internal/search"
)

// indexes lists the definitions of the bulk tables' indexes.
func indexes(t *testing.T, s *SQLite) []string {
	t.Helper()
	rows, err := s.w.QueryContext(context.Background(), `SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
		AND tbl_name IN ('resources', 'idx_token', 'idx_string', 'idx_date', 'idx_ref') ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var sql string
		if err := rows.Scan(&sql); err != nil {
			t.Fatal(err)
		}
		out = append(out, sql)
	}
	return out
}

func bulkPatients(t *testing.T, n int) []Prepared {
	t.Helper()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var out []Prepared
	for i := range n {
		body := fmt.Appendf(nil, `{"resourceType":"Patient","name":[{"family":"Family%d"}],"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"%010d"}]}`, i%10, i)
		p, err := Prepare("Patient", fmt.Sprintf("bulk-%d", i), body, at)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// TestBulkLoad: a bulk load leaves the same indexes as the migrations made, and searches that
// use them find what was loaded; a failed load still restores them; a load the process never
// finished is repaired when the store is next opened.
func TestBulkLoad(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := OpenSQLite(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	want := indexes(t, s)
	if len(want) < 10 {
		t.Fatalf("%d indexes on the resource tables before the load; the migrations make 10 or more", len(want))
	}
	var during []string
	err = s.BulkLoad(ctx, func(ctx context.Context) error {
		during = indexes(t, s)
		return s.Import(ctx, bulkPatients(t, 100))
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(during) != 0 {
		t.Errorf("during the load: indexes %q, want none", during)
	}
	if got := indexes(t, s); !slices.Equal(got, want) {
		t.Errorf("after the load: indexes\n%q\nwant\n%q", got, want)
	}
	q, err := search.Parse("Patient", url.Values{"family": {"family3"}, "_count": {"50"}}, true)
	if err != nil {
		t.Fatal(err)
	}
	page, err := s.Search(ctx, q)
	if err != nil || len(page.Resources) != 10 {
		t.Fatalf("search after the load: %d resources, %v; want 10", len(page.Resources), err)
	}
	if _, ok, _ := s.Setting(ctx, settingBulkIndexes); ok {
		t.Error("the recorded index definitions outlived the load")
	}

	// A load that fails keeps its error and the indexes.
	boom := errors.New("boom")
	if err := s.BulkLoad(ctx, func(context.Context) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("failed load: %v, want boom", err)
	}
	if got := indexes(t, s); !slices.Equal(got, want) {
		t.Errorf("after a failed load: indexes %q", got)
	}

	// The process stops after the indexes were dropped: the next open builds them.
	if err := s.dropIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	if got := indexes(t, s); len(got) != 0 {
		t.Fatalf("after dropIndexes: %q", got)
	}
	s.Close()
	s, err = OpenSQLite(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := indexes(t, s); !slices.Equal(got, want) {
		t.Errorf("reopened after an interrupted load: indexes\n%q\nwant\n%q", got, want)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
}
