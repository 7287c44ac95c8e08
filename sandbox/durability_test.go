package sandbox_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	_ "modernc.org/sqlite"

	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox"
)

// killCycles is how many kill-and-restart cycles TestKillDurability runs: 3 by default (a few
// seconds), LHCR_KILL_CYCLES for CI's long loop (.ci/killtest.sh runs 20).
func killCycles(t *testing.T) int {
	if s := os.Getenv("LHCR_KILL_CYCLES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("LHCR_KILL_CYCLES=%q: want a positive number", s)
		}
		return n
	}
	return 3
}

// sandboxProcess is a running lhcr-sandbox binary.
type sandboxProcess struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:PORT
}

const (
	durableClientID = "durable-app"
	durableJWTApp   = "durable-jwt-app"
	durableSecret   = "durable-secret-0123456789abcdefghijklmnopqrstuvwxyz"
	durableAPIKey   = "durable-api-key-0123456789abcdefghijklmnopqrstuvwxyz"
)

func startSandboxProcess(t *testing.T, bin, db, jwksFile string, stderr io.Writer) *sandboxProcess {
	t.Helper()
	cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--db", db, "--patients", "0", "--log-level", "warn")
	cmd.Env = append(os.Environ(),
		"LHCR_TEST_CLIENT_ID="+durableClientID, "LHCR_TEST_CLIENT_SECRET="+durableSecret,
		"LHCR_DEVELOPER_API_KEY="+durableAPIKey,
		"LHCR_TEST_JWT_CLIENT_ID="+durableJWTApp, "LHCR_TEST_CLIENT_JWKS="+jwksFile,
		"LHCR_RATE_LIMIT=0") // no per-app rate limit: the verification reads thousands of resources
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "FHIR base URL"); ok {
				found <- strings.TrimSuffix(strings.TrimSpace(rest), "/fhir/R4")
			}
		}
		close(found)
	}()
	select {
	case base, ok := <-found:
		if !ok {
			cmd.Wait()
			t.Fatalf("lhcr-sandbox exited before its banner")
		}
		return &sandboxProcess{cmd: cmd, base: base}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("lhcr-sandbox printed no banner within a minute")
	}
	return nil
}

func (p *sandboxProcess) kill() {
	p.cmd.Process.Kill() // SIGKILL on Unix: no shutdown, no checkpoint
	p.cmd.Wait()
}

// integrityCheckFile runs PRAGMA integrity_check on a database no process has open.
func integrityCheckFile(t *testing.T, db string) {
	t.Helper()
	conn, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var res string
	if err := conn.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check after a kill: %q %v", res, err)
	}
}

// acked is what the sandbox acknowledged before it was killed, and so must keep.
type acked struct {
	mu         sync.Mutex
	patients   []string    // ids of created patients
	apps       [][2]string // client id, secret
	assertions []string    // accepted client assertions: their jti is used
}

// TestKillDurability runs writes, app registrations and token requests against the real
// lhcr-sandbox binary, kills it with SIGKILL at a random moment, restarts it on the same
// database, and checks that everything acknowledged is there, every used jti is still refused
// and the database is intact.
func TestKillDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and repeatedly kills the lhcr-sandbox binary; not in -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "lhcr-sandbox")
	build := exec.Command("go", "build", "-o", bin, "github.com/gm-lhcr/lhcr/cmd/lhcr-sandbox")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "ES384", Use: "sig"}}})
	jwksFile := filepath.Join(dir, "jwks.json")
	if err := os.WriteFile(jwksFile, jwks, 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "durable.db")
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("LHCR_KILL_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("LHCR_KILL_SEED=%d", seed)
	rnd := mrand.New(mrand.NewPCG(seed, 1))
	stderr, err := os.Create(filepath.Join(dir, "stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	hc := &http.Client{Timeout: 10 * time.Second}
	var got acked
	var serial atomic.Int64

	for cycle := range killCycles(t) {
		p := startSandboxProcess(t, bin, db, jwksFile, stderr)
		if cycle > 0 {
			verifyAcked(t, hc, p.base, key, &got)
		}
		tokenURL := p.base + "/oauth2/token"
		bearer := durableToken(t, hc, tokenURL)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := range 6 {
			wg.Go(func() {
				for ctx.Err() == nil {
					n := serial.Add(1)
					switch w % 3 {
					case 0, 1: // create a patient
						body := mustJSONString(patientRes(nhsNumber(int(100000+n)), fmt.Sprint("Durable", n), "Kill"))
						status, h, _ := procSend(ctx, hc, "POST", p.base+"/fhir/R4/Patient", body, "Content-Type", "application/fhir+json", "Authorization", "Bearer "+bearer)
						if status == 201 {
							id := strings.Split(strings.TrimPrefix(h.Get("Location"), p.base+"/fhir/R4/Patient/"), "/")[0]
							got.mu.Lock()
							got.patients = append(got.patients, id)
							got.mu.Unlock()
						}
					case 2: // register an app, then sign an assertion
						status, _, b := procSend(ctx, hc, "POST", p.base+"/developer/v1/apps", fmt.Sprintf(`{"name":"durable %d","scopes":["system/*.rs"]}`, n),
							"Content-Type", "application/json", "X-API-Key", durableAPIKey)
						var c api.AppCredentials
						if status == 201 && json.Unmarshal(b, &c) == nil && c.ClientSecret != nil {
							got.mu.Lock()
							got.apps = append(got.apps, [2]string{c.App.ClientID, *c.ClientSecret})
							got.mu.Unlock()
						}
						a := signedAssertion(t, key, durableJWTApp, tokenURL, fmt.Sprint("durable-jti-", seed, "-", n))
						if status, _, _ := procSend(ctx, hc, "POST", tokenURL, assertionForm(a).Encode(), "Content-Type", "application/x-www-form-urlencoded"); status == 200 {
							got.mu.Lock()
							got.assertions = append(got.assertions, a)
							got.mu.Unlock()
						}
					}
				}
			})
		}
		time.Sleep(time.Duration(50+rnd.IntN(450)) * time.Millisecond)
		p.kill() // in the middle of the load
		cancel()
		wg.Wait()
		integrityCheckFile(t, db)
		got.mu.Lock()
		t.Logf("cycle %d: %d patients, %d apps, %d assertions acknowledged so far", cycle, len(got.patients), len(got.apps), len(got.assertions))
		got.mu.Unlock()
	}
	p := startSandboxProcess(t, bin, db, jwksFile, stderr)
	defer p.kill()
	verifyAcked(t, hc, p.base, key, &got)
	if len(got.patients) == 0 || len(got.apps) == 0 || len(got.assertions) == 0 {
		t.Errorf("the load acknowledged too little to prove anything: %d patients, %d apps, %d assertions", len(got.patients), len(got.apps), len(got.assertions))
	}
}

// verifyAcked checks everything acknowledged so far against a restarted sandbox.
func verifyAcked(t *testing.T, hc *http.Client, base string, key *ecdsa.PrivateKey, got *acked) {
	t.Helper()
	got.mu.Lock()
	defer got.mu.Unlock()
	ctx := context.Background()
	bearer := durableToken(t, hc, base+"/oauth2/token")
	jobs := make(chan func(), 64)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for j := range jobs {
				j()
			}
		})
	}
	for _, id := range got.patients {
		jobs <- func() {
			status, h, b := procSend(ctx, hc, "GET", base+"/fhir/R4/Patient/"+id, "", "Authorization", "Bearer "+bearer)
			for try := 0; status == 429 && try < 20; try++ { // rate-limited after all: wait as told
				secs, _ := strconv.Atoi(h.Get("Retry-After"))
				time.Sleep(time.Duration(min(max(secs, 1), 2)) * time.Second)
				status, h, b = procSend(ctx, hc, "GET", base+"/fhir/R4/Patient/"+id, "", "Authorization", "Bearer "+bearer)
			}
			if status != 200 {
				t.Errorf("acknowledged Patient/%s lost: %d %.200s", id, status, b)
			}
		}
	}
	for _, app := range got.apps {
		jobs <- func() {
			form := url.Values{"grant_type": {"client_credentials"}, "client_id": {app[0]}, "client_secret": {app[1]}}
			if status, _, b := procSend(ctx, hc, "POST", base+"/oauth2/token", form.Encode(), "Content-Type", "application/x-www-form-urlencoded"); status != 200 {
				t.Errorf("acknowledged app %s lost: %d %.200s", app[0], status, b)
			}
		}
	}
	// A replay is refused 401 (jti used before) or, once the token endpoint's brute-force guard
	// has counted enough of those failures, 429; never 200.
	var refused401 atomic.Int32
	for _, a := range got.assertions {
		jobs <- func() {
			status, _, b := procSend(ctx, hc, "POST", base+"/oauth2/token", assertionForm(a).Encode(), "Content-Type", "application/x-www-form-urlencoded")
			switch status {
			case 401:
				refused401.Add(1)
			case 429:
			default:
				t.Errorf("a used jti after a crash: %d %.200s, want 401", status, b)
			}
		}
	}
	close(jobs)
	wg.Wait()
	if len(got.assertions) > 0 && refused401.Load() == 0 {
		t.Errorf("no replayed assertion was checked (all %d answered 429)", len(got.assertions))
	}
	if t.Failed() {
		t.FailNow()
	}
}

func durableToken(t *testing.T, hc *http.Client, tokenURL string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {durableClientID}, "client_secret": {durableSecret}}
	status, _, b := procSend(context.Background(), hc, "POST", tokenURL, form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if status != 200 || json.Unmarshal(b, &tok) != nil {
		t.Fatalf("token: %d %s", status, b)
	}
	return tok.AccessToken
}

func signedAssertion(t testing.TB, key *ecdsa.PrivateKey, clientID, aud, jti string) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES384, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		t.Error(err)
		return ""
	}
	a, err := jwt.Signed(signer).Claims(jwt.Claims{Issuer: clientID, Subject: clientID, Audience: jwt.Audience{aud},
		Expiry: jwt.NewNumericDate(time.Now().Add(5 * time.Minute)), ID: jti}).Serialize()
	if err != nil {
		t.Error(err)
	}
	return a
}

func assertionForm(a string) url.Values {
	return url.Values{"grant_type": {"client_credentials"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {a}}
}

// procSend makes one request; a transport error (the process was killed) is status 0.
func procSend(ctx context.Context, hc *http.Client, method, target, body string, header ...string) (int, http.Header, []byte) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return 0, nil, nil
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, nil // a half-read answer is not an acknowledgement
	}
	return resp.StatusCode, resp.Header, b
}

// 50 writers update the same resources with If-Match: every update that succeeded is in the
// final resource (no lost update), the losers get 412, and nothing fails otherwise.
func TestConcurrentIfMatch(t *testing.T) {
	var logs logSink
	ts := newTestServer(t, sandbox.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ids := make([]string, 3)
	for i := range ids {
		ids[i] = ts.create(t, patientRes(nhsNumber(700+i), "Contended", "Start"))
	}
	type win struct{ id, marker string }
	var mu sync.Mutex
	var wins []win
	var conflicts atomic.Int32
	var wg sync.WaitGroup
	for w := range 50 {
		wg.Go(func() {
			for k := range 3 {
				id := ids[(w+k)%len(ids)]
				marker := fmt.Sprintf("w%dk%d", w, k)
				for attempt := 0; ; attempt++ {
					if attempt == 200 {
						t.Errorf("%s: no update after 200 attempts", marker)
						return
					}
					status, h, b := ts.do(t, "GET", "/fhir/R4/Patient/"+id, "")
					if status != 200 {
						t.Errorf("read: %d %s", status, b)
						return
					}
					var p map[string]any
					json.Unmarshal(b, &p)
					name := p["name"].([]any)[0].(map[string]any)
					name["given"] = append(name["given"].([]any), marker)
					status, _, b = ts.do(t, "PUT", "/fhir/R4/Patient/"+id, mustJSONString(p), "If-Match", h.Get("ETag"))
					if status == 412 {
						conflicts.Add(1)
						continue
					}
					if status != 200 {
						t.Errorf("update: %d %s", status, b)
						return
					}
					mu.Lock()
					wins = append(wins, win{id, marker})
					mu.Unlock()
					break
				}
			}
		})
	}
	wg.Wait()
	for _, id := range ids {
		status, h, b := ts.do(t, "GET", "/fhir/R4/Patient/"+id, "")
		if status != 200 {
			t.Fatalf("read: %d %s", status, b)
		}
		var p api.Patient
		json.Unmarshal(b, &p)
		given := map[string]bool{}
		for _, g := range p.Name[0].Given {
			given[g] = true
		}
		n := 0
		for _, w := range wins {
			if w.id == id {
				n++
				if !given[w.marker] {
					t.Errorf("lost update %s on %s", w.marker, id)
				}
			}
		}
		if want := fmt.Sprintf(`W/"%d"`, n+1); h.Get("ETag") != want {
			t.Errorf("%s: ETag %s after %d updates, want %s", id, h.Get("ETag"), n, want)
		}
	}
	if len(wins) != 150 {
		t.Errorf("%d updates succeeded, want 150", len(wins))
	}
	t.Logf("%d conflicts answered 412", conflicts.Load())
	if strings.Contains(logs.String(), "database is locked") || strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("errors in the logs: %.2000s", logs.String())
	}
}

// 50 concurrent app registrations and 200 concurrent token requests: no 5xx, no "database is
// locked", every registration usable.
func TestConcurrentRegistrationsAndTokens(t *testing.T) {
	var logs logSink
	ts := newTestServer(t, sandbox.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	creds := ts.sb.Credentials()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var apps [][2]string
	for i := range 50 {
		wg.Go(func() {
			status, b := ts.devAPI(t, "POST", "/developer/v1/apps", fmt.Sprintf(`{"name":"concurrent %d","scopes":["system/*.rs"]}`, i))
			var c api.AppCredentials
			if status != 201 || json.Unmarshal(b, &c) != nil || c.ClientSecret == nil {
				t.Errorf("register %d: %d %s", i, status, b)
				return
			}
			mu.Lock()
			apps = append(apps, [2]string{c.App.ClientID, *c.ClientSecret})
			mu.Unlock()
		})
	}
	for i := range 200 {
		wg.Go(func() {
			form := url.Values{"grant_type": {"client_credentials"}}
			if i%2 == 1 {
				form.Set("client_id", creds.ClientID)
				form.Set("client_secret", creds.ClientSecret)
				if status, body := ts.token(t, form); status != 200 {
					t.Errorf("token %d: %d %v", i, status, body)
				}
				return
			}
			if status, body := ts.token(t, form, creds.ClientID, creds.ClientSecret); status != 200 {
				t.Errorf("token %d: %d %v", i, status, body)
			}
		})
	}
	wg.Wait()
	for _, a := range apps {
		if status, body := ts.token(t, url.Values{"grant_type": {"client_credentials"}}, a[0], a[1]); status != 200 {
			t.Errorf("app %s: %d %v", a[0], status, body)
		}
	}
	if strings.Contains(logs.String(), "database is locked") || strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("errors in the logs: %.2000s", logs.String())
	}
}
