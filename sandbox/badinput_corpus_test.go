package sandbox_test

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/gm-lhcr/lhcr/sandbox"
)

// hostileValues are strings an attacker or a buggy client puts in every parameter.
var hostileValues = map[string]string{
	"sql":       `' OR 1=1; DROP TABLE resources;--`,
	"html":      `<script>alert(1)</script>`,
	"template":  `{{.}}${jndi:ldap://x/a}%s%n`,
	"traversal": `../../../../etc/passwd`,
	"nul":       "a\x00b",
	"rtl":       "\u202eevil\u202c",
	"emoji":     "👩🏽‍⚕️🏥",
	"combining": "Zoe\u0308\u0308\u0308\u0308",
	"long":      strings.Repeat("x", 8000),
}

// TestBadInputCorpus sends malformed and hostile requests to the FHIR API, the OAuth endpoints
// and the developer API. Each gets its documented 4xx (or, for a well-formed search that
// merely matches nothing, 200) with an OperationOutcome or an RFC 6749 error, never a 5xx, and
// stored data is unchanged.
func TestBadInputCorpus(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{Patients: 6})
	creds := ts.sb.Credentials()
	apiKey := []string{"X-API-Key", creds.DeveloperAPIKey, "Content-Type", "application/json"}
	form := []string{NoAuth, "1", "Content-Type", "application/x-www-form-urlencoded"}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(creds.ClientID+":"+creds.ClientSecret))
	authForm := append([]string{"Authorization", basic}, form...)
	const (
		oo    = "outcome" // an OperationOutcome
		oauth = "oauth"   // an RFC 6749 error
		match = "bundle"  // a search Bundle
	)
	q := url.QueryEscape
	strict := []string{"Prefer", "handling=strict"}
	type tc struct {
		name, method, path, body string
		header                   []string
		status                   int
		shape                    string
		// known describes a server bug found by this corpus and reported; the case is skipped
		// while the bug is there and fails once it is fixed, so that the note is removed.
		known string
	}
	cases := []tc{
		// FHIR: result parameters
		{"_count not a number", "GET", "/fhir/R4/Patient?_count=abc", "", nil, 400, oo, ""},
		{"_count negative", "GET", "/fhir/R4/Patient?_count=-1", "", nil, 400, oo, ""},
		{"_count huge", "GET", "/fhir/R4/Patient?_count=99999999999999999999999999", "", nil, 400, oo, ""},
		{"_count exponent", "GET", "/fhir/R4/Patient?_count=1e3", "", nil, 400, oo, ""},
		{"_count twice", "GET", "/fhir/R4/Patient?_count=1&_count=2", "", nil, 400, oo, ""},
		{"_sort unknown", "GET", "/fhir/R4/Patient?_sort=" + q(hostileValues["sql"]), "", nil, 400, oo, ""},
		{"_cursor forged", "GET", "/fhir/R4/Patient?_cursor=" + q(hostileValues["sql"]), "", nil, 400, oo, ""},
		{"_cursor huge", "GET", "/fhir/R4/Patient?_cursor=" + hostileValues["long"], "", nil, 400, oo, ""},
		{"_summary unknown", "GET", "/fhir/R4/Patient?_summary=" + q(hostileValues["html"]), "", nil, 400, oo, ""},
		{"_total unknown", "GET", "/fhir/R4/Patient?_total=" + q(hostileValues["template"]), "", nil, 400, oo, ""},
		{"_format xml", "GET", "/fhir/R4/Patient?_format=xml", "", nil, 406, oo, ""},
		{"unknown parameter, strict", "GET", "/fhir/R4/Patient?" + q(hostileValues["sql"]) + "=1", "", []string{"Prefer", "handling=strict"}, 400, oo, ""},
		// FHIR: search values
		{"name sql", "GET", "/fhir/R4/Patient?name=" + q(hostileValues["sql"]), "", nil, 200, match, ""},
		{"name html", "GET", "/fhir/R4/Patient?name=" + q(hostileValues["html"]), "", nil, 200, match, ""},
		{"name nul", "GET", "/fhir/R4/Patient?name=" + q(hostileValues["nul"]), "", nil, 200, match, ""},
		{"name rtl", "GET", "/fhir/R4/Patient?family=" + q(hostileValues["rtl"]), "", nil, 200, match, ""},
		{"name emoji", "GET", "/fhir/R4/Patient?given=" + q(hostileValues["emoji"]), "", nil, 200, match, ""},
		{"name combining marks", "GET", "/fhir/R4/Patient?name=" + q(hostileValues["combining"]), "", nil, 200, match, ""},
		{"name long", "GET", "/fhir/R4/Patient?name=" + hostileValues["long"], "", nil, 200, match, ""},
		{"name:contains like wildcards", "GET", "/fhir/R4/Patient?name:contains=" + q("%_%"), "", nil, 200, match, ""},
		{"name invalid percent-encoding", "GET", "/fhir/R4/Patient?name=%zz", "", nil, 400, oo, ""},
		{"name invalid percent-encoding, strict", "GET", "/fhir/R4/Patient?name=%zz", "", strict, 400, oo, ""},
		{"name invalid UTF-8", "GET", "/fhir/R4/Patient?name=%ff%fe", "", nil, 400, oo, ""},
		{"identifier sql", "GET", "/fhir/R4/Patient?identifier=" + q("https://fhir.nhs.uk/Id/nhs-number|"+hostileValues["sql"]), "", nil, 200, match, ""},
		{"identifier many pipes", "GET", "/fhir/R4/Patient?identifier=" + q("a|b|c|d"), "", nil, 200, match, ""},
		{"_id traversal", "GET", "/fhir/R4/Patient?_id=" + q(hostileValues["traversal"]), "", nil, 400, oo, ""},
		{"birthdate not a date", "GET", "/fhir/R4/Patient?birthdate=" + q(hostileValues["sql"]), "", nil, 400, oo, ""},
		{"birthdate huge year", "GET", "/fhir/R4/Patient?birthdate=99999999-01-01", "", nil, 400, oo, ""},
		{"birthdate bad prefix", "GET", "/fhir/R4/Patient?birthdate=zz2020", "", nil, 400, oo, ""},
		{"gender unknown code", "GET", "/fhir/R4/Patient?gender=" + q(hostileValues["html"]), "", nil, 200, match, ""},
		{"patient reference traversal", "GET", "/fhir/R4/Observation?patient=" + q(hostileValues["traversal"]), "", nil, 400, oo, ""},
		{"unsupported parameter, huge number, strict", "GET", "/fhir/R4/Observation?value-quantity=1e999999", "", strict, 400, oo, ""},
		{"unsupported parameter, lenient: ignored", "GET", "/fhir/R4/Observation?value-quantity=" + q(hostileValues["sql"]), "", nil, 200, match, ""},
		{"code template", "GET", "/fhir/R4/Observation?code=" + q(hostileValues["template"]), "", nil, 200, match, ""},
		{"unknown modifier", "GET", "/fhir/R4/Patient?name:" + q(hostileValues["sql"]) + "=x", "", nil, 400, oo, ""},
		{"_include, strict", "GET", "/fhir/R4/Observation?_include=" + q(hostileValues["sql"]), "", strict, 400, oo, ""},
		{"POST search with JSON", "POST", "/fhir/R4/Patient/_search", `{"name":"x"}`, nil, 415, oo, ""},
		// FHIR: ids and paths
		{"id traversal encoded", "GET", "/fhir/R4/Patient/..%2F..%2Fetc%2Fpasswd", "", nil, 400, oo, ""},
		{"id too long", "GET", "/fhir/R4/Patient/" + strings.Repeat("a", 65), "", nil, 400, oo, ""},
		{"id sql", "GET", "/fhir/R4/Patient/" + url.PathEscape(hostileValues["sql"]), "", nil, 400, oo, ""},
		{"id emoji", "GET", "/fhir/R4/Patient/" + url.PathEscape(hostileValues["emoji"]), "", nil, 400, oo, ""},
		{"version not a number", "GET", "/fhir/R4/Patient/" + storyPatient + "/_history/abc", "", nil, 400, oo, ""},
		{"version huge", "GET", "/fhir/R4/Patient/" + storyPatient + "/_history/99999999999999999999", "", nil, 400, oo, ""},
		{"unknown type", "GET", "/fhir/R4/Bananas", "", nil, 404, oo, ""},
		{"lower-case type", "GET", "/fhir/R4/patient/" + storyPatient, "", nil, 404, oo, ""},
		{"PATCH", "PATCH", "/fhir/R4/Patient/" + storyPatient, `[]`, []string{"Content-Type", "application/json-patch+json"}, 405, oo, ""},
		// FHIR: bodies
		{"body truncated", "POST", "/fhir/R4/Patient", `{"resourceType":"Patient","name":[{"family":"Tr`, nil, 400, oo, ""},
		{"body deep nesting", "POST", "/fhir/R4/Patient", `{"resourceType":"Patient","extension":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`, nil, 422, oo, ""},
		{"body huge number", "POST", "/fhir/R4/Observation", `{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1e999999}}`, nil, 422, oo, ""},
		{"body wrong type", "POST", "/fhir/R4/Patient", `{"resourceType":"Patient","active":"yes"}`, nil, 422, oo, ""},
		{"body duplicate keys: the last wins", "POST", "/fhir/R4/Patient", `{"resourceType":"Patient","resourceType":"Observation"}`, nil, 422, oo, ""},
		{"body over the limit", "POST", "/fhir/R4/Patient", `{"resourceType":"Patient","text":"` + strings.Repeat("x", 2<<20) + `"}`, nil, 413, oo, ""},
		{"body as XML", "POST", "/fhir/R4/Patient", `<Patient/>`, []string{"Content-Type", "application/fhir+xml"}, 415, oo, ""},
		{"body with a BOM", "POST", "/fhir/R4/Patient", "\ufeff{\"resourceType\":\"Patient\"}", nil, 400, oo, ""},
		{"delete with a hostile id", "DELETE", "/fhir/R4/Patient/" + url.PathEscape(hostileValues["traversal"]), "", nil, 400, oo, ""},
		{"bearer garbage", "GET", "/fhir/R4/Patient", "", []string{"Authorization", "Bearer " + hostileValues["sql"]}, 401, oo, ""},
		{"bearer huge", "GET", "/fhir/R4/Patient", "", []string{"Authorization", "Bearer " + strings.Repeat("A", 100_000)}, 401, oo, ""},
		{"bearer alg none", "GET", "/fhir/R4/Patient", "", []string{"Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."}, 401, oo, ""},
		// OAuth
		{"token: grant twice", "POST", "/oauth2/token", "grant_type=client_credentials&grant_type=password", authForm, 400, oauth, ""},
		{"token: grant injection", "POST", "/oauth2/token", "grant_type=" + q(hostileValues["sql"]), authForm, 400, oauth, ""},
		{"token: client_id injection", "POST", "/oauth2/token", "grant_type=client_credentials&client_id=" + q(hostileValues["sql"]) + "&client_secret=x", form, 401, oauth, ""},
		{"token: client_id unicode", "POST", "/oauth2/token", "grant_type=client_credentials&client_id=" + q(hostileValues["rtl"]) + "&client_secret=x", form, 401, oauth, ""},
		{"token: client_id nul", "POST", "/oauth2/token", "grant_type=client_credentials&client_id=" + q(hostileValues["nul"]) + "&client_secret=x", form, 401, oauth, ""},
		{"token: scope injection", "POST", "/oauth2/token", "grant_type=client_credentials&scope=" + q(hostileValues["sql"]), authForm, 400, oauth, ""},
		{"token: scope long", "POST", "/oauth2/token", "grant_type=client_credentials&scope=" + hostileValues["long"], authForm, 400, oauth, ""},
		{"token: basic not base64", "POST", "/oauth2/token", "grant_type=client_credentials", append([]string{"Authorization", "Basic %%%"}, form...), 401, oauth, ""},
		{"token: basic without colon", "POST", "/oauth2/token", "grant_type=client_credentials", append([]string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte("nocolon"))}, form...), 401, oauth, ""},
		{"token: assertion garbage", "POST", "/oauth2/token", "grant_type=client_credentials&client_assertion_type=" + q("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") + "&client_assertion=a.b.c", form, 401, oauth, ""},
		{"token: assertion alg none", "POST", "/oauth2/token", "grant_type=client_credentials&client_assertion_type=" + q("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") + "&client_assertion=eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4Iiwic3ViIjoieCJ9.", form, 401, oauth, ""},
		{"token: form truncated", "POST", "/oauth2/token", "grant_type=client_cred%", authForm, 400, oauth, ""},
		{"token: form over 64 KiB", "POST", "/oauth2/token", "grant_type=client_credentials&x=" + strings.Repeat("a", 70<<10), authForm, 413, oauth, ""},
		{"token: JSON body", "POST", "/oauth2/token", `{"grant_type":"client_credentials"}`, []string{NoAuth, "1", "Content-Type", "application/json", "Authorization", basic}, 415, oauth, ""},
		{"token: GET", "GET", "/oauth2/token?grant_type=client_credentials", "", []string{NoAuth, "1"}, 405, oauth, ""},
		{"introspect: no client", "POST", "/oauth2/introspect", "token=" + q(hostileValues["sql"]), form, 401, oauth, ""},
		{"revoke: refresh token hint", "POST", "/oauth2/revoke", "token=x&token_type_hint=refresh_token", authForm, 400, oauth, ""},
		// developer API
		{"dev: no key", "GET", "/developer/v1/apps", "", []string{NoAuth, "1"}, 401, oo, ""},
		{"dev: key injection", "GET", "/developer/v1/apps", "", []string{NoAuth, "1", "X-API-Key", hostileValues["sql"]}, 401, oo, ""},
		{"dev: key huge", "GET", "/developer/v1/apps", "", []string{NoAuth, "1", "X-API-Key", strings.Repeat("k", 100_000)}, 401, oo, ""},
		{"dev: app id traversal", "GET", "/developer/v1/apps/..%2F..%2Fetc%2Fpasswd", "", apiKey, 404, oo, ""},
		{"dev: app id sql", "GET", "/developer/v1/apps/" + url.PathEscape(hostileValues["sql"]), "", apiKey, 404, oo, ""},
		{"dev: create, truncated", "POST", "/developer/v1/apps", `{"name":"x","scopes":[`, apiKey, 400, oo, ""},
		{"dev: create, name not a string", "POST", "/developer/v1/apps", `{"name":12,"scopes":["system/*.rs"]}`, apiKey, 422, oo, ""},
		{"dev: create, scopes not a list", "POST", "/developer/v1/apps", `{"name":"x","scopes":"system/*.rs"}`, apiKey, 422, oo, ""},
		{"dev: create, scope injection", "POST", "/developer/v1/apps", `{"name":"x","scopes":["` + strings.ReplaceAll(hostileValues["sql"], `'`, `\u0027`) + `"]}`, apiKey, 422, oo, ""},
		{"dev: create, name long", "POST", "/developer/v1/apps", `{"name":"` + hostileValues["long"] + `","scopes":["system/*.rs"]}`, apiKey, 422, oo, ""},
		{"dev: create, name with NUL", "POST", "/developer/v1/apps", `{"name":"a\u0000b","scopes":["system/*.rs"]}`, apiKey, 422, oo, ""},
		{"dev: create, unknown field", "POST", "/developer/v1/apps", `{"name":"x","scopes":["system/*.rs"],"client_id":"mine"}`, apiKey, 422, oo, ""},
		{"dev: create, JWKS URL file", "POST", "/developer/v1/apps", `{"name":"x","auth_method":"private_key_jwt","scopes":["system/*.rs"],"jwks_url":"file:///etc/passwd"}`, apiKey, 422, oo, ""},
		{"dev: create, JWKS URL metadata service", "POST", "/developer/v1/apps", `{"name":"x","auth_method":"private_key_jwt","scopes":["system/*.rs"],"jwks_url":"http://169.254.169.254/latest/meta-data"}`, apiKey, 422, oo, ""},
		{"dev: log status filter", "GET", "/developer/v1/apps/" + creds.ClientID + "/requests?status=" + q(hostileValues["sql"]), "", apiKey, 400, oo, ""},
	}
	before := corpusSnapshot(t, ts)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			do := ts.do
			if c.known != "" {
				do = ts.doUnchecked // the known bug may break the contract too
			}
			status, h, b := do(t, c.method, c.path, c.body, c.header...)
			if c.known != "" {
				if status == c.status {
					t.Fatalf("fixed: %s %s now answers %d; remove the known-bug note", c.method, c.path, status)
				}
				t.Skipf("known server bug (reported): %s", c.known)
			}
			if status >= 500 {
				t.Fatalf("%s %.120s: %d %.300s", c.method, c.path, status, b)
			}
			if status != c.status {
				t.Errorf("%s %.120s: %d, want %d: %.300s", c.method, c.path, status, c.status, b)
			}
			switch c.shape {
			case oo:
				code, diag := outcomeOf(t, b)
				if code == "" || diag == "" {
					t.Errorf("an OperationOutcome without code or diagnostics: %s", b)
				}
				for _, s := range []string{creds.ClientSecret, creds.DeveloperAPIKey} {
					if strings.Contains(diag, s) {
						t.Errorf("the diagnostics hold a secret: %s", diag)
					}
				}
			case oauth:
				var e struct{ Error, ErrorDescription string }
				if err := json.Unmarshal(b, &e); err != nil || e.Error == "" {
					t.Errorf("not an RFC 6749 error: %.300s", b)
				}
				if h.Get("Cache-Control") != "no-store" {
					t.Errorf("Cache-Control %q", h.Get("Cache-Control"))
				}
			case match:
				var bu bundle
				if err := json.Unmarshal(b, &bu); err != nil || bu.ResourceType != "Bundle" {
					t.Errorf("not a Bundle: %.300s", b)
				}
			}
		})
	}
	if after := corpusSnapshot(t, ts); after != before {
		t.Errorf("stored data changed: before %v, after %v", before, after)
	}
}

// corpusSnapshot counts what a bad request could have changed: resources by type and apps.
func corpusSnapshot(t *testing.T, ts *testServer) [3]int {
	t.Helper()
	status, body := ts.devAPI(t, "GET", "/developer/v1/apps", "")
	if status != 200 {
		t.Fatalf("list apps: %d %s", status, body)
	}
	var apps struct{ Apps []json.RawMessage }
	var list []json.RawMessage
	n := 0
	if json.Unmarshal(body, &list) == nil {
		n = len(list)
	} else if json.Unmarshal(body, &apps) == nil {
		n = len(apps.Apps)
	}
	return [3]int{ts.count(t, "Patient"), ts.count(t, "Observation"), n}
}
