package main

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gm-lhcr/lhcr/sandbox/sandboxtest"
	"github.com/gm-lhcr/lhcr/sdk"
)

func TestDiabetesRegister(t *testing.T) {
	sb := sandboxtest.New(t, sandboxtest.WithPatients(200))
	c, err := sdk.NewClient(sb.FHIRBaseURL, sdk.WithClientSecret(sb.ClientID, sb.ClientSecret))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(t.Context(), &out, c); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !regexp.MustCompile(`9990000018 +Tariq Mahmood +78 mmol/mol +2025-08-10 +above target`).MatchString(got) {
		t.Errorf("the story patient's row is missing or wrong:\n%s", got)
	}
	m := regexp.MustCompile(`(\d+) patients with active type 2 diabetes; (\d+) above`).FindStringSubmatch(got)
	if m == nil || m[1] == "0" || m[1] == "1" {
		t.Fatalf("summary line missing or too few patients:\n%s", got)
	}
	// One row per patient: the header, the rows, a blank line and the summary.
	if rows := strings.Count(got, "\n") - 3; m[1] != strconv.Itoa(rows) {
		t.Errorf("%s patients counted, %d rows printed:\n%s", m[1], rows, got)
	}
}
