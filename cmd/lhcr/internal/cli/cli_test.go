package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/gm-lhcr/lhcr/sandbox/sandboxtest"
	"github.com/gm-lhcr/lhcr/sdk"
)

// result is one run of the CLI.
type result struct {
	stdout, stderr string
	code           int
}

// cli runs the CLI in-process with env as its whole environment (plus the config directory of
// the test, which setup gives) and stdin as its input.
type cli struct {
	t   *testing.T
	env map[string]string
}

// setup gives the test its own empty config directory.
func setup(t *testing.T) *cli {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("HOME", dir)
	return &cli{t: t, env: map[string]string{}}
}

func (c *cli) with(env map[string]string) *cli {
	m := map[string]string{}
	for k, v := range c.env {
		m[k] = v
	}
	for k, v := range env {
		m[k] = v
	}
	return &cli{t: c.t, env: m}
}

func (c *cli) runIn(stdin string, args ...string) result {
	c.t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(stdin), &out, &errb, func(k string) string { return c.env[k] })
	return result{out.String(), errb.String(), code}
}

func (c *cli) run(args ...string) result {
	c.t.Helper()
	return c.runIn("", args...)
}

// ok runs args and fails the test unless they succeed.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 0 {
		c.t.Fatalf("lhcr %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// checkOneLine checks that a failure was told in one line, without a stack trace or any of the
// secrets.
func checkOneLine(t *testing.T, r result, secrets ...string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "lhcr: ") {
		t.Errorf("stderr is not one line starting with \"lhcr: \":\n%s", r.stderr)
	}
	for _, bad := range []string{"goroutine ", "panic", ".go:", "Usage:"} {
		if strings.Contains(r.stderr, bad) {
			t.Errorf("stderr holds %q:\n%s", bad, r.stderr)
		}
	}
	for _, s := range secrets {
		if s != "" && (strings.Contains(r.stderr, s) || strings.Contains(r.stdout, s)) {
			t.Errorf("output holds a secret:\nstdout: %s\nstderr: %s", r.stdout, r.stderr)
		}
	}
}

// sandboxEnv is the environment for the sandbox's ready app and the developer's key.
func sandboxEnv(sb *sandboxtest.Sandbox) map[string]string {
	return map[string]string{
		"LHCR_URL": sb.URL, "LHCR_API_KEY": sb.DeveloperAPIKey,
		"LHCR_CLIENT_ID": sb.ClientID, "LHCR_CLIENT_SECRET": sb.ClientSecret,
	}
}

// familyOf returns the family name of a story patient, read with the SDK.
func familyOf(t *testing.T, sb *sandboxtest.Sandbox, id string) string {
	t.Helper()
	c, err := sdk.NewClient(sb.FHIRBaseURL, sdk.WithClientSecret(sb.ClientID, sb.ClientSecret))
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Patients.Get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return sdk.Deref(p.Name[0].Family)
}

// TestPartnerPath is the partner's whole path: a key pair, a signed-JWT app registered with its
// public key, a token signed with the private key, and a search returning rows.
func TestPartnerPath(t *testing.T) {
	sb := sandboxtest.New(t, sandboxtest.WithPathPrefix("/gw/lhcr"))
	c := setup(t)
	c.ok("login", "--url", sb.FHIRBaseURL, "--api-key", sb.DeveloperAPIKey)

	keys := filepath.Join(t.TempDir(), "keys")
	out := c.ok("keys", "generate", "--out", keys)
	keyPath, jwksPath := filepath.Join(keys, "private-key.pem"), filepath.Join(keys, "jwks.json")
	if !strings.Contains(out, keyPath) || !strings.Contains(out, "apps create --name NAME --auth jwt --jwks "+jwksPath) {
		t.Errorf("keys generate says:\n%s", out)
	}
	if fi, err := os.Stat(keyPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key: %v, mode %v", err, fi.Mode())
	}
	var jwks sdk.JWKS
	if b, err := os.ReadFile(jwksPath); err != nil || json.Unmarshal(b, &jwks) != nil || len(jwks.Keys) != 1 || sdk.Deref(jwks.Keys[0].Kid) == "" {
		t.Fatalf("jwks.json: %v %+v", err, jwks)
	}
	if r := c.run("keys", "generate", "--out", keys); r.code != 1 || !strings.Contains(r.stderr, "not overwritten") {
		t.Errorf("a second keys generate into the same directory: exit %d, %s", r.code, r.stderr)
	}

	var creds sdk.AppCredentials
	if err := json.Unmarshal([]byte(c.ok("apps", "create", "--name", "Partner feed", "--auth", "jwt", "--jwks", jwksPath,
		"--scope", "system/Patient.rs", "-o", "json")), &creds); err != nil {
		t.Fatal(err)
	}
	if creds.App.ClientID == "" || creds.ClientSecret != nil || creds.App.AuthMethod != "private_key_jwt" {
		t.Fatalf("created %+v", creds)
	}

	c.ok("login", "--client-id", creds.App.ClientID, "--private-key", keyPath)
	tok := strings.TrimSpace(c.ok("token"))
	if tok == "" || strings.ContainsAny(tok, " \n") {
		t.Fatalf("token printed %q", tok)
	}
	var tj struct {
		AccessToken string   `json:"access_token"`
		TokenType   string   `json:"token_type"`
		ExpiresAt   string   `json:"expires_at"`
		Scopes      []string `json:"scopes"`
	}
	if err := json.Unmarshal([]byte(c.ok("token", "-o", "json")), &tj); err != nil || tj.AccessToken == "" || tj.ExpiresAt == "" || !strings.EqualFold(tj.TokenType, "bearer") {
		t.Fatalf("token -o json: %v %+v", err, tj)
	}
	if strings.Join(tj.Scopes, " ") != "system/Patient.rs" {
		t.Errorf("token scopes %v, want the app's", tj.Scopes)
	}

	family := familyOf(t, sb, sandboxtest.StoryDiabetes)
	out = c.ok("search", "Patient", "family="+family)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "NHS NUMBER") || !strings.Contains(out, sandboxtest.StoryDiabetes) {
		t.Fatalf("search Patient family=%s:\n%s", family, out)
	}
	// The app may read patients only.
	r := c.run("search", "Observation", "patient="+sandboxtest.StoryDiabetes)
	if r.code != 1 {
		t.Fatalf("search beyond the app's scopes: exit %d", r.code)
	}
	checkOneLine(t, r)
}

func TestLoginProfiles(t *testing.T) {
	sb := sandboxtest.New(t, sandboxtest.WithPatients(6))
	c := setup(t)

	if r := c.run("apps", "list"); r.code != 1 || !strings.Contains(r.stderr, "not logged in") {
		t.Errorf("apps list before login: exit %d, %s", r.code, r.stderr)
	}
	// The API key from stdin, the FHIR base cut back to the root.
	r := c.runIn(sb.DeveloperAPIKey+"\n", "login", "--url", sb.FHIRBaseURL+"/")
	if r.code != 0 {
		t.Fatalf("login: %d %s", r.code, r.stderr)
	}
	path := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "lhcr", "config.json")
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("config file: %v %v", err, fi)
	}
	cfg, _, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if p := cfg.Profiles["default"]; p == nil || p.URL != sb.URL || p.APIKey != sb.DeveloperAPIKey {
		t.Fatalf("stored profile %+v", p)
	}
	if out := c.ok("apps", "list"); !strings.HasPrefix(out, "CLIENT ID") || !strings.Contains(out, sb.ClientID) {
		t.Errorf("apps list:\n%s", out)
	}

	// A second profile, with the ready app's secret, selected by --profile or LHCR_PROFILE.
	c.ok("login", "--profile", "ci", "--url", sb.URL, "--api-key", sb.DeveloperAPIKey, "--client-id", sb.ClientID, "--client-secret", sb.ClientSecret)
	if out := c.ok("--profile", "ci", "get", "Patient/"+sandboxtest.StoryDiabetes); !strings.Contains(out, sandboxtest.StoryDiabetes) {
		t.Errorf("get with --profile ci:\n%s", out)
	}
	c.with(map[string]string{"LHCR_PROFILE": "ci"}).ok("get", "Patient/"+sandboxtest.StoryDiabetes)
	if r := c.run("get", "Patient/"+sandboxtest.StoryDiabetes); r.code != 1 || !strings.Contains(r.stderr, `profile "default" has no app`) {
		t.Errorf("get with the default profile (no app): exit %d, %s", r.code, r.stderr)
	}
	// The environment overrides the profile.
	c.with(map[string]string{"LHCR_CLIENT_ID": sb.ClientID, "LHCR_CLIENT_SECRET": sb.ClientSecret}).ok("get", "Patient/"+sandboxtest.StoryDiabetes)
	r = c.with(map[string]string{"LHCR_PROFILE": "ci", "LHCR_CLIENT_SECRET": "not-the-secret"}).run("token")
	if r.code != 1 {
		t.Errorf("LHCR_CLIENT_SECRET did not override the profile: exit %d", r.code)
	}
	checkOneLine(t, r, "not-the-secret", sb.ClientSecret)

	// A wrong key is refused and not stored.
	r = c.run("login", "--profile", "bad", "--url", sb.URL, "--api-key", "lhcr_dev_wrong")
	if r.code != 1 {
		t.Errorf("login with a wrong key: exit %d", r.code)
	}
	checkOneLine(t, r, "lhcr_dev_wrong")
	if r := c.run("--profile", "bad", "apps", "list"); r.code != 1 || !strings.Contains(r.stderr, `no profile "bad"`) {
		t.Errorf("a profile that failed login was stored: %d %s", r.code, r.stderr)
	}

	c.ok("logout", "--profile", "ci")
	if r := c.run("--profile", "ci", "token"); r.code != 1 || !strings.Contains(r.stderr, `no profile "ci"`) {
		t.Errorf("after logout: exit %d, %s", r.code, r.stderr)
	}
	if r := c.run("logout", "--profile", "ci"); r.code != 1 {
		t.Errorf("second logout: exit %d", r.code)
	}
}

func TestApps(t *testing.T) {
	sb := sandboxtest.New(t, sandboxtest.WithPatients(6))
	c := setup(t).with(map[string]string{"LHCR_URL": sb.URL, "LHCR_API_KEY": sb.DeveloperAPIKey})

	out := c.ok("apps", "create", "--name", "Clinic dashboard", "--scope", "system/Patient.rs,system/Observation.rs")
	id := field(t, out, "client id:")
	secret := field(t, out, "client secret:")
	if !strings.Contains(out, "shown this once") || secret == "" {
		t.Fatalf("apps create:\n%s", out)
	}
	if out := c.ok("apps", "list"); !strings.Contains(out, id) || !strings.Contains(out, "Clinic dashboard") || strings.Contains(out, secret) {
		t.Errorf("apps list:\n%s", out)
	}
	out = c.ok("apps", "get", id)
	if field(t, out, "scopes:") != "system/Patient.rs system/Observation.rs" || strings.Contains(out, secret) {
		t.Errorf("apps get:\n%s", out)
	}
	var app sdk.App
	if err := json.Unmarshal([]byte(c.ok("apps", "get", id, "-o", "json")), &app); err != nil || app.ClientID != id {
		t.Errorf("apps get -o json: %v %+v", err, app)
	}

	// The secret works; rotating it gives a new one and the old one stops working.
	asApp := c.with(map[string]string{"LHCR_CLIENT_ID": id, "LHCR_CLIENT_SECRET": secret})
	asApp.ok("token")
	out = c.ok("apps", "rotate-secret", id)
	newSecret := field(t, out, "client secret:")
	if newSecret == "" || newSecret == secret {
		t.Fatalf("rotate-secret:\n%s", out)
	}
	r := asApp.run("token")
	if r.code != 1 || !strings.Contains(r.stderr, "invalid_client") {
		t.Errorf("the old secret after rotation: exit %d, %s", r.code, r.stderr)
	}
	checkOneLine(t, r, secret, newSecret)

	// set-keys on a signed-JWT app.
	keys := t.TempDir()
	c.ok("keys", "generate", "--out", keys, "--alg", "RS384", "--kid", "k1")
	var creds sdk.AppCredentials
	json.Unmarshal([]byte(c.ok("apps", "create", "--name", "JWT", "--auth", "jwt", "--jwks", filepath.Join(keys, "jwks.json"), "-o", "json")), &creds)
	keys2 := t.TempDir()
	c.ok("keys", "generate", "--out", keys2, "--kid", "k2")
	if out := c.ok("apps", "set-keys", creds.App.ClientID, "--jwks", filepath.Join(keys2, "jwks.json")); field(t, out, "public keys:") != "k2" {
		t.Errorf("set-keys:\n%s", out)
	}

	// delete asks first.
	tests := []struct {
		name, stdin string
		args        []string
		code        int
	}{
		{"answer no", "n\n", nil, 1},
		{"no answer", "", nil, 1},
		{"answer yes", "y\n", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.runIn(tt.stdin, "apps", "delete", id)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.code, r.stderr)
			}
			if !strings.Contains(r.stderr, "Delete app \"Clinic dashboard\"") {
				t.Errorf("no question asked: %s", r.stderr)
			}
		})
	}
	if r := c.run("apps", "get", id); r.code != 1 || !strings.Contains(r.stderr, "HTTP 404") {
		t.Errorf("get after delete: exit %d, %s", r.code, r.stderr)
	}
	if out := c.ok("apps", "delete", creds.App.ClientID, "--yes"); !strings.Contains(out, "Deleted app") {
		t.Errorf("delete --yes: %s", out)
	}
}

// field returns the value after label in "label value" output.
func field(t *testing.T, out, label string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), label); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Errorf("no %q in:\n%s", label, out)
	return ""
}

func TestFHIRCommands(t *testing.T) {
	sb := sandboxtest.New(t)
	c := setup(t).with(sandboxEnv(sb))
	hba1c := "code=http://loinc.org|4548-4"
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, out string)
	}{
		{"get table", []string{"get", "Patient/" + sandboxtest.StoryDiabetes}, func(t *testing.T, out string) {
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 2 || !strings.Contains(lines[0], "NHS NUMBER") || !strings.Contains(lines[1], sandboxtest.Stories()[0].NHSNumber) {
				t.Errorf("got:\n%s", out)
			}
		}},
		{"get two args json", []string{"get", "Patient", sandboxtest.StoryDiabetes, "-o", "json"}, func(t *testing.T, out string) {
			var p sdk.Patient
			if err := json.Unmarshal([]byte(out), &p); err != nil || sdk.Deref(p.ID) != sandboxtest.StoryDiabetes {
				t.Errorf("%v: %s", err, out)
			}
		}},
		{"search pages lazily up to the limit", []string{"search", "Observation", "patient=" + sandboxtest.StoryDiabetes, hba1c, "_count=2", "--limit", "3"}, func(t *testing.T, out string) {
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 4 || !strings.Contains(lines[0], "VALUE") || !strings.Contains(out, "mmol/mol") {
				t.Errorf("want a header and 3 rows, got:\n%s", out)
			}
		}},
		{"search ndjson", []string{"search", "Observation", "patient=" + sandboxtest.StoryDiabetes, hba1c, "--limit", "200", "-o", "ndjson"}, func(t *testing.T, out string) {
			lines := strings.Split(strings.TrimSpace(out), "\n")
			for _, l := range lines {
				var o sdk.Observation
				if err := json.Unmarshal([]byte(l), &o); err != nil || !sdk.HasCoding(&o.Code, sdk.SystemLOINC, "4548-4") {
					t.Fatalf("line %q: %v", l, err)
				}
			}
			if len(lines) < 2 {
				t.Errorf("%d HbA1c results", len(lines))
			}
		}},
		{"search json array", []string{"search", "Condition", "patient=" + sandboxtest.StoryDiabetes, "-o", "json"}, func(t *testing.T, out string) {
			var cs []sdk.Condition
			if err := json.Unmarshal([]byte(out), &cs); err != nil || len(cs) == 0 {
				t.Errorf("%v: %s", err, out)
			}
		}},
		{"search no match", []string{"search", "Patient", "family=zzzzzz", "-o", "json"}, func(t *testing.T, out string) {
			if strings.TrimSpace(out) != "[]" {
				t.Errorf("got %q", out)
			}
		}},
		{"everything table", []string{"everything", "Patient/" + sandboxtest.StoryDiabetes}, func(t *testing.T, out string) {
			for _, want := range []string{"TYPE", "Patient", "Observation", "Condition", "MedicationRequest"} {
				if !strings.Contains(out, want) {
					t.Errorf("no %s in:\n%s", want, out)
				}
			}
		}},
		{"everything ndjson limit", []string{"everything", sandboxtest.StoryDiabetes, "--limit", "5", "-o", "ndjson"}, func(t *testing.T, out string) {
			if n := strings.Count(out, "\n"); n != 5 {
				t.Errorf("%d lines", n)
			}
		}},
		{"version", []string{"version"}, func(t *testing.T, out string) {
			if !strings.HasPrefix(out, "lhcr ") || !strings.Contains(out, sdk.SDKVersion) {
				t.Errorf("got %q", out)
			}
		}},
		{"completion", []string{"completion", "bash"}, func(t *testing.T, out string) {
			if !strings.Contains(out, "bash completion") {
				t.Errorf("not a bash completion script")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, c.ok(tt.args...))
		})
	}
}

func TestDebugRedacts(t *testing.T) {
	sb := sandboxtest.New(t, sandboxtest.WithPatients(6))
	c := setup(t).with(sandboxEnv(sb))
	r := c.run("--debug", "get", "Patient/"+sandboxtest.StoryDiabetes)
	if r.code != 0 || !strings.Contains(r.stderr, "request_id=") || !strings.Contains(r.stderr, "< HTTP/1.1 200 OK") ||
		!strings.Contains(r.stderr, "> Authorization: [redacted]") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	tok := strings.TrimSpace(c.ok("token"))
	for _, secret := range []string{sb.ClientSecret, sb.DeveloperAPIKey, tok[:20], "Bearer", "Basic"} {
		if strings.Contains(r.stderr, secret) {
			t.Errorf("--debug shows a secret (%.6s…):\n%s", secret, r.stderr)
		}
	}
	r = c.run("--debug", "apps", "list")
	if r.code != 0 || !strings.Contains(r.stderr, "> X-Api-Key: [redacted]") || strings.Contains(r.stderr, sb.DeveloperAPIKey) {
		t.Errorf("--debug apps list: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	// An error under --debug names the request.
	r = c.run("--debug", "get", "Patient/nope")
	if r.code != 1 || !strings.Contains(r.stderr, "GET ") || !strings.Contains(r.stderr, "request id ") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

func TestBadInput(t *testing.T) {
	sb := sandboxtest.New(t, sandboxtest.WithPatients(6))
	base := setup(t)
	good := sandboxEnv(sb)

	// A signed-JWT app registered with one key, and another key to sign with: the registered
	// key no longer matches, as when a partner's key has been rotated out.
	keys, other := t.TempDir(), t.TempDir()
	base.ok("keys", "generate", "--out", keys)
	base.ok("keys", "generate", "--out", other)
	var creds sdk.AppCredentials
	json.Unmarshal([]byte(base.with(good).ok("apps", "create", "--name", "JWT", "--auth", "jwt", "--jwks", filepath.Join(keys, "jwks.json"), "-o", "json")), &creds)
	pem, _ := os.ReadFile(filepath.Join(other, "private-key.pem"))
	// And a profile that signs with another key under the registered key's kid: the signature
	// does not verify.
	kid := sdk.Deref(creds.App.JWKS.Keys[0].Kid)
	base.ok("login", "--profile", "rotated", "--url", sb.URL, "--client-id", creds.App.ClientID,
		"--private-key", filepath.Join(other, "private-key.pem"), "--kid", kid, "--no-verify")

	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"unknown resource type", good, []string{"get", "Spaceship/1"}, 2, `unknown resource type "Spaceship"`},
		{"unknown resource type in search", good, []string{"search", "Spaceship"}, 2, "unknown resource type"},
		{"no id", good, []string{"get", "Patient/"}, 2, "no id"},
		{"not TYPE/ID", good, []string{"get", "story-diabetes"}, 2, "want TYPE/ID"},
		{"malformed key=value", good, []string{"search", "Patient", "family"}, 2, `malformed search parameter "family"`},
		{"empty key", good, []string{"search", "Patient", "=x"}, 2, "malformed search parameter"},
		{"unknown search parameter", good, []string{"search", "Patient", "famly=tay"}, 1, "famly"},
		{"bad search value", good, []string{"search", "Observation", "date=yesterday"}, 1, "HTTP 400"},
		{"unknown id", good, []string{"get", "Patient/nope"}, 1, "not-found"},
		{"missing profile", good, []string{"--profile", "nope", "get", "Patient/x"}, 1, `no profile "nope"`},
		{"missing profile by env", map[string]string{"LHCR_PROFILE": "nope"}, []string{"apps", "list"}, 1, `no profile "nope"`},
		{"not logged in", nil, []string{"token"}, 1, "not logged in"},
		{"no API key", map[string]string{"LHCR_URL": sb.URL}, []string{"apps", "list"}, 1, "no developer API key"},
		{"wrong API key", map[string]string{"LHCR_URL": sb.URL, "LHCR_API_KEY": "lhcr_dev_not-the-key"}, []string{"apps", "list"}, 1, "HTTP 401"},
		{"wrong secret", map[string]string{"LHCR_URL": sb.URL, "LHCR_CLIENT_ID": sb.ClientID, "LHCR_CLIENT_SECRET": "s3cr3t-but-wrong"}, []string{"token"}, 1, "invalid_client"},
		{"wrong secret on a FHIR call", map[string]string{"LHCR_URL": sb.URL, "LHCR_CLIENT_ID": sb.ClientID, "LHCR_CLIENT_SECRET": "s3cr3t-but-wrong"}, []string{"get", "Patient/x"}, 1, "invalid_client"},
		{"expired key", map[string]string{"LHCR_URL": sb.URL, "LHCR_CLIENT_ID": creds.App.ClientID, "LHCR_PRIVATE_KEY": string(pem)}, []string{"token"}, 1, "invalid_client"},
		{"expired key, same kid", map[string]string{"LHCR_PROFILE": "rotated"}, []string{"search", "Patient"}, 1, "invalid_client"},
		{"not a key", map[string]string{"LHCR_URL": sb.URL, "LHCR_CLIENT_ID": creds.App.ClientID, "LHCR_PRIVATE_KEY": filepath.Join(keys, "jwks.json")}, []string{"token"}, 1, "no PEM private key"},
		{"unreachable URL", map[string]string{"LHCR_URL": "http://127.0.0.1:1", "LHCR_CLIENT_ID": "x", "LHCR_CLIENT_SECRET": "s3cr3t-but-wrong"}, []string{"get", "Patient/x"}, 1, "cannot reach http://127.0.0.1:1"},
		{"unreachable developer API", map[string]string{"LHCR_URL": "http://127.0.0.1:1", "LHCR_API_KEY": "k"}, []string{"apps", "list"}, 1, "cannot reach"},
		{"unknown command", good, []string{"frobnicate"}, 2, "unknown command"},
		{"unknown flag", good, []string{"get", "--frob", "Patient/x"}, 2, "unknown flag"},
		{"bad output", good, []string{"get", "Patient/x", "-o", "yaml"}, 2, "--output must be"},
		{"missing argument", good, []string{"apps", "get"}, 2, "accepts 1 arg"},
		{"create without name", good, []string{"apps", "create"}, 2, `"name" not set`},
		{"jwt without keys", good, []string{"apps", "create", "--name", "x", "--auth", "jwt"}, 2, "needs the public keys"},
		{"bad auth", good, []string{"apps", "create", "--name", "x", "--auth", "magic"}, 2, "--auth must be"},
		{"bad alg", good, []string{"keys", "generate", "--out", t.TempDir(), "--alg", "HS256"}, 2, "--alg must be"},
		{"negative limit", good, []string{"search", "Patient", "--limit", "-1"}, 2, "--limit"},
		{"new profile without URL", nil, []string{"login", "--api-key", "k"}, 2, "give --url"},
		{"everything of a non-patient", good, []string{"everything", "Observation/x"}, 2, "Patient"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base.with(tt.env).run(tt.args...)
			t.Logf("exit %d: %s", r.code, r.stderr)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d", r.code, tt.code)
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr %q does not say %q", r.stderr, tt.want)
			}
			checkOneLine(t, r, "s3cr3t-but-wrong", "lhcr_dev_not-the-key", sb.ClientSecret, sb.DeveloperAPIKey, "PRIVATE KEY")
		})
	}
}

// TestHelp checks that every command has an example and that --help works on each.
func TestHelp(t *testing.T) {
	c := setup(t)
	var all []*cobra.Command
	var walk func(cmd *cobra.Command)
	walk = func(cmd *cobra.Command) {
		all = append(all, cmd)
		for _, sub := range cmd.Commands() {
			walk(sub)
		}
	}
	walk(NewRootCmd())
	for _, cmd := range all {
		if cmd.Example == "" {
			t.Errorf("%s has no example", cmd.CommandPath())
		}
		args := append(strings.Fields(cmd.CommandPath())[1:], "--help")
		if r := c.run(args...); r.code != 0 || !strings.Contains(r.stdout, "Examples:") {
			t.Errorf("lhcr %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stdout)
		}
	}
}
