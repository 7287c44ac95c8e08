package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gm-lhcr/lhcr/sandbox"
)

// This file holds what the portal tests share: a sandbox behind a real HTTP server, and
// browser-like clients (a cookie jar, forms with their CSRF token) that sign in to it.

// portalServer is a sandbox with a few synthetic patients behind an httptest server.
type portalServer struct {
	*httptest.Server
	sb *sandbox.Sandbox
}

// storyPatient is a patient every seeded sandbox holds (docs/sandbox-data.md).
const storyPatient = "story-diabetes"

func newPortalServer(t testing.TB, cfg sandbox.Config) *portalServer {
	t.Helper()
	if cfg.DBPath == "" && !cfg.InMemory {
		cfg.DBPath = t.TempDir() + "/sandbox.db"
	}
	if cfg.Patients == 0 {
		cfg.Patients = 5
	}
	srv := httptest.NewUnstartedServer(nil)
	cfg.PublicURL = "http://" + srv.Listener.Addr().String()
	sb, err := sandbox.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = sb
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		sb.Close()
	})
	return &portalServer{Server: srv, sb: sb}
}

// signInLink is the one-time link the banner prints.
func (ps *portalServer) signInLink(t testing.TB) string {
	t.Helper()
	m := regexp.MustCompile(`Sign in \(once\)\s+(\S+)`).FindStringSubmatch(ps.sb.Banner(ps.URL))
	if m == nil {
		t.Fatalf("the banner prints no sign-in link:\n%s", ps.sb.Banner(ps.URL))
	}
	return m[1]
}

// webClient is an HTTP client with a cookie jar, as a browser without JavaScript is.
type webClient struct {
	t    testing.TB
	ps   *portalServer
	c    *http.Client
	csrf string // the CSRF token of the last page read
}

func (ps *portalServer) browser(t testing.TB) *webClient {
	jar, _ := cookiejar.New(nil)
	return &webClient{t: t, ps: ps, c: &http.Client{Jar: jar}}
}

// signedIn is a browser signed in with a fresh banner link (as the local developer).
func (ps *portalServer) signedIn(t testing.TB) *webClient {
	t.Helper()
	b := ps.browser(t)
	if res := b.get(ps.signInLink(t)); res.status != http.StatusOK || !strings.Contains(res.body, "Your apps") {
		t.Fatalf("sign-in link: %d\n%s", res.status, res.body)
	}
	return b
}

type page struct {
	status int
	header http.Header
	url    string // after redirects
	body   string
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *webClient) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindSubmatch(body); m != nil {
		b.csrf = html.UnescapeString(string(m[1]))
	}
	return page{status: resp.StatusCode, header: resp.Header, url: resp.Request.URL.String(), body: string(body)}
}

func (b *webClient) url(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return b.ps.URL + path
}

func (b *webClient) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.url(path), nil)
	return b.do(req)
}

// post submits a form with the CSRF token of the last page read (unless form sets "csrf",
// or noCSRF is given).
func (b *webClient) post(path string, form url.Values) page {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	if form.Get("csrf") == "-" {
		form.Del("csrf")
	}
	req, _ := http.NewRequest(http.MethodPost, b.url(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// register registers an app through the portal's form and returns its client id and secret.
func (b *webClient) register(form url.Values) (clientID, secret string) {
	b.t.Helper()
	b.get("/portal/apps/new")
	res := b.post("/portal/apps", form)
	if res.status != http.StatusCreated {
		b.t.Fatalf("register: %d\n%s", res.status, res.body)
	}
	if m := regexp.MustCompile(`id="client-id">([^<]+)<`).FindStringSubmatch(res.body); m != nil {
		clientID = m[1]
	}
	if m := regexp.MustCompile(`id="client-secret" class="secret">([^<]+)<`).FindStringSubmatch(res.body); m != nil {
		secret = m[1]
	}
	if clientID == "" {
		b.t.Fatalf("no client id on the credentials page:\n%s", res.body)
	}
	return clientID, secret
}

// token asks the token endpoint for a token with a client secret: the status and the token.
func (ps *portalServer) token(t testing.TB, clientID, secret string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, ps.URL+"/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	return resp.StatusCode, tok.AccessToken
}

// fhirGet reads path with a bearer token: the status and the X-Request-ID.
func (ps *portalServer) fhirGet(t testing.TB, token, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, ps.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("X-Request-ID")
}

// postMultipart submits a multipart form with fields and one file.
func (b *webClient) postMultipart(path string, fields map[string]string, fileField, fileName, content string) page {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile(fileField, fileName)
	if err != nil {
		b.t.Fatal(err)
	}
	io.WriteString(fw, content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.url(path), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}
