package sandbox_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/gm-lhcr/lhcr/sandbox"
)

// These tests drive the portal as a browser without JavaScript does (forms, cookies,
// redirects); portal_browser_test.go drives it in headless Chromium.

// TestPortalSignInLink: the banner's link signs in once, as the local developer, in a new
// session; signing out ends that session.
func TestPortalSignInLink(t *testing.T) {
	ps := newPortalServer(t, sandbox.Config{})
	link := ps.signInLink(t)
	if !strings.HasPrefix(link, ps.URL+"/portal/signin/link?token=") {
		t.Fatalf("link = %s", link)
	}
	b := ps.browser(t)
	if res := b.get("/portal/apps"); !strings.HasSuffix(res.url, "/portal/signin") {
		t.Fatalf("signed out, /portal/apps went to %s", res.url)
	}
	anon := cookieValue(b, ps)
	res := b.get(link)
	if res.status != 200 || !strings.HasSuffix(res.url, "/portal/apps") || !strings.Contains(res.body, "Sandbox test app") || !strings.Contains(res.body, "local developer") {
		t.Fatalf("sign-in: %d at %s\n%s", res.status, res.url, res.body)
	}
	if c := cookieValue(b, ps); c == "" || c == anon {
		t.Error("signing in kept the anonymous session's id (session fixation)")
	}
	if again := ps.browser(t).get(link); again.status != http.StatusNotFound || !strings.Contains(again.body, "cannot be used") {
		t.Errorf("the link worked twice: %d", again.status)
	}
	old := cookieValue(b, ps)
	if res := b.post("/portal/signout", nil); !strings.HasSuffix(res.url, "/portal/signin") {
		t.Fatalf("sign-out went to %s", res.url)
	}
	replay := ps.browser(t)
	u, _ := url.Parse(ps.URL + "/portal/")
	replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: "lhcr_portal", Value: old}})
	if res := replay.get("/portal/apps"); !strings.HasSuffix(res.url, "/portal/signin") {
		t.Error("the session cookie still works after signing out")
	}
}

func cookieValue(b *webClient, ps *portalServer) string {
	u, _ := url.Parse(ps.URL + "/portal/")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "lhcr_portal" {
			return c.Value
		}
	}
	return ""
}

// TestPortalSignInWithAPIKey: the banner's developer API key signs in too; a wrong one does not.
func TestPortalSignInWithAPIKey(t *testing.T) {
	ps := newPortalServer(t, sandbox.Config{})
	b := ps.browser(t)
	b.get("/portal/signin")
	if res := b.post("/portal/signin", url.Values{"method": {"key"}, "api_key": {"not-a-key"}}); res.status != http.StatusUnauthorized {
		t.Errorf("a wrong key: %d", res.status)
	}
	res := b.post("/portal/signin", url.Values{"method": {"key"}, "api_key": {ps.sb.Credentials().DeveloperAPIKey}})
	if !strings.HasSuffix(res.url, "/portal/apps") || !strings.Contains(res.body, "Sandbox test app") {
		t.Fatalf("sign-in with the key: %d at %s", res.status, res.url)
	}
}

// TestPortalAccounts: in accounts mode a developer signs up (and sees their API key once),
// signs out and in with the password; wrong passwords and duplicate emails are refused.
func TestPortalAccounts(t *testing.T) {
	ps := newPortalServer(t, sandbox.Config{Accounts: true})
	b := ps.browser(t)
	b.get("/portal/signup")
	const email, password = "dev@example.org", "correct horse battery staple"
	for _, tc := range []struct {
		name string
		form url.Values
	}{
		{"bad email", url.Values{"email": {"not an email"}, "password": {password}, "confirm": {password}}},
		{"short password", url.Values{"email": {email}, "password": {"short"}, "confirm": {"short"}}},
		{"passwords differ", url.Values{"email": {email}, "password": {password}, "confirm": {password + "!"}}},
	} {
		if res := b.post("/portal/signup", tc.form); res.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", tc.name, res.status)
		}
	}
	res := b.post("/portal/signup", url.Values{"email": {email}, "password": {password}, "confirm": {password}})
	if res.status != http.StatusCreated {
		t.Fatalf("sign-up: %d\n%s", res.status, res.body)
	}
	key := regexp.MustCompile(`id="api-key" class="secret">([^<]+)<`).FindStringSubmatch(res.body)
	if key == nil {
		t.Fatalf("no API key on the welcome page:\n%s", res.body)
	}
	req, _ := http.NewRequest(http.MethodGet, ps.URL+"/developer/v1/apps", nil)
	req.Header.Set("X-API-Key", key[1])
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("the new API key on the developer API: %v %v", resp.StatusCode, err)
	}
	if res := b.get("/portal/apps"); !strings.Contains(res.body, "You have no apps yet") || !strings.Contains(res.body, email) {
		t.Errorf("the new developer's apps page:\n%s", res.body)
	}
	b.post("/portal/signout", nil)

	other := ps.browser(t)
	other.get("/portal/signup")
	if res := other.post("/portal/signup", url.Values{"email": {"DEV@example.org"}, "password": {password}, "confirm": {password}}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("a second account with the same email (other case): %d", res.status)
	}
	b.get("/portal/signin")
	if res := b.post("/portal/signin", url.Values{"email": {email}, "password": {"wrong password!!"}}); res.status != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", res.status)
	}
	if res := b.post("/portal/signin", url.Values{"email": {"nobody@example.org"}, "password": {password}}); res.status != http.StatusUnauthorized {
		t.Errorf("unknown email: %d", res.status)
	}
	if res := b.post("/portal/signin", url.Values{"email": {email}, "password": {password}}); !strings.HasSuffix(res.url, "/portal/apps") {
		t.Errorf("sign-in with the password went to %s (%d)", res.url, res.status)
	}
	if res := ps.browser(t).get("/portal/signup"); res.status != 200 {
		t.Errorf("sign-up page: %d", res.status)
	}
	local := newPortalServer(t, sandbox.Config{})
	if res := local.browser(t).get("/portal/signup"); res.status != http.StatusNotFound {
		t.Errorf("sign-up without accounts mode: %d", res.status)
	}
}

// TestPortalAppLifecycle: register, use, read the log, rotate, delete — without a browser.
func TestPortalAppLifecycle(t *testing.T) {
	ps := newPortalServer(t, sandbox.Config{})
	b := ps.signedIn(t)
	id, secret := b.register(url.Values{"name": {"Clinic dashboard"}, "description": {"Reads patients"}, "auth_method": {"client_secret"}, "scopes": {"system/Patient.rs"}})
	if len(secret) != 43 {
		t.Fatalf("secret %q", secret)
	}
	status, tok := ps.token(t, id, secret)
	if status != 200 {
		t.Fatalf("token: %d", status)
	}
	if st, _ := ps.fhirGet(t, tok, "/fhir/R4/Patient/"+storyPatient); st != 200 {
		t.Fatalf("read: %d", st)
	}
	st, rid := ps.fhirGet(t, tok, "/fhir/R4/Observation?patient="+storyPatient)
	if st != http.StatusForbidden {
		t.Fatalf("a read outside the scopes: %d", st)
	}
	log := b.get("/portal/apps/" + id + "/requests")
	if !strings.Contains(log.body, "/fhir/R4/Patient/"+storyPatient) || !strings.Contains(log.body, "/oauth2/token") {
		t.Errorf("the log lacks the requests:\n%s", log.body)
	}
	if i, j := strings.Index(log.body, "/fhir/R4/Observation"), strings.Index(log.body, "/fhir/R4/Patient/"); i > j {
		t.Error("the log is not newest first")
	}
	only4xx := b.get("/portal/apps/" + id + "/requests?status=4xx")
	if !strings.Contains(only4xx.body, "/fhir/R4/Observation") || strings.Contains(only4xx.body, "/fhir/R4/Patient/") {
		t.Errorf("the 4xx filter:\n%s", only4xx.body)
	}
	detail := b.get("/portal/apps/" + id + "/requests/" + rid)
	if detail.status != 200 || !strings.Contains(detail.body, "OperationOutcome") || !strings.Contains(detail.body, "forbidden") {
		t.Errorf("the 403's page: %d\n%s", detail.status, detail.body)
	}
	// A request id of the client's choosing, with characters that need escaping in a URL.
	req, _ := http.NewRequest(http.MethodGet, ps.URL+"/fhir/R4/Patient/no-such-patient", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("X-Request-ID", "trace/1?&<x>#")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 404 {
		t.Fatalf("a 404 with my request id: %v", err)
	}
	log = b.get("/portal/apps/" + id + "/requests")
	link := regexp.MustCompile(`href="(/portal/apps/[^"]+/requests/trace[^"]+)"`).FindStringSubmatch(log.body)
	if link == nil {
		t.Fatalf("no link to the request trace/1:\n%s", log.body)
	}
	if res := b.get(html.UnescapeString(link[1])); res.status != 200 || !strings.Contains(res.body, "trace/1?&amp;&lt;x&gt;#") || !strings.Contains(res.body, "not-found") {
		t.Errorf("the request trace/1: %d %s\n%s", res.status, link[1], res.body)
	}
	b.get("/portal/apps/" + id)
	rot := b.post("/portal/apps/"+id+"/secret", nil)
	m := regexp.MustCompile(`id="client-secret" class="secret">([^<]+)<`).FindStringSubmatch(rot.body)
	if rot.status != 200 || m == nil || m[1] == secret {
		t.Fatalf("rotate: %d\n%s", rot.status, rot.body)
	}
	if st, _ := ps.token(t, id, secret); st != http.StatusUnauthorized {
		t.Errorf("the old secret after rotation: %d", st)
	}
	if st, _ := ps.token(t, id, m[1]); st != 200 {
		t.Errorf("the new secret: %d", st)
	}
	b.get("/portal/apps/" + id + "/delete")
	if res := b.post("/portal/apps/"+id+"/delete", url.Values{"confirm": {"wrong"}}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("delete without the right confirmation: %d", res.status)
	}
	if res := b.post("/portal/apps/"+id+"/delete", url.Values{"confirm": {id}}); !strings.HasSuffix(res.url, "/portal/apps") || !strings.Contains(res.body, "was deleted") {
		t.Errorf("delete: %d at %s", res.status, res.url)
	}
	if st, _ := ps.token(t, id, m[1]); st != http.StatusUnauthorized {
		t.Errorf("a deleted app's secret: %d", st)
	}
}

// TestPortalRegisterValidation: the form is validated as the developer API is, and a refused
// form is shown again with the error and the values kept.
func TestPortalRegisterValidation(t *testing.T) {
	ps := newPortalServer(t, sandbox.Config{})
	b := ps.signedIn(t)
	jwks := signedJWTKeys(t)
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"no name", url.Values{"name": {" "}}, 422, "must not be empty"},
		{"bad scope", url.Values{"name": {"x"}, "scopes": {"system/Patient.rs patient/*.read"}}, 422, "scopes[1]"},
		{"JWT without keys", url.Values{"name": {"x"}, "auth_method": {"private_key_jwt"}}, 422, "needs public keys"},
		{"JWKS not JSON", url.Values{"name": {"x"}, "auth_method": {"private_key_jwt"}, "jwks": {"{nope"}}, 422, "not valid JSON"},
		{"http JWKS URL", url.Values{"name": {"x"}, "auth_method": {"private_key_jwt"}, "jwks_url": {"http://example.org/jwks"}}, 422, "https"},
		{"JWT app", url.Values{"name": {"Signed"}, "auth_method": {"private_key_jwt"}, "jwks": {jwks}}, 201, "has no secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b.get("/portal/apps/new")
			res := b.post("/portal/apps", tc.form)
			if res.status != tc.status || !strings.Contains(res.body, tc.want) {
				t.Fatalf("%d, want %d with %q\n%s", res.status, tc.status, tc.want, res.body)
			}
			if tc.status == 422 && !strings.Contains(res.body, `aria-invalid="true"`) {
				t.Error("the field at fault is not marked")
			}
		})
	}
}

// signedJWTKeys is a public JWKS with one EC P-384 key, made once per test binary.
func signedJWTKeys(t testing.TB) string {
	t.Helper()
	s, err := testJWKS()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var testJWKS = sync.OnceValues(func() (string, error) {
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.PublicKey, KeyID: "k1", Algorithm: "ES384", Use: "sig"}}})
	return string(b), err
})

// TestPortalCSRF: every form refuses a missing or foreign CSRF token with 403 and changes nothing.
func TestPortalCSRF(t *testing.T) {
	ps := newPortalServer(t, sandbox.Config{Accounts: true})
	b := ps.signedIn(t)
	id, secret := b.register(url.Values{"name": {"Target"}})
	other := ps.signedIn(t) // another session of the same developer: a different token
	other.get("/portal/apps")
	for _, path := range []string{"/portal/apps", "/portal/apps/" + id + "/secret", "/portal/apps/" + id + "/keys",
		"/portal/apps/" + id + "/delete", "/portal/signout", "/portal/signin", "/portal/signup"} {
		for _, token := range []string{"-", "", "forged", other.csrf} {
			t.Run(path+" "+token, func(t *testing.T) {
				res := b.post(path, url.Values{"csrf": {token}, "name": {"x"}, "confirm": {id}, "jwks_url": {"https://example.org/j"},
					"api_key": {ps.sb.Credentials().DeveloperAPIKey}, "email": {"a@example.org"}, "password": {"long enough password"}})
				if res.status != http.StatusForbidden || !strings.Contains(res.header.Get("Content-Type"), "text/html") {
					t.Fatalf("%d %s", res.status, res.header.Get("Content-Type"))
				}
			})
		}
	}
	if st, _ := ps.token(t, id, secret); st != 200 {
		t.Errorf("the app changed: token %d", st)
	}
	if res := b.get("/portal/apps"); strings.Count(res.body, "/portal/apps/app_") != 1 || !strings.Contains(res.body, "Sign out") {
		t.Errorf("apps or session changed:\n%s", res.body)
	}
}

// TestPortalOtherDevelopersApp: developer B gets, for each of A's apps and on every page and
// form, the 404 an unknown client id gets, and A's app is unchanged.
func TestPortalOtherDevelopersApp(t *testing.T) {
	ps := newPortalServer(t, sandbox.Config{Accounts: true})
	a := ps.signedIn(t)
	id, secret := a.register(url.Values{"name": {"A's app"}})
	jwtID, _ := a.register(url.Values{"name": {"A's JWT app"}, "auth_method": {"private_key_jwt"}, "jwks": {signedJWTKeys(t)}})
	ps.token(t, id, secret) // a log entry
	b := ps.browser(t)
	b.get("/portal/signup")
	if res := b.post("/portal/signup", url.Values{"email": {"b@example.org"}, "password": {"b's long password"}, "confirm": {"b's long password"}}); res.status != 201 {
		t.Fatalf("sign-up: %d", res.status)
	}
	const unknown = "app_aaaaaaaaaaaaaaaaaaaa"
	for _, target := range []string{id, jwtID} {
		for _, rt := range []struct{ method, path string }{
			{"GET", "/portal/apps/%s"}, {"GET", "/portal/apps/%s/keys"}, {"GET", "/portal/apps/%s/delete"},
			{"GET", "/portal/apps/%s/requests"}, {"GET", "/portal/apps/%s/requests/anything"},
			{"POST", "/portal/apps/%s/secret"}, {"POST", "/portal/apps/%s/keys"}, {"POST", "/portal/apps/%s/delete"},
		} {
			t.Run(rt.method+" "+fmt.Sprintf(rt.path, target), func(t *testing.T) {
				send := func(app string) page {
					path := fmt.Sprintf(rt.path, app)
					if rt.method == "GET" {
						return b.get(path)
					}
					b.get("/portal/apps")
					return b.post(path, url.Values{"confirm": {app}, "jwks_url": {"https://attacker.example/jwks"}})
				}
				res, ref := send(target), send(unknown)
				if res.status != http.StatusNotFound || ref.status != http.StatusNotFound {
					t.Fatalf("status %d (an unknown id: %d)", res.status, ref.status)
				}
				if strings.Contains(res.body, "A&#39;s") || strings.Contains(res.body, "A's") {
					t.Error("the 404 page names A's app")
				}
			})
		}
	}
	if res := b.get("/portal/apps"); strings.Contains(res.body, id) {
		t.Error("B's list shows A's app")
	}
	if st, _ := ps.token(t, id, secret); st != 200 {
		t.Errorf("A's secret: %d", st)
	}
	if res := a.get("/portal/apps/" + jwtID); !strings.Contains(res.body, `&#34;kid&#34;: &#34;k1&#34;`) {
		t.Error("A's JWT app's keys changed")
	}
}

// TestPortalCookieFlags: the session cookie is HttpOnly, SameSite=Lax and scoped to /portal,
// and Secure when the request came over HTTPS (or the public URL is https).
func TestPortalCookieFlags(t *testing.T) {
	for _, tc := range []struct {
		name, target, publicURL string
		secure                  bool
	}{
		{"http", "http://sandbox.test", "", false},
		{"https request", "https://sandbox.test", "", true},
		{"https public URL", "http://sandbox.test", "https://sandbox.example.org", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb, err := sandbox.New(t.Context(), sandbox.Config{InMemory: true, PublicURL: tc.publicURL})
			if err != nil {
				t.Fatal(err)
			}
			defer sb.Close()
			link := regexp.MustCompile(`Sign in \(once\)\s+\S+(/portal/\S+)`).FindStringSubmatch(sb.Banner(tc.target))
			for _, path := range []string{"/portal/signin", link[1]} {
				rec := httptest.NewRecorder()
				sb.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.target+path, nil))
				cookies := rec.Result().Cookies()
				if len(cookies) != 1 {
					t.Fatalf("%s sets %d cookies", path, len(cookies))
				}
				c := cookies[0]
				if c.Name != "lhcr_portal" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/portal" || c.Secure != tc.secure || len(c.Value) < 43 {
					t.Errorf("%s: cookie %+v", path, c)
				}
			}
		})
	}
}

// TestPortalXSS: an app name and description holding markup are escaped on every page that
// shows them.
func TestPortalXSS(t *testing.T) {
	ps := newPortalServer(t, sandbox.Config{})
	b := ps.signedIn(t)
	const payload = `<script>alert(1)</script><img src=x onerror=alert(2)>"'&`
	const escaped = `&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&#34;&#39;&amp;`
	b.get("/portal/apps/new")
	created := b.post("/portal/apps", url.Values{"name": {payload}, "description": {payload}})
	id := regexp.MustCompile(`id="client-id">([^<]+)<`).FindStringSubmatch(created.body)
	if created.status != 201 || id == nil {
		t.Fatalf("register: %d", created.status)
	}
	jwt, _ := b.register(url.Values{"name": {payload}, "auth_method": {"private_key_jwt"}, "jwks": {signedJWTKeys(t)}})
	b.get("/portal/apps/" + id[1])
	rotated := b.post("/portal/apps/"+id[1]+"/secret", nil)
	b.get("/portal/apps/new")
	refused := b.post("/portal/apps", url.Values{"name": {payload}, "scopes": {"bogus"}})
	pages := map[string]page{"credentials": created, "rotated": rotated, "refused form": refused}
	for _, path := range []string{"/portal/apps", "/portal/apps/" + id[1], "/portal/apps/" + id[1] + "/requests",
		"/portal/apps/" + id[1] + "/delete", "/portal/apps/" + jwt + "/keys", "/portal/apps/" + jwt} {
		pages[path] = b.get(path)
	}
	for name, res := range pages {
		if strings.Contains(res.body, "<script>alert") || strings.Contains(res.body, "<img src=x") {
			t.Errorf("%s: the payload is not escaped", name)
		}
		if !strings.Contains(res.body, escaped) {
			t.Errorf("%s: the escaped name is not shown", name)
		}
		if csp := res.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("%s: CSP %q", name, csp)
		}
	}
}

// TestPortalPages: the data browser, the API reference and HTML errors.
func TestPortalPages(t *testing.T) {
	ps := newPortalServer(t, sandbox.Config{})
	b := ps.signedIn(t)
	for _, tc := range []struct {
		path   string
		status int
		want   []string
	}{
		{"/portal/patients", 200, []string{"Tariq Mahmood"}},
		{"/portal/patients?q=mahm", 200, []string{"Tariq Mahmood", "/portal/patients/" + storyPatient}},
		{"/portal/patients?q=zzzzzz", 200, []string{"No patients match"}},
		{"/portal/patients/" + storyPatient, 200, []string{"Tariq Mahmood", "Conditions", "Medications", "Latest observations", "Allergies", "Immunisations", "iabetes", "etformin", "A1c", "78 mmol/mol"}},
		{"/portal/patients/" + storyPatient + "/json", 200, []string{"&#34;resourceType&#34;: &#34;Patient&#34;", "https://fhir.nhs.uk/Id/nhs-number"}},
		{"/portal/patients/no-such-patient", 404, []string{"Patient not found"}},
		{"/portal/reference", 200, []string{"searchPatient", "/fhir/R4/Patient/{id}", "/oauth2/token", "quickstart", "docs/auth.md"}},
		{"/portal/no-such-page", 404, []string{"Page not found"}},
		{"/portal/apps/app_unknown", 404, []string{"App not found"}},
		{"/portal/apps/" + sandbox.DefaultTestClientID + "/requests?status=9xx", 400, []string{"2xx, 3xx, 4xx or 5xx"}},
		{"/portal/static/style.css", 200, []string{"--brand"}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			res := b.get(tc.path)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d\n%s", res.status, tc.status, res.body)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.body, w) {
					t.Errorf("no %q in\n%.3000s", w, res.body)
				}
			}
			if strings.HasSuffix(tc.path, ".css") {
				return
			}
			if ct := res.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			for _, must := range []string{`<html lang="en-GB">`, `class="skip" href="#main"`, `<main id="main"`, "<h1>"} {
				if !strings.Contains(res.body, must) {
					t.Errorf("no %q", must)
				}
			}
		})
	}
	// NHS number search: read the story patient's number from its summary.
	sum := b.get("/portal/patients/" + storyPatient)
	nhs := regexp.MustCompile(`<dt>NHS number</dt><dd>(\d{10})</dd>`).FindStringSubmatch(sum.body)
	if nhs == nil {
		t.Fatal("no NHS number on the summary")
	}
	spaced := nhs[1][:3] + " " + nhs[1][3:6] + " " + nhs[1][6:]
	if res := b.get("/portal/patients?q=" + url.QueryEscape(spaced)); !strings.Contains(res.body, "Tariq Mahmood") || strings.Count(res.body, "/portal/patients/") != 1 {
		t.Errorf("NHS number search:\n%s", res.body)
	}
	// Signed out, the data browser sends to sign-in; the reference is public.
	anon := ps.browser(t)
	if res := anon.get("/portal/patients"); !strings.HasSuffix(res.url, "/portal/signin") {
		t.Errorf("signed out, patients went to %s", res.url)
	}
	if res := anon.get("/portal/reference"); res.status != 200 {
		t.Errorf("signed out, reference: %d", res.status)
	}
}

// TestPortalKeys: a signed-JWT app is registered with an uploaded JWKS file (multipart), and
// its keys are replaced by a pasted JWKS and then by a JWKS URL; bad keys are refused.
func TestPortalKeys(t *testing.T) {
	ps := newPortalServer(t, sandbox.Config{})
	b := ps.signedIn(t)
	b.get("/portal/apps/new")
	res := b.postMultipart("/portal/apps", map[string]string{"csrf": b.csrf, "name": "Uploaded", "auth_method": "private_key_jwt"},
		"jwks_file", "jwks.json", signedJWTKeys(t))
	id := regexp.MustCompile(`id="client-id">([^<]+)<`).FindStringSubmatch(res.body)
	if res.status != http.StatusCreated || id == nil || !strings.Contains(res.body, "has no secret") {
		t.Fatalf("register with an uploaded JWKS: %d\n%s", res.status, res.body)
	}
	keys := "/portal/apps/" + id[1] + "/keys"
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"both", url.Values{"jwks": {signedJWTKeys(t)}, "jwks_url": {"https://example.org/jwks.json"}}, 422, "not both"},
		{"neither", url.Values{}, 422, "needs public keys"},
		{"not JSON", url.Values{"jwks": {"{"}}, 422, "not valid JSON"},
		{"private key", url.Values{"jwks": {`{"keys":[{"kty":"EC","crv":"P-384","kid":"x","d":"AAAA","x":"AAAA","y":"AAAA"}]}`}}, 422, "private"},
		{"pasted", url.Values{"jwks": {signedJWTKeys(t)}}, 200, "The public keys were replaced"},
		{"URL", url.Values{"jwks_url": {"https://example.org/jwks.json"}}, 200, "https://example.org/jwks.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b.get(keys)
			res := b.post(keys, tc.form)
			if res.status != tc.status || !strings.Contains(res.body, tc.want) {
				t.Fatalf("%d, want %d with %q\n%s", res.status, tc.status, tc.want, res.body)
			}
		})
	}
	secretApp, _ := b.register(url.Values{"name": {"Secret app"}})
	if res := b.get("/portal/apps/" + secretApp + "/keys"); res.status != 200 {
		t.Fatalf("keys page of a secret app: %d", res.status)
	}
	if res := b.post("/portal/apps/"+secretApp+"/keys", url.Values{"jwks_url": {"https://example.org/j"}}); res.status != http.StatusConflict {
		t.Errorf("keys for a secret app: %d", res.status)
	}
	b.get("/portal/apps/" + id[1])
	if res := b.post("/portal/apps/"+id[1]+"/secret", nil); res.status != http.StatusConflict {
		t.Errorf("rotating a JWT app's secret: %d", res.status)
	}
}
