package store

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func openAppsDB(t *testing.T) *SQLite {
	t.Helper()
	s, err := OpenSQLite(context.Background(), Options{Path: filepath.Join(t.TempDir(), "apps.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestDevelopers(t *testing.T) {
	ctx := context.Background()
	s := openAppsDB(t)
	at := time.UnixMilli(1_700_000_000_000).UTC()
	steps := []struct {
		name    string
		put     *Developer
		wantErr bool
		lookup  []byte
		want    *Developer // nil: ErrNotFound
	}{
		{name: "insert", put: &Developer{ID: "dev-a", Email: "a@example.org", APIKeyHash: []byte("hash-a1"), CreatedAt: at},
			lookup: []byte("hash-a1"), want: &Developer{ID: "dev-a", Email: "a@example.org", APIKeyHash: []byte("hash-a1"), CreatedAt: at}},
		{name: "insert without email", put: &Developer{ID: "dev-b", APIKeyHash: []byte("hash-b"), CreatedAt: at},
			lookup: []byte("hash-b"), want: &Developer{ID: "dev-b", APIKeyHash: []byte("hash-b"), CreatedAt: at}},
		{name: "second developer without email", put: &Developer{ID: "dev-c", APIKeyHash: []byte("hash-c"), CreatedAt: at},
			lookup: []byte("hash-c"), want: &Developer{ID: "dev-c", APIKeyHash: []byte("hash-c"), CreatedAt: at}},
		{name: "re-key keeps created_at", put: &Developer{ID: "dev-a", Email: "a@example.org", APIKeyHash: []byte("hash-a2"), CreatedAt: at.Add(time.Hour)},
			lookup: []byte("hash-a2"), want: &Developer{ID: "dev-a", Email: "a@example.org", APIKeyHash: []byte("hash-a2"), CreatedAt: at}},
		{name: "old key no longer found", lookup: []byte("hash-a1")},
		{name: "unknown key", lookup: []byte("nope")},
		{name: "duplicate email", put: &Developer{ID: "dev-d", Email: "a@example.org", APIKeyHash: []byte("hash-d")}, wantErr: true},
		{name: "duplicate key hash", put: &Developer{ID: "dev-e", APIKeyHash: []byte("hash-b")}, wantErr: true},
		{name: "missing key hash", put: &Developer{ID: "dev-f"}, wantErr: true},
		{name: "missing id", put: &Developer{APIKeyHash: []byte("hash-g")}, wantErr: true},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.put != nil {
				err := s.PutDeveloper(ctx, *st.put)
				if (err != nil) != st.wantErr {
					t.Fatalf("PutDeveloper: err = %v, want error %v", err, st.wantErr)
				}
			}
			if st.lookup == nil {
				return
			}
			got, err := s.DeveloperByKeyHash(ctx, st.lookup)
			if st.want == nil {
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("DeveloperByKeyHash = %+v, %v; want ErrNotFound", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != st.want.ID || got.Email != st.want.Email || !bytes.Equal(got.APIKeyHash, st.want.APIKeyHash) || !got.CreatedAt.Equal(st.want.CreatedAt) {
				t.Errorf("got %+v, want %+v", got, *st.want)
			}
		})
	}
}

func TestApps(t *testing.T) {
	ctx := context.Background()
	s := openAppsDB(t)
	for _, id := range []string{"dev-a", "dev-b"} {
		if err := s.PutDeveloper(ctx, Developer{ID: id, APIKeyHash: []byte("h-" + id)}); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.UnixMilli(1_700_000_000_000).UTC()
	secretApp := App{ClientID: "app_1", DeveloperID: "dev-a", Name: "One", Description: "first", AuthMethod: "client_secret",
		Scopes: []string{"system/*.rs"}, SecretHash: []byte{1, 2, 3}, SecretHint: "abcd", CreatedAt: t0, UpdatedAt: t0}
	jwtApp := App{ClientID: "app_2", DeveloperID: "dev-b", Name: "Two", AuthMethod: "private_key_jwt",
		Scopes: []string{"system/Patient.read", "system/Observation.rs"}, JWKS: []byte(`{"keys":[]}`), CreatedAt: t0.Add(time.Second), UpdatedAt: t0.Add(time.Second)}
	urlApp := App{ClientID: "app_3", DeveloperID: "dev-b", Name: "Three", AuthMethod: "private_key_jwt",
		JWKSURL: "https://example.org/jwks.json", CreatedAt: t0.Add(2 * time.Second), UpdatedAt: t0.Add(2 * time.Second)}
	renamed := secretApp
	renamed.Name, renamed.SecretHash, renamed.SecretHint = "One renamed", []byte{9, 9}, "wxyz"
	renamed.CreatedAt, renamed.UpdatedAt = t0.Add(time.Hour), t0.Add(time.Hour) // created_at must not change
	wantRenamed := renamed
	wantRenamed.CreatedAt = t0
	urlAppOut := urlApp
	urlAppOut.Scopes = []string{}

	steps := []struct {
		name    string
		put     *App
		del     string
		wantErr error // for del: ErrNotFound; for put: any error when non-nil
		want    []App
	}{
		{name: "insert secret app", put: &secretApp, want: []App{secretApp}},
		{name: "insert jwks app", put: &jwtApp, want: []App{secretApp, jwtApp}},
		{name: "insert url app without scopes", put: &urlApp, want: []App{secretApp, jwtApp, urlAppOut}},
		{name: "update keeps created_at", put: &renamed, want: []App{wantRenamed, jwtApp, urlAppOut}},
		{name: "unknown developer", put: &App{ClientID: "app_4", DeveloperID: "dev-x", Name: "x", AuthMethod: "client_secret"}, wantErr: errors.New("any"), want: []App{wantRenamed, jwtApp, urlAppOut}},
		{name: "bad auth method", put: &App{ClientID: "app_5", DeveloperID: "dev-a", Name: "x", AuthMethod: "none"}, wantErr: errors.New("any"), want: []App{wantRenamed, jwtApp, urlAppOut}},
		{name: "missing client id", put: &App{DeveloperID: "dev-a", Name: "x", AuthMethod: "client_secret"}, wantErr: errors.New("any"), want: []App{wantRenamed, jwtApp, urlAppOut}},
		{name: "delete", del: "app_2", want: []App{wantRenamed, urlAppOut}},
		{name: "delete again", del: "app_2", wantErr: ErrNotFound, want: []App{wantRenamed, urlAppOut}},
		{name: "delete unknown", del: "app_nope", wantErr: ErrNotFound, want: []App{wantRenamed, urlAppOut}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			switch {
			case st.put != nil:
				err := s.PutApp(ctx, *st.put)
				if (err != nil) != (st.wantErr != nil) {
					t.Fatalf("PutApp: err = %v, want error %v", err, st.wantErr)
				}
			case st.del != "":
				err := s.DeleteApp(ctx, st.del)
				if st.wantErr == nil && err != nil || st.wantErr != nil && !errors.Is(err, st.wantErr) {
					t.Fatalf("DeleteApp: err = %v, want %v", err, st.wantErr)
				}
			}
			got, err := s.Apps(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(st.want) {
				t.Fatalf("Apps = %d apps, want %d: %+v", len(got), len(st.want), got)
			}
			for i := range got {
				if !sameApp(got[i], st.want[i]) {
					t.Errorf("app %d = %+v\nwant %+v", i, got[i], st.want[i])
				}
			}
		})
	}
}

func sameApp(a, b App) bool {
	return a.ClientID == b.ClientID && a.DeveloperID == b.DeveloperID && a.Name == b.Name && a.Description == b.Description &&
		a.AuthMethod == b.AuthMethod && slices.Equal(a.Scopes, b.Scopes) && bytes.Equal(a.JWKS, b.JWKS) &&
		a.JWKSURL == b.JWKSURL && bytes.Equal(a.SecretHash, b.SecretHash) && a.SecretHint == b.SecretHint &&
		a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt)
}
