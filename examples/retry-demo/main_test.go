package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/gm-lhcr/lhcr/sandbox/sandboxtest"
)

func TestRetryDemo(t *testing.T) {
	sb := sandboxtest.New(t)
	var out bytes.Buffer
	if err := run(t.Context(), &out, sb.FHIRBaseURL, sb.ClientID, sb.ClientSecret); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	got := out.String()
	for _, re := range []string{
		`msg="lhcr: retrying" method=GET path=/fhir/R4/Patient/story-diabetes attempt=1 status=503 .*wait=1s`,
		`msg="lhcr: retrying" method=GET path=/fhir/R4/Patient/story-diabetes attempt=2 status=502`,
		`read Tariq Mahmood after 3 attempts, all with X-Request-ID [0-9a-f]{32}\n`,
		`1 attempt; error: lhcr: POST /fhir/R4/Patient: 503 Service Unavailable: transient: the demo proxy says 503 \[request id`,
		`not retrying: the wait would pass the context deadline`,
		`1 attempt; error: lhcr: GET /fhir/R4/Patient/story-diabetes: 503`,
	} {
		if !regexp.MustCompile(re).MatchString(got) {
			t.Errorf("output does not match %s:\n%s", re, got)
		}
	}
	if strings.Contains(got, sb.ClientSecret) {
		t.Error("the output shows the secret")
	}
}
