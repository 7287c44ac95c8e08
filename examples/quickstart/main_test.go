package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gm-lhcr/lhcr/sandbox/sandboxtest"
)

func TestQuickstart(t *testing.T) {
	sb := sandboxtest.New(t)
	var out bytes.Buffer
	if err := run(t.Context(), &out, sb.FHIRBaseURL, sb.ClientID, sb.ClientSecret); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Got an access token", "Tariq Mahmood, NHS number 9990000018", "Active problems:", "Type 2 diabetes"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := run(t.Context(), &out, sb.FHIRBaseURL, sb.ClientID, ""); err == nil || !strings.Contains(err.Error(), "LHCR_CLIENT_SECRET") {
		t.Errorf("without a secret: %v", err)
	}
}
