package sandbox_test

import (
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gm-lhcr/lhcr/sandbox"
)

// Bad input gets the right 4xx and an OperationOutcome whose diagnostics say what to fix; it is
// never a 500, and nothing is written.
func TestBadInput(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{})
	existing := ts.create(t, patientRes(nhsNumber(1), "Taylor", "Amelia"))
	patient := mustJSON(t, patientRes(nhsNumber(2), "Ashworth", "Zoë"))
	obs := mustJSON(t, observationRes(existing))
	big := `{"resourceType":"Patient","name":[{"text":"` + strings.Repeat("x", 1<<20) + `"}]}`
	withID := func(id string) string {
		return mustJSON(t, with(patientRes(nhsNumber(3), "Okafor", "Chidi"), "id", id))
	}

	tests := []struct {
		name, method, path, body string
		header                   []string
		status                   int
		code                     string
		diag                     []string // each must appear in the diagnostics
	}{
		// bodies that are not one FHIR resource
		{"malformed JSON", "POST", "/fhir/R4/Patient", `{"resourceType":"Patient",`, nil, 400, "invalid", []string{"JSON"}},
		{"trailing garbage", "POST", "/fhir/R4/Patient", `{"resourceType":"Patient"} x`, nil, 400, "invalid", []string{"JSON"}},
		{"JSON array", "POST", "/fhir/R4/Patient", `[` + patient + `]`, nil, 400, "invalid", []string{"object"}},
		{"JSON number", "POST", "/fhir/R4/Patient", `42`, nil, 400, "invalid", []string{"object"}},
		{"JSON string", "POST", "/fhir/R4/Patient", `"Patient"`, nil, 400, "invalid", []string{"object"}},
		{"JSON null", "POST", "/fhir/R4/Patient", `null`, nil, 400, "invalid", []string{"object"}},
		{"not UTF-8", "POST", "/fhir/R4/Patient", "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Bront\xeb\"}]}", nil, 400, "invalid", []string{"UTF-8"}},
		{"two resources", "POST", "/fhir/R4/Patient", patient + patient, nil, 400, "invalid", []string{"exactly one"}},
		{"stray closing brace", "POST", "/fhir/R4/Patient", `{"resourceType":"Patient"}}`, nil, 400, "invalid", []string{"exactly one"}},
		{"empty body", "POST", "/fhir/R4/Patient", "", []string{"Content-Type", "application/fhir+json"}, 400, "invalid", []string{"needs a body"}},
		{"wrong resourceType", "POST", "/fhir/R4/Patient", obs, nil, 422, "invalid", []string{"Observation", "Patient", "/fhir/R4/Observation"}},
		{"null element", "POST", "/fhir/R4/Patient", `{"resourceType":"Patient","active":null}`, nil, 422, "invalid", []string{"active", "null"}},
		{"no resourceType", "POST", "/fhir/R4/Patient", `{"gender":"female"}`, nil, 422, "", []string{"resourceType"}},
		{"unknown resource type", "POST", "/fhir/R4/Spaceship", patient, nil, 404, "not-found", []string{"Spaceship", "Patient"}},
		// invalid element values
		{"gender F", "POST", "/fhir/R4/Patient", mustJSON(t, with(patientRes(nhsNumber(2), "A", "B"), "gender", "F")), nil, 422, "invalid", []string{"gender", "female"}},
		{"UK birth date format", "POST", "/fhir/R4/Patient", mustJSON(t, with(patientRes(nhsNumber(2), "A", "B"), "birthDate", "12/04/1958")), nil, 422, "invalid", []string{"birthDate"}},
		{"impossible date", "POST", "/fhir/R4/Patient", mustJSON(t, with(patientRes(nhsNumber(2), "A", "B"), "birthDate", "1958-13-12")), nil, 422, "invalid", []string{"birthDate"}},
		{"name not a list", "POST", "/fhir/R4/Patient", `{"resourceType":"Patient","name":{"family":"Taylor"}}`, nil, 422, "invalid", []string{"name"}},
		{"observation without status", "POST", "/fhir/R4/Observation", mustJSON(t, with(observationRes(existing), "status", nil)), nil, 422, "invalid", []string{"status"}},
		{"quantity as text", "POST", "/fhir/R4/Observation", mustJSON(t, with(observationRes(existing), "valueQuantity", obj{"value": "58"})), nil, 422, "invalid", []string{"valueQuantity"}},
		{"bad id syntax in the body", "POST", "/fhir/R4/Patient", mustJSON(t, with(patientRes(nhsNumber(2), "A", "B"), "id", "no spaces allowed")), nil, 422, "invalid", []string{"id"}},
		// update
		{"body id differs from URL", "PUT", "/fhir/R4/Patient/" + existing, withID("someone-else"), nil, 400, "invalid", []string{"someone-else", existing}},
		{"update without id", "PUT", "/fhir/R4/Patient/" + existing, patient, nil, 400, "required", []string{"id"}},
		{"update-as-create without id", "PUT", "/fhir/R4/Patient/new-one", patient, nil, 400, "required", []string{"id"}},
		{"malformed If-Match", "PUT", "/fhir/R4/Patient/" + existing, withID(existing), []string{"If-Match", "yesterday"}, 400, "invalid", []string{"If-Match"}},
		{"If-Match on an absent resource", "PUT", "/fhir/R4/Patient/absent", withID("absent"), []string{"If-Match", `W/"1"`}, 412, "conflict", []string{"If-Match"}},
		{"bad version", "GET", "/fhir/R4/Patient/" + existing + "/_history/one", "", nil, 400, "invalid", []string{"vid"}},
		{"If-Match on delete", "DELETE", "/fhir/R4/Patient/" + existing, "", []string{"If-Match", `W/"7"`}, 412, "conflict", []string{"If-Match"}},
		// conditional create
		{"If-None-Exist unknown parameter", "POST", "/fhir/R4/Patient", patient, []string{"If-None-Exist", "colour=blue"}, 400, "not-supported", []string{"colour"}},
		{"If-None-Exist bad value", "POST", "/fhir/R4/Patient", patient, []string{"If-None-Exist", "birthdate=12/04/1958"}, 400, "invalid", []string{"birthdate"}},
		{"If-None-Exist empty condition", "POST", "/fhir/R4/Patient", patient, []string{"If-None-Exist", "_count=1"}, 400, "invalid", []string{"If-None-Exist"}},
		// search syntax
		{"date syntax", "GET", "/fhir/R4/Patient?birthdate=12/04/1958", "", nil, 400, "invalid", []string{"birthdate", "YYYY-MM-DD"}},
		{"date prefix", "GET", "/fhir/R4/Patient?birthdate=after1958", "", nil, 400, "invalid", []string{"prefix"}},
		{"impossible date", "GET", "/fhir/R4/Observation?date=2024-02-30", "", nil, 400, "invalid", []string{"date"}},
		{"token without code", "GET", "/fhir/R4/Patient?identifier=%7C", "", nil, 400, "invalid", []string{"identifier"}},
		{"empty value", "GET", "/fhir/R4/Patient?family=", "", nil, 400, "invalid", []string{"family"}},
		{"reference of the wrong type", "GET", "/fhir/R4/Observation?patient=Organization/ods-R0A", "", nil, 400, "invalid", []string{"patient", "Patient"}},
		{"unsupported modifier", "GET", "/fhir/R4/Patient?gender:missing=true", "", nil, 400, "not-supported", []string{"missing"}},
		{"count not a number", "GET", "/fhir/R4/Patient?_count=abc", "", nil, 400, "invalid", []string{"_count"}},
		{"sort on an unknown key", "GET", "/fhir/R4/Patient?_sort=family", "", nil, 400, "invalid", []string{"_sort"}},
		{"bad _total", "GET", "/fhir/R4/Patient?_total=lots", "", nil, 400, "invalid", []string{"_total"}},
		{"bad form body", "POST", "/fhir/R4/Patient/_search", "birthdate=12/04/1958", []string{"Content-Type", "application/x-www-form-urlencoded"}, 400, "invalid", []string{"birthdate"}},
		// transport
		{"body over 1 MiB", "POST", "/fhir/R4/Patient", big, nil, 413, "too-long", []string{"limit"}},
		{"text/plain", "POST", "/fhir/R4/Patient", patient, []string{"Content-Type", "text/plain"}, 415, "not-supported", []string{"Content-Type", "application/fhir+json"}},
		{"XML", "POST", "/fhir/R4/Patient", "<Patient/>", []string{"Content-Type", "application/fhir+xml"}, 415, "not-supported", []string{"Content-Type"}},
		{"JSON as a search form", "POST", "/fhir/R4/Patient/_search", `{"family":"taylor"}`, nil, 415, "not-supported", []string{"Content-Type"}},
	}
	before := ts.count(t, "Patient")
	beforeObs := ts.count(t, "Observation")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := ts.do(t, tt.method, tt.path, tt.body, tt.header...)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %.400s", status, tt.status, body)
			}
			if !strings.HasPrefix(h.Get("Content-Type"), "application/fhir+json") {
				t.Errorf("Content-Type %q", h.Get("Content-Type"))
			}
			code, diag := outcomeOf(t, body)
			if tt.code != "" && code != tt.code {
				t.Errorf("issue code %q, want %q (%s)", code, tt.code, diag)
			}
			for _, d := range tt.diag {
				if !strings.Contains(diag, d) {
					t.Errorf("diagnostics %q should mention %q", diag, d)
				}
			}
		})
	}
	if after := ts.count(t, "Patient"); after != before {
		t.Errorf("bad input wrote patients: %d before, %d after", before, after)
	}
	if after := ts.count(t, "Observation"); after != beforeObs {
		t.Errorf("bad input wrote observations: %d before, %d after", beforeObs, after)
	}
	for _, id := range []string{"new-one", "absent"} {
		if status, _, _ := ts.do(t, "GET", "/fhir/R4/Patient/"+id, ""); status != http.StatusNotFound {
			t.Errorf("Patient/%s: status %d after refused writes, want 404", id, status)
		}
	}
	if _, h, _ := ts.do(t, "GET", "/fhir/R4/Patient/"+existing, ""); h.Get("ETag") != `W/"1"` {
		t.Errorf("Patient/%s changed: ETag %q", existing, h.Get("ETag"))
	}
}

// A body over the limit is refused with 413 also when its length is not announced (chunked).
func TestBodyLimitChunked(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{})
	big := `{"resourceType":"Patient","name":[{"text":"` + strings.Repeat("x", 1<<20) + `"}]}`
	// An io.Reader that is not a *strings.Reader makes the client send the body chunked.
	req, err := http.NewRequest("POST", ts.URL+"/fhir/R4/Patient", io.MultiReader(strings.NewReader(big)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/fhir+json")
	resp, err := ts.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked body over the limit: status %d, want 413: %.300s", resp.StatusCode, body)
	}
	if code, _ := outcomeOf(t, body); code != "too-long" {
		t.Errorf("issue code %q", code)
	}
	if n := ts.count(t, "Patient"); n != 0 {
		t.Errorf("%d patients stored", n)
	}
}

// Media types: application/json is FHIR JSON, charset and fhirVersion parameters are accepted.
func TestContentTypes(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{})
	for i, ct := range []string{
		"application/fhir+json",
		"application/json",
		"application/fhir+json; charset=utf-8",
		"application/json;charset=UTF-8",
		"application/fhir+json; fhirVersion=4.0",
	} {
		t.Run(ct, func(t *testing.T) {
			status, h, body := ts.do(t, "POST", "/fhir/R4/Patient", mustJSON(t, patientRes(nhsNumber(i), "Taylor", "Amelia")), "Content-Type", ct)
			if status != http.StatusCreated {
				t.Fatalf("Content-Type %q: status %d, want 201: %.300s", ct, status, body)
			}
			if !strings.HasPrefix(h.Get("Content-Type"), "application/fhir+json") {
				t.Errorf("answer Content-Type %q", h.Get("Content-Type"))
			}
		})
	}
	if n := ts.count(t, "Patient"); n != 5 {
		t.Errorf("%d patients stored, want 5", n)
	}
}

// X-Request-ID is echoed when sent and made up otherwise; X-Correlation-ID is echoed. Both on
// successes and on errors.
func TestRequestIDs(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{})
	for _, path := range []string{"/fhir/R4/metadata", "/fhir/R4/Patient/unknown", "/fhir/R4/Patient?_count=abc"} {
		_, h, _ := ts.do(t, "GET", path, "", "X-Request-ID", "req-4711", "X-Correlation-ID", "journey-42")
		if h.Get("X-Request-ID") != "req-4711" || h.Get("X-Correlation-ID") != "journey-42" {
			t.Errorf("%s: X-Request-ID %q X-Correlation-ID %q, want both echoed", path, h.Get("X-Request-ID"), h.Get("X-Correlation-ID"))
		}
		_, h, _ = ts.do(t, "GET", path, "")
		id := h.Get("X-Request-ID")
		if b, err := hex.DecodeString(id); err != nil || len(b) != 16 {
			t.Errorf("%s: generated X-Request-ID %q, want 32 hex digits", path, id)
		}
		if h.Get("X-Correlation-ID") != "" {
			t.Errorf("%s: X-Correlation-ID %q without one sent", path, h.Get("X-Correlation-ID"))
		}
	}
	_, h1, _ := ts.do(t, "GET", "/fhir/R4/metadata", "")
	_, h2, _ := ts.do(t, "GET", "/fhir/R4/metadata", "")
	if h1.Get("X-Request-ID") == h2.Get("X-Request-ID") {
		t.Error("two requests got the same generated X-Request-ID")
	}
	// An id that cannot be echoed safely is replaced, never reflected.
	_, h, _ := ts.do(t, "POST", "/fhir/R4/Patient", mustJSON(t, patientRes(nhsNumber(1), "Taylor", "Amelia")), "X-Request-ID", "bad id with spaces")
	if got := h.Get("X-Request-ID"); got == "" || strings.Contains(got, " ") {
		t.Errorf("X-Request-ID %q for an unsafe id", got)
	}
}
