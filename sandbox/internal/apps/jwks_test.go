package apps

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// jwksServer serves a JWKS with a settable Cache-Control header, counting requests.
type jwksServer struct {
	*httptest.Server
	hits atomic.Int32
	mu   sync.Mutex
	body []byte
	cc   string
	code int
	gate chan struct{} // when set, each request waits for it to close
}

func newJWKSServer(t *testing.T, body any, cacheControl string) *jwksServer {
	t.Helper()
	s := &jwksServer{cc: cacheControl, code: http.StatusOK}
	s.set(t, body)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		body, cc, code, gate := s.body, s.cc, s.code, s.gate
		s.mu.Unlock()
		if gate != nil {
			select {
			case <-gate:
			case <-r.Context().Done():
				return
			}
		}
		if cc != "" {
			w.Header().Set("Cache-Control", cc)
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.WriteHeader(code)
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(t *testing.T, body any) {
	t.Helper()
	b, ok := body.([]byte)
	if !ok {
		var err error
		if b, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	s.mu.Lock()
	s.body = b
	s.mu.Unlock()
}

func (s *jwksServer) setHeader(cc string) {
	s.mu.Lock()
	s.cc = cc
	s.mu.Unlock()
}

func (s *jwksServer) setCode(code int) {
	s.mu.Lock()
	s.code = code
	s.mu.Unlock()
}

func urlApp(u string) App {
	return App{ClientID: "app_url", AuthMethod: AuthPrivateKeyJWT, JWKSURL: u + "/.well-known/jwks.json?tenant=x"}
}

// TestJWKSCaching: each step either serves from the cache or fetches (hits counts fetches).
func TestJWKSCaching(t *testing.T) {
	k := keysOnce()
	one := set(jwk(t, &k.rsa.PublicKey, "r1", "RS384", "sig"))
	two := set(jwk(t, &k.rsa.PublicKey, "r1", "RS384", "sig"), jwk(t, &k.ec.PublicKey, "e1", "", ""))
	type step struct {
		advance time.Duration
		refresh bool
		serve   any    // a new document at the URL, when set
		cc      string // a new Cache-Control, when set ("-" for none)
		hits    int32  // fetches so far
		kids    int    // keys in the answer
	}
	tests := []struct {
		name  string
		cc    string
		steps []step
	}{
		{"max-age", "public, max-age=60", []step{
			{hits: 1, kids: 1},
			{advance: 30 * time.Second, serve: two, hits: 1, kids: 1},
			{advance: 31 * time.Second, hits: 2, kids: 2},
			{hits: 2, kids: 2},
		}},
		{"quoted max-age", `max-age="60"`, []step{
			{hits: 1, kids: 1},
			{advance: 59 * time.Second, hits: 1, kids: 1},
		}},
		{"no-store", "no-store", []step{
			{hits: 1, kids: 1},
			{hits: 2, kids: 1},
			{serve: two, hits: 3, kids: 2},
		}},
		{"no-cache", "no-cache, max-age=600", []step{
			{hits: 1, kids: 1},
			{hits: 2, kids: 1},
		}},
		{"max-age=0", "max-age=0", []step{
			{hits: 1, kids: 1},
			{hits: 2, kids: 1},
		}},
		{"default TTL", "", []step{
			{hits: 1, kids: 1},
			{advance: 4 * time.Minute, hits: 1, kids: 1},
			{advance: time.Minute + time.Second, hits: 2, kids: 1},
		}},
		{"unparsable max-age uses the default", "max-age=soon", []step{
			{hits: 1, kids: 1},
			{advance: 4 * time.Minute, hits: 1, kids: 1},
			{advance: time.Minute + time.Second, hits: 2, kids: 1},
		}},
		{"max-age capped at 24 h", "max-age=31536000", []step{
			{hits: 1, kids: 1},
			{advance: 23 * time.Hour, hits: 1, kids: 1},
			{advance: time.Hour + time.Second, hits: 2, kids: 1},
		}},
		{"refresh is rate-limited", "max-age=3600", []step{
			{hits: 1, kids: 1},
			{serve: two, refresh: true, hits: 1, kids: 1},               // fetched just now
			{advance: 9 * time.Second, refresh: true, hits: 1, kids: 1}, // still within 10 s
			{advance: 2 * time.Second, refresh: true, hits: 2, kids: 2}, // 11 s: refetched
			{refresh: true, hits: 2, kids: 2},                           // and not again
			{advance: 5 * time.Second, hits: 2, kids: 2},                // a plain call uses the cache
		}},
		{"refresh of a no-store set fetches", "no-store", []step{
			{hits: 1, kids: 1},
			{refresh: true, hits: 2, kids: 1},
		}},
		{"a change of Cache-Control applies on the next fetch", "max-age=10", []step{
			{hits: 1, kids: 1},
			{cc: "max-age=3600", advance: 11 * time.Second, hits: 2, kids: 1},
			{advance: 30 * time.Minute, hits: 2, kids: 1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Options{})
			srv := newJWKSServer(t, one, tt.cc)
			app := urlApp(srv.URL)
			for i, st := range tt.steps {
				f.clock.Advance(st.advance)
				if st.serve != nil {
					srv.set(t, st.serve)
				}
				if st.cc != "" {
					srv.setHeader(strings.TrimPrefix(st.cc, "-"))
				}
				got, err := f.reg.PublicKeys(context.Background(), app, st.refresh)
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if h := srv.hits.Load(); h != st.hits {
					t.Errorf("step %d: %d fetches, want %d", i, h, st.hits)
				}
				if len(got.Keys) != st.kids {
					t.Errorf("step %d: %d keys, want %d", i, len(got.Keys), st.kids)
				}
			}
		})
	}
}

func TestJWKSFetchErrors(t *testing.T) {
	k := keysOnce()
	good := set(jwk(t, &k.rsa.PublicKey, "r1", "RS384", ""))
	big := []byte(`{"keys":[` + strings.Repeat(" ", 64<<10) + `]}`)
	tests := []struct {
		name string
		body any
		code int
		opts Options
		want string
	}{
		{"too large", big, 200, Options{}, "larger than 65536 bytes"},
		{"too large for a small limit", good, 200, Options{MaxJWKSBytes: 100}, "larger than 100 bytes"},
		{"not found", good, 404, Options{}, "answered HTTP 404"},
		{"not JSON", []byte("<html>"), 200, Options{}, "not a JWKS"},
		{"no keys member", map[string]any{"jwks": []any{}}, 200, Options{}, "not a JWKS"},
		{"no usable keys", set(jwk(t, &k.rsa.PublicKey, "r1", "", "enc"), jwk(t, k.ec, "e1", "", ""), jwk(t, &k.rsaSmall.PublicKey, "s", "", "")), 200, Options{}, "no usable signing key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.opts)
			srv := newJWKSServer(t, tt.body, "")
			srv.setCode(tt.code)
			_, err := f.reg.PublicKeys(context.Background(), urlApp(srv.URL), false)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "tenant=x") {
				t.Errorf("the error shows the URL's query: %v", err)
			}
		})
	}
}

// TestJWKSFailureIsNotRetriedAtOnce: a failed fetch answers callers for the min interval.
func TestJWKSFailureIsNotRetriedAtOnce(t *testing.T) {
	k := keysOnce()
	f := newFixture(t, Options{})
	srv := newJWKSServer(t, set(jwk(t, &k.rsa.PublicKey, "r1", "", "")), "max-age=60")
	srv.setCode(http.StatusServiceUnavailable)
	app := urlApp(srv.URL)
	ctx := context.Background()
	if _, err := f.reg.PublicKeys(ctx, app, false); err == nil {
		t.Fatal("no error")
	}
	srv.setCode(http.StatusOK)
	for _, refresh := range []bool{false, true} {
		if _, err := f.reg.PublicKeys(ctx, app, refresh); err == nil || !strings.Contains(err.Error(), "503") {
			t.Errorf("refresh=%v: err = %v, want the recent failure", refresh, err)
		}
	}
	if h := srv.hits.Load(); h != 1 {
		t.Errorf("%d fetches, want 1", h)
	}
	f.clock.Advance(11 * time.Second)
	if ks, err := f.reg.PublicKeys(ctx, app, false); err != nil || len(ks.Keys) != 1 {
		t.Errorf("after the interval: %v, %v", ks, err)
	}
	if h := srv.hits.Load(); h != 2 {
		t.Errorf("%d fetches, want 2", h)
	}
}

func TestJWKSTimeout(t *testing.T) {
	k := keysOnce()
	f := newFixture(t, Options{FetchTimeout: 100 * time.Millisecond})
	srv := newJWKSServer(t, set(jwk(t, &k.rsa.PublicKey, "r1", "", "")), "")
	srv.gate = make(chan struct{}) // never opened: the server hangs
	defer close(srv.gate)
	start := time.Now()
	_, err := f.reg.PublicKeys(context.Background(), urlApp(srv.URL), false)
	if err == nil || !strings.Contains(err.Error(), "timed out after 100ms") {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the fetch took %s", d)
	}
}

// TestJWKSCallerCancel: a caller whose context ends stops waiting; the fetch goes on for others.
func TestJWKSCallerCancel(t *testing.T) {
	k := keysOnce()
	f := newFixture(t, Options{})
	srv := newJWKSServer(t, set(jwk(t, &k.rsa.PublicKey, "r1", "", "")), "max-age=60")
	srv.gate = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := f.reg.PublicKeys(ctx, urlApp(srv.URL), false)
		done <- err
	}()
	for srv.hits.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	close(srv.gate)
	ks, err := f.reg.PublicKeys(context.Background(), urlApp(srv.URL), false)
	if err != nil || len(ks.Keys) != 1 {
		t.Errorf("after the fetch: %v, %v", ks, err)
	}
	if h := srv.hits.Load(); h != 1 {
		t.Errorf("%d fetches, want 1 (the cancelled caller's fetch went on)", h)
	}
}

// TestJWKSConcurrentCallersShareAFetch: many callers at once cause one request.
func TestJWKSConcurrentCallersShareAFetch(t *testing.T) {
	k := keysOnce()
	f := newFixture(t, Options{})
	srv := newJWKSServer(t, set(jwk(t, &k.rsa.PublicKey, "r1", "", "")), "max-age=60")
	srv.gate = make(chan struct{})
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			ks, err := f.reg.PublicKeys(context.Background(), urlApp(srv.URL), i%2 == 0)
			if err == nil && len(ks.Keys) != 1 {
				err = errors.New("wrong keys")
			}
			errs <- err
		})
	}
	for srv.hits.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the others reach the shared fetch
	close(srv.gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if h := srv.hits.Load(); h != 1 {
		t.Errorf("%d fetches, want 1", h)
	}
}

func TestJWKSKeysFiltered(t *testing.T) {
	k := keysOnce()
	f := newFixture(t, Options{})
	srv := newJWKSServer(t, set(
		jwk(t, &k.rsa.PublicKey, "sig", "RS384", "sig"),
		jwk(t, &k.rsa2.PublicKey, "enc", "", "enc"),
		jwk(t, &k.ec.PublicKey, "nouse", "", ""),
		jwk(t, k.ec, "private", "", ""),
		jwk(t, &k.ecP256.PublicKey, "p256", "", ""),
		jwk(t, &k.rsa.PublicKey, "", "", ""),
		map[string]any{"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
		map[string]any{"kty": "OKP", "kid": "ed", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
	), "")
	ks, err := f.reg.PublicKeys(context.Background(), urlApp(srv.URL), false)
	if err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, key := range ks.Keys {
		kids = append(kids, key.KeyID)
		if !key.IsPublic() {
			t.Errorf("key %s is not public", key.KeyID)
		}
	}
	if strings.Join(kids, ",") != "sig,nouse" {
		t.Errorf("kept %v, want sig,nouse", kids)
	}
	// The answer is the caller's own: changing it does not change the cache.
	ks.Keys[0].KeyID = "changed"
	again, _ := f.reg.PublicKeys(context.Background(), urlApp(srv.URL), false)
	if again.Keys[0].KeyID != "sig" {
		t.Error("the caller changed the cache")
	}
}

func TestJWKSRedirects(t *testing.T) {
	k := keysOnce()
	f := newFixture(t, Options{})
	target := newJWKSServer(t, set(jwk(t, &k.rsa.PublicKey, "r1", "", "")), "")
	redirect := func(to string) *httptest.Server {
		s := httptest.NewServer(http.RedirectHandler(to, http.StatusFound))
		t.Cleanup(s.Close)
		return s
	}
	ok := redirect(target.URL + "/jwks")
	if ks, err := f.reg.PublicKeys(context.Background(), App{ClientID: "a", AuthMethod: AuthPrivateKeyJWT, JWKSURL: ok.URL}, false); err != nil || len(ks.Keys) != 1 {
		t.Errorf("redirect to loopback http: %v, %v", ks, err)
	}
	bad := redirect("http://example.org/jwks")
	if _, err := f.reg.PublicKeys(context.Background(), App{ClientID: "b", AuthMethod: AuthPrivateKeyJWT, JWKSURL: bad.URL}, false); err == nil || !strings.Contains(err.Error(), "redirected") {
		t.Errorf("redirect to plain http: err = %v", err)
	}
}

func TestPublicKeysInlineAndErrors(t *testing.T) {
	k := keysOnce()
	f := newFixture(t, Options{})
	inline := &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &k.rsa.PublicKey, KeyID: "r1", Algorithm: "RS384"},
		{Key: &k.rsa2.PublicKey, KeyID: "r2", Use: "enc"},
	}}
	ks, err := f.reg.PublicKeys(context.Background(), App{ClientID: "a", AuthMethod: AuthPrivateKeyJWT, JWKS: inline}, true)
	if err != nil || len(ks.Keys) != 1 || ks.Keys[0].KeyID != "r1" {
		t.Errorf("inline: %+v, %v", ks, err)
	}
	if len(inline.Keys) != 2 {
		t.Error("PublicKeys changed the app's set")
	}
	for _, a := range []App{
		{ClientID: "s", AuthMethod: AuthClientSecret},
		{ClientID: "n", AuthMethod: AuthPrivateKeyJWT},
	} {
		if _, err := f.reg.PublicKeys(context.Background(), a, false); err == nil {
			t.Errorf("%s: no error", a.ClientID)
		}
	}
}

// Changing an app's key URL (or re-uploading it) drops the cache, so new keys count at once.
func TestSetKeysDropsCache(t *testing.T) {
	k := keysOnce()
	f := newFixture(t, Options{})
	srv := newJWKSServer(t, set(jwk(t, &k.rsa.PublicKey, "r1", "", "")), "max-age=3600")
	u := srv.URL + "/jwks"
	c := f.create(f.keyA, map[string]any{"name": "u", "auth_method": "private_key_jwt", "jwks_url": u})
	app := mustClient(t, f.reg, c.App.ClientID)
	if _, err := f.reg.PublicKeys(context.Background(), app, false); err != nil {
		t.Fatal(err)
	}
	srv.set(t, set(jwk(t, &k.rsa2.PublicKey, "r2", "", "")))
	if res := f.do("PUT", BasePath+"/"+app.ClientID+"/keys", f.keyA, map[string]any{"jwks_url": u}); res.status != http.StatusOK {
		t.Fatalf("%d %s", res.status, res.body)
	}
	ks, err := f.reg.PublicKeys(context.Background(), mustClient(t, f.reg, app.ClientID), false)
	if err != nil || len(ks.Key("r2")) != 1 {
		t.Errorf("after re-registering the URL: %+v, %v", ks, err)
	}
}

func TestCacheTTL(t *testing.T) {
	const def = 5 * time.Minute
	tests := []struct {
		cc   []string
		want time.Duration
	}{
		{nil, def},
		{[]string{"max-age=120"}, 2 * time.Minute},
		{[]string{"public", "max-age=120"}, 2 * time.Minute},
		{[]string{"Max-Age=120, must-revalidate"}, 2 * time.Minute},
		{[]string{"max-age=999999999"}, MaxTTL},
		{[]string{"max-age=-5"}, def},
		{[]string{"no-store"}, 0},
		{[]string{"max-age=60, NO-STORE"}, 0},
		{[]string{"no-cache"}, 0},
		{[]string{"max-age=0"}, 0},
		{[]string{"private"}, def},
	}
	for _, tt := range tests {
		h := http.Header{}
		for _, v := range tt.cc {
			h.Add("Cache-Control", v)
		}
		if got := cacheTTL(h, def); got != tt.want {
			t.Errorf("cacheTTL(%q) = %s, want %s", tt.cc, got, tt.want)
		}
	}
}
