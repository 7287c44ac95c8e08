package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gm-lhcr/lhcr/sandbox"
)

// FuzzCreateResource POSTs arbitrary bytes as a Patient and as an Observation to one sandbox
// handler shared by every input. Whatever the bytes, the answer is never a 5xx; it is either a
// 201 with a stored resource that is valid against the contract and reads back byte for byte,
// or a 4xx OperationOutcome and nothing stored.
//
//	go test -run='^$' -fuzz=FuzzCreateResource -fuzztime=60s ./sandbox/
func FuzzCreateResource(f *testing.F) {
	const patient = "9a1b2c3d-0000-4000-8000-000000000001"
	for _, k := range kinds {
		if k.typ == "Patient" || k.typ == "Observation" {
			f.Add([]byte(mustJSONString(k.build(patient, 1))))
		}
	}
	for _, s := range []string{
		`{"resourceType":"Patient"}`,
		`{"resourceType":"Observation","status":"final","code":{"text":"HbA1c"}}`,
		`{"resourceType":"Patient","id":"chosen","meta":{"versionId":"7","lastUpdated":"1999-01-01T00:00:00Z","source":"x"}}`,
		`{"resourceType":"Patient","meta":null,"name":[{"family":"Brontë","given":["Zoë"]}],"gender":"female"}`,
		`{"resourceType":"Patient","gender":"F","birthDate":"12/04/1958"}`,
		`{"resourceType":"Patient","birthDate":"1958","deceasedDateTime":"2024-02-10T10:00:00+01:00"}`,
		`{"resourceType":"Patient","extension":[{"url":"https://example.org/x","valueDecimal":1.50}]}`,
		`{"resourceType":"Patient","multipleBirthInteger":1e400}`,
		`{"resourceType":"Patient","name":[{"family":"\u0000\ud800"}]}`,
		"{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"\xff\xfe\"}]}",
		"\xef\xbb\xbf{\"resourceType\":\"Patient\"}",
		`{"resourceType":"Patient","gender":"male","gender":"female","\u0069d":"x"}`,
		`{"resourceType":"Observation","resourceType":"Patient"}`,
		`{"resourceType":"Observation","status":"final","code":{},"subject":{"reference":"Patient/../../x"},"effectivePeriod":{"start":"2024","end":"2023"}}`,
		`{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"4548-4"}]},"valueQuantity":{"value":1e-400}}`,
		`[{"resourceType":"Patient"}]`, `null`, `42`, `"Patient"`, `{`, `{}`, ``, `{"resourceType":"Patient"}{}`,
		`{"resourceType":"Patient","contact":[{"name":{"family":` + strings.Repeat(`[`, 200) + `}}]}`,
	} {
		f.Add([]byte(s))
	}

	sb, err := sandbox.New(context.Background(), sandbox.Config{DBPath: f.TempDir() + "/fuzz.db"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() {
		if err := sb.IntegrityCheck(context.Background()); err != nil {
			f.Error(err)
		}
		sb.Close()
	})
	h := withToken(f, sb)
	loadContract(f)
	stored := map[string]int{}

	f.Fuzz(func(t *testing.T, body []byte) {
		for _, typ := range []string{"Patient", "Observation"} {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("POST", "/fhir/R4/"+typ, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/fhir+json")
			h.ServeHTTP(rec, req)
			got := rec.Body.Bytes()
			if rec.Code >= 500 {
				t.Fatalf("POST %s: status %d: %s", typ, rec.Code, got)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
				t.Fatalf("POST %s: status %d with Content-Type %q", typ, rec.Code, ct)
			}
			if rec.Code != http.StatusCreated {
				checkFuzzOutcome(t, typ, rec.Code, got)
				continue
			}
			stored[typ]++
			checkFuzzStored(t, h, typ, rec, got)
		}
		// Nothing but the 201s was written.
		for _, typ := range []string{"Patient", "Observation"} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/fhir/R4/"+typ+"?_summary=count", nil))
			var b struct{ Total int }
			if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil || b.Total != stored[typ] {
				t.Fatalf("%s: %d stored, %d created: %s", typ, b.Total, stored[typ], rec.Body.Bytes())
			}
		}
	})
}

// checkFuzzOutcome checks a refusal: a 4xx OperationOutcome with diagnostics.
func checkFuzzOutcome(t *testing.T, typ string, status int, body []byte) {
	t.Helper()
	if status < 400 {
		t.Fatalf("POST %s: status %d: %s", typ, status, body)
	}
	var oo struct {
		ResourceType string
		Issue        []struct{ Severity, Code, Diagnostics string }
	}
	if err := json.Unmarshal(body, &oo); err != nil || oo.ResourceType != "OperationOutcome" || len(oo.Issue) == 0 || oo.Issue[0].Diagnostics == "" {
		t.Fatalf("POST %s: status %d without an OperationOutcome that explains it: %s", typ, status, body)
	}
	if err := checkSchema(contractDoc, "OperationOutcome", body); err != nil {
		t.Fatalf("POST %s: status %d: the OperationOutcome is not valid: %v", typ, status, err)
	}
}

// checkFuzzStored checks a 201: a valid resource of the type with a server id and version 1,
// that reads back identically.
func checkFuzzStored(t *testing.T, h http.Handler, typ string, rec *httptest.ResponseRecorder, body []byte) {
	t.Helper()
	if !utf8.Valid(body) || !json.Valid(body) {
		t.Fatalf("POST %s: 201 with a body that is not UTF-8 JSON: %q", typ, body)
	}
	var res any
	json.Unmarshal(body, &res)
	if err := contractDoc.Components.Schemas[typ].Value.VisitJSON(res); err != nil {
		t.Fatalf("POST %s: 201 with a resource the contract calls invalid: %v\n%s", typ, err, body)
	}
	info, _ := parseInfo(body)
	if info.ResourceType != typ || info.ID == "" || info.Meta.VersionID != "1" {
		t.Fatalf("POST %s: 201 with resourceType %q id %q version %q", typ, info.ResourceType, info.ID, info.Meta.VersionID)
	}
	if loc := rec.Header().Get("Location"); !strings.HasSuffix(loc, "/fhir/R4/"+typ+"/"+info.ID+"/_history/1") {
		t.Fatalf("POST %s: Location %q", typ, loc)
	}
	back := httptest.NewRecorder()
	h.ServeHTTP(back, httptest.NewRequest("GET", "/fhir/R4/"+typ+"/"+info.ID, nil))
	if back.Code != http.StatusOK || !bytes.Equal(back.Body.Bytes(), body) {
		t.Fatalf("GET %s/%s: status %d, body differs from the 201's:\n%s\n%s", typ, info.ID, back.Code, back.Body.Bytes(), body)
	}
	if back.Header().Get("ETag") != `W/"1"` {
		t.Fatalf("GET %s/%s: ETag %q", typ, info.ID, back.Header().Get("ETag"))
	}
}
