package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gm-lhcr/lhcr/sandbox/sandboxtest"
)

func TestSignedJWT(t *testing.T) {
	sb := sandboxtest.New(t)
	var out bytes.Buffer
	if err := run(t.Context(), &out, sb.FHIRBaseURL, sb.DeveloperAPIKey); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{`"kty":"EC"`, `"crv":"P-384"`, "auth private_key_jwt", "Got a bearer token with private_key_jwt",
		"Read Priya Sharma (NHS number", "refused (403)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), `"d":`) {
		t.Error("the private key was printed")
	}
	if err := run(t.Context(), &out, sb.URL, sb.DeveloperAPIKey); err == nil {
		t.Error("a base URL without /fhir/R4 was accepted")
	}
	if err := run(t.Context(), &out, sb.FHIRBaseURL, ""); err == nil {
		t.Error("no API key was accepted")
	}
}
