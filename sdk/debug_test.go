package sdk_test

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gm-lhcr/lhcr/sandbox/sandboxtest"
	"github.com/gm-lhcr/lhcr/sdk"
)

// lockedBuffer is a bytes.Buffer safe for concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func TestDebugTransportRedacts(t *testing.T) {
	sb := sandboxtest.New(t, sandboxtest.WithPatients(6))
	var out lockedBuffer
	hc := &http.Client{Transport: sdk.DebugTransport(nil, &out)}
	c, err := sdk.NewClient(sb.FHIRBaseURL, sdk.WithClientSecret(sb.ClientID, sb.ClientSecret), sdk.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for _, err := range c.Patients.Search(ctx, sdk.PatientQuery{Identifier: sdk.NHSNumberIdentifier("9990000018")}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	tok, err := c.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d, err := sdk.NewDeveloperClient(sb.URL, sb.DeveloperAPIKey, sdk.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.ListApps(ctx); err != nil {
		t.Fatal(err)
	}
	got := out.b.String()
	for _, want := range []string{"> POST /oauth2/token", "> GET /fhir/R4/Patient?identifier=…", "> Authorization: [redacted]", "> X-Api-Key: [redacted]", "> X-Request-Id: ", "< HTTP/1.1 200 OK"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in:\n%s", want, got)
		}
	}
	for _, secret := range []string{sb.ClientSecret, sb.DeveloperAPIKey, tok.AccessToken, "9990000018"} {
		if strings.Contains(got, secret) {
			t.Errorf("the dump shows a secret or identifier (%.8s…):\n%s", secret, got)
		}
	}
}
