package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gm-lhcr/lhcr/sandbox/internal/search"
)

// storeContract runs the behaviour every Store must have against a fresh store from open. The
// SQLite store runs it below; a PostgreSQL store will run the same function.
func storeContract(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	patient := func(family, nhs string) []byte {
		return fmt.Appendf(nil, `{"resourceType":"Patient","name":[{"family":%q}],"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":%q}]}`, family, nhs)
	}
	query := func(t *testing.T, typ, raw string) *search.Query {
		t.Helper()
		v, err := url.ParseQuery(raw)
		if err != nil {
			t.Fatal(err)
		}
		q, err := search.Parse(typ, v, true)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}

	t.Run("versions", func(t *testing.T) {
		s := open(t)
		w, err := s.Create(ctx, "Patient", patient("Taylor", "9990000018"), nil)
		if err != nil || !w.Created || w.Resource.Version != 1 || w.Resource.ID == "" {
			t.Fatalf("create: %+v %v", w, err)
		}
		id := w.Resource.ID
		var meta struct {
			ID   string `json:"id"`
			Meta struct {
				VersionID string `json:"versionId"`
			} `json:"meta"`
		}
		if err := json.Unmarshal(w.Resource.JSON, &meta); err != nil || meta.ID != id || meta.Meta.VersionID != "1" {
			t.Fatalf("stored JSON lacks id/meta: %s", w.Resource.JSON)
		}
		if _, err := s.Update(ctx, "Patient", id, patient("Taylor-Jones", "9990000018"), 2); !errors.Is(err, ErrVersionConflict) {
			t.Fatalf("stale If-Match: %v", err)
		}
		u, err := s.Update(ctx, "Patient", id, patient("Taylor-Jones", "9990000018"), 1)
		if err != nil || u.Created || u.Resource.Version != 2 {
			t.Fatalf("update: %+v %v", u, err)
		}
		if r, err := s.Read(ctx, "Patient", id); err != nil || r.Version != 2 {
			t.Fatalf("read: %+v %v", r, err)
		}
		if r, err := s.VRead(ctx, "Patient", id, 1); err != nil || r.Version != 1 {
			t.Fatalf("vread 1: %+v %v", r, err)
		}
		if err := s.Delete(ctx, "Patient", id, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Read(ctx, "Patient", id); !errors.Is(err, ErrGone) {
			t.Fatalf("read after delete: %v", err)
		}
		if _, err := s.VRead(ctx, "Patient", id, 3); !errors.Is(err, ErrGone) {
			t.Fatalf("vread of the deletion: %v", err)
		}
		if err := s.Delete(ctx, "Patient", "nobody", 0); err != nil {
			t.Fatalf("delete of an unknown id: %v", err)
		}
		h, err := s.History(ctx, "Patient", id, 10, "")
		if err != nil || len(h.Resources) != 3 || h.Resources[0].Method != "DELETE" || h.Resources[2].Method != "POST" {
			t.Fatalf("history: %+v %v", h, err)
		}
		if _, err := s.Read(ctx, "Patient", "nobody"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown id: %v", err)
		}
		// The deleted resource no longer matches searches.
		if p, err := s.Search(ctx, query(t, "Patient", "family=taylor")); err != nil || len(p.Resources) != 0 {
			t.Fatalf("search after delete: %d %v", len(p.Resources), err)
		}
	})

	t.Run("conditional create", func(t *testing.T) {
		s := open(t)
		cond := query(t, "Patient", "identifier=https://fhir.nhs.uk/Id/nhs-number|9990000026")
		a, err := s.Create(ctx, "Patient", patient("Khan", "9990000026"), cond)
		if err != nil || !a.Created {
			t.Fatalf("first: %+v %v", a, err)
		}
		b, err := s.Create(ctx, "Patient", patient("Khan", "9990000026"), cond)
		if err != nil || b.Created || b.Resource.ID != a.Resource.ID {
			t.Fatalf("second: %+v %v", b, err)
		}
		s.Create(ctx, "Patient", patient("Khan", "9990000026"), nil)
		if _, err := s.Create(ctx, "Patient", patient("Khan", "9990000026"), cond); !errors.Is(err, ErrMultipleMatches) {
			t.Fatalf("two matches: %v", err)
		}
	})

	t.Run("keyset paging under concurrent writes", func(t *testing.T) {
		s := open(t)
		var before []Prepared
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range 250 {
			p, err := Prepare("Patient", fmt.Sprintf("p%03d", i), patient("Smith", fmt.Sprint(i)), at)
			if err != nil {
				t.Fatal(err)
			}
			before = append(before, p)
		}
		if err := s.Import(ctx, before); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				s.Create(ctx, "Patient", patient("Smith", fmt.Sprint("new", i)), nil)
			}
		}()
		seen := map[string]bool{}
		q := query(t, "Patient", "family=smith&_count=20")
		for pages := 0; ; pages++ {
			p, err := s.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range p.Resources {
				if seen[r.ID] {
					t.Fatalf("%s twice", r.ID)
				}
				seen[r.ID] = true
			}
			if p.Next == "" {
				break
			}
			q.Cursor = p.Next
		}
		wg.Wait()
		for _, p := range before {
			if !seen[p.ID] {
				t.Fatalf("%s missed", p.ID)
			}
		}
		q.Cursor = "not-a-cursor"
		if _, err := s.Search(ctx, q); !errors.Is(err, ErrBadCursor) {
			t.Fatalf("bad cursor: %v", err)
		}
		if n, err := s.Count(ctx, "Patient"); err != nil || n != 350 {
			t.Fatalf("count %d %v", n, err)
		}
		if err := s.Reset(ctx); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.Count(ctx, ""); n != 0 {
			t.Fatalf("after reset: %d", n)
		}
	})

	t.Run("everything", func(t *testing.T) {
		s := open(t)
		p, _ := s.Create(ctx, "Patient", patient("Ali", "1"), nil)
		other, _ := s.Create(ctx, "Patient", patient("Bo", "2"), nil)
		for i := range 5 {
			s.Create(ctx, "Observation", fmt.Appendf(nil, `{"resourceType":"Observation","status":"final","code":{"text":"x%d"},"subject":{"reference":"Patient/%s"}}`, i, p.Resource.ID), nil)
		}
		s.Create(ctx, "Observation", fmt.Appendf(nil, `{"resourceType":"Observation","status":"final","code":{"text":"y"},"subject":{"reference":"Patient/%s"}}`, other.Resource.ID), nil)
		page, err := s.Everything(ctx, p.Resource.ID, 4, "")
		if err != nil || len(page.Resources) != 4 || page.Resources[0].ID != p.Resource.ID || page.Next == "" {
			t.Fatalf("page 1: %+v %v", page, err)
		}
		page2, err := s.Everything(ctx, p.Resource.ID, 4, page.Next)
		if err != nil || len(page2.Resources) != 2 || page2.Next != "" {
			t.Fatalf("page 2: %+v %v", page2, err)
		}
	})

	t.Run("settings", func(t *testing.T) {
		s := open(t)
		if _, ok, err := s.Setting(ctx, "k"); ok || err != nil {
			t.Fatal("unset setting found")
		}
		s.SetSetting(ctx, "k", "v1")
		s.SetSetting(ctx, "k", "v2")
		if v, ok, _ := s.Setting(ctx, "k"); !ok || v != "v2" {
			t.Fatalf("setting %q", v)
		}
	})
}

func TestSQLiteStore(t *testing.T) {
	storeContract(t, func(t *testing.T) Store {
		s, err := OpenSQLite(context.Background(), Options{Path: filepath.Join(t.TempDir(), "store.db")})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := s.IntegrityCheck(context.Background()); err != nil {
				t.Error(err)
			}
			s.Close()
		})
		return s
	})
}

// The database survives a close and reopen with its data and schema version.
func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := OpenSQLite(context.Background(), Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.Create(context.Background(), "Patient", []byte(`{"resourceType":"Patient"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = OpenSQLite(context.Background(), Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Read(context.Background(), "Patient", w.Resource.ID); err != nil {
		t.Fatal(err)
	}
}
