package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gm-lhcr/lhcr/sandbox/sandboxtest"
)

func TestFaultDrill(t *testing.T) {
	sb := sandboxtest.New(t, sandboxtest.WithPatients(10))
	var out bytes.Buffer
	if err := run(t.Context(), &out, sb.FHIRBaseURL, sb.ClientID, sb.ClientSecret); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"simulate-429", "429 after 3 attempt(s)", "rate limited true",
		"503 after 3 attempt(s)",
		"504 after 3 attempt(s)",
		"gave up at the 2s deadline",
		"simulate-latency-300 (slow but fine: succeeds)\n  ok after",
		"412 after 1 attempt(s)", "conflict true",
		"401 after 1 attempt(s)", "unauthorized true",
		"restricted (do not show address, telecom or GP); 0 addresses, 0 telecoms",
		"replaced by Patient/simulate-successor",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}
