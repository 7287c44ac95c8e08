package apps

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/gm-lhcr/lhcr/sandbox/internal/requestlog"
)

func ptr[T any](v T) *T { return &v }

// TestManageLifecycle drives the developer-id methods through an app's life, and checks that
// what they register the developer API sees alike.
func TestManageLifecycle(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := context.Background()
	a, secret, err := f.reg.Register(ctx, devA, Registration{Name: ptr("  Portal app "), Scopes: []string{"system/Patient.rs"}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "Portal app" || a.DeveloperID != devA || a.AuthMethod != AuthClientSecret || len(secret) != 43 || a.SecretHint != secret[39:] {
		t.Fatalf("registered %+v with a secret of %d characters", a, len(secret))
	}
	if !f.reg.CheckSecret(a, secret) {
		t.Fatal("the returned secret does not work")
	}
	if res := f.do("GET", BasePath+"/"+a.ClientID, f.keyA, nil); res.status != 200 {
		t.Fatalf("the developer API does not see the app: %d", res.status)
	}
	if got := f.reg.Apps(devA); len(got) != 1 || got[0].ClientID != a.ClientID {
		t.Fatalf("Apps(A) = %+v", got)
	}
	_, rotated, err := f.reg.RotateSecret(ctx, devA, a.ClientID)
	if err != nil || rotated == secret || f.reg.CheckSecret(a, secret) || !f.reg.CheckSecret(a, rotated) {
		t.Fatalf("rotation: err %v; old works %v; new works %v", err, f.reg.CheckSecret(a, secret), f.reg.CheckSecret(a, rotated))
	}
	if _, err := f.reg.ReplaceKeys(ctx, devA, a.ClientID, nil, ptr("https://example.org/jwks")); !errors.Is(err, ErrNoKeys) {
		t.Errorf("keys on a secret app: %v", err)
	}
	f.reqlog.Add(requestlog.Entry{ClientID: a.ClientID, Status: 401, RequestID: "r1"})
	f.reqlog.Add(requestlog.Entry{ClientID: a.ClientID, Status: 200, RequestID: "r2"})
	if got, err := f.reg.Requests(devA, a.ClientID, 4, 200); err != nil || len(got) != 1 || got[0].RequestID != "r1" {
		t.Errorf("Requests(4xx) = %+v, %v", got, err)
	}
	if err := f.reg.Delete(ctx, devA, a.ClientID); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.reg.Client(a.ClientID); ok || len(f.reqlog.Recent(a.ClientID, 0, 10)) != 0 {
		t.Error("the deleted app or its log is still there")
	}

	k := keysOnce()
	jwks, _ := json.Marshal(set(jwk(t, &k.ec.PublicKey, "k1", "ES384", "sig")))
	j, secret, err := f.reg.Register(ctx, devA, Registration{Name: ptr("JWT app"), AuthMethod: ptr(AuthPrivateKeyJWT), JWKS: jwks})
	if err != nil || secret != "" || j.JWKS == nil || len(j.JWKS.Keys) != 1 {
		t.Fatalf("JWT app: %+v, secret %q, %v", j, secret, err)
	}
	if _, _, err := f.reg.RotateSecret(ctx, devA, j.ClientID); !errors.Is(err, ErrNoSecret) {
		t.Errorf("rotating a JWT app: %v", err)
	}
	j2, err := f.reg.ReplaceKeys(ctx, devA, j.ClientID, nil, ptr("https://example.org/jwks.json"))
	if err != nil || j2.JWKSURL != "https://example.org/jwks.json" || j2.JWKS != nil {
		t.Errorf("ReplaceKeys: %+v, %v", j2, err)
	}
	if raw, ok := f.reg.RawJWKS(devA, j.ClientID); !ok || raw != nil {
		t.Errorf("RawJWKS after switching to a URL = %s, %v", raw, ok)
	}
}

// TestManageValidation: the developer-id methods refuse what the developer API refuses.
func TestManageValidation(t *testing.T) {
	f := newFixture(t, Options{})
	k := keysOnce()
	private, _ := json.Marshal(set(jwk(t, k.ec, "k1", "ES384", "sig")))
	for _, tc := range []struct {
		name  string
		in    Registration
		field string
	}{
		{"no name", Registration{}, "name"},
		{"control character", Registration{Name: ptr("a\nb")}, "name"},
		{"bad scope", Registration{Name: ptr("x"), Scopes: []string{"system/Patient.rs", "patient/*.read"}}, "scopes[1]"},
		{"unknown method", Registration{Name: ptr("x"), AuthMethod: ptr("none")}, "auth_method"},
		{"JWT app without keys", Registration{Name: ptr("x"), AuthMethod: ptr(AuthPrivateKeyJWT)}, "jwks"},
		{"private key", Registration{Name: ptr("x"), AuthMethod: ptr(AuthPrivateKeyJWT), JWKS: private}, "jwks.keys[0].d"},
		{"http JWKS URL", Registration{Name: ptr("x"), AuthMethod: ptr(AuthPrivateKeyJWT), JWKSURL: ptr("http://example.org/jwks")}, "jwks_url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := f.reg.Register(context.Background(), devA, tc.in)
			var ie *InvalidError
			if !errors.As(err, &ie) || ie.Field != tc.field || ie.Message == "" {
				t.Fatalf("err = %v (%#v), want an InvalidError on %s", err, ie, tc.field)
			}
		})
	}
	if len(f.reg.Apps(devA)) != 0 {
		t.Error("a refused registration was stored")
	}
}

// TestManageOwnership: developer B's calls on A's app are ErrNotFound and change nothing.
func TestManageOwnership(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := context.Background()
	a, secret, err := f.reg.Register(ctx, devA, Registration{Name: ptr("A's")})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.reg.App(devB, a.ClientID); ok {
		t.Error("B sees A's app")
	}
	if _, ok := f.reg.App("", a.ClientID); ok {
		t.Error("no developer sees A's app")
	}
	if _, ok := f.reg.RawJWKS(devB, a.ClientID); ok {
		t.Error("B reads A's keys")
	}
	if len(f.reg.Apps(devB)) != 0 {
		t.Error("B lists A's app")
	}
	if _, _, err := f.reg.RotateSecret(ctx, devB, a.ClientID); !errors.Is(err, ErrNotFound) {
		t.Errorf("rotate: %v", err)
	}
	if _, err := f.reg.ReplaceKeys(ctx, devB, a.ClientID, nil, ptr("https://example.org/j")); !errors.Is(err, ErrNotFound) {
		t.Errorf("keys: %v", err)
	}
	if _, err := f.reg.Requests(devB, a.ClientID, 0, 10); !errors.Is(err, ErrNotFound) {
		t.Errorf("requests: %v", err)
	}
	if err := f.reg.Delete(ctx, devB, a.ClientID); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete: %v", err)
	}
	if !f.reg.CheckSecret(a, secret) {
		t.Error("A's app was changed")
	}
}
