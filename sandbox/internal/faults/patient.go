package faults

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gm-lhcr/lhcr/sandbox/internal/outcome"
)

// NHS numbers of the built-in demonstration patient served for magic ids (valid Modulus 11, in
// the 999 test range, outside the seeded population's numbers).
const (
	MagicNHSNumber     = "9998880009" // the patient; the old number when superseded
	SuccessorNHSNumber = "9998880017" // the number that replaced it
)

const (
	nhsSystem = "https://fhir.nhs.uk/Id/nhs-number"
	// ConfidentialitySystem and Restricted are the security label of NHS restricted
	// ("sensitive") records.
	ConfidentialitySystem = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
	Restricted            = "R"
)

// demoPatient is the built-in Patient answered for a magic id.
func demoPatient(id, nhs string) map[string]any {
	return map[string]any{
		"resourceType": "Patient",
		"id":           id,
		"meta": map[string]any{
			"versionId":   "1",
			"lastUpdated": "2025-01-01T00:00:00Z",
			"profile":     []any{"https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"},
		},
		"identifier": []any{map[string]any{"system": nhsSystem, "value": nhs}},
		"name":       []any{map[string]any{"use": "official", "family": "SIMULATION", "given": []any{"Fault"}}},
		"gender":     "unknown",
		"birthDate":  "1980-01-01",
		"telecom":    []any{map[string]any{"system": "phone", "value": "0161 496 0000", "use": "home"}},
		"address": []any{map[string]any{"use": "home", "line": []any{"1 Example Street"}, "city": "Manchester",
			"postalCode": "M1 1AA", "country": "GB"}},
		"generalPractitioner": []any{map[string]any{"identifier": map[string]any{
			"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "P84001"}}},
	}
}

// serveMagic answers a read or search of a magic Patient id with the built-in patient.
func serveMagic(w http.ResponseWriter, r *http.Request, sc Scenario) {
	id, nhs := patientID(r), MagicNHSNumber
	if id == SuccessorID {
		nhs = SuccessorNHSNumber
	}
	p := demoPatient(id, nhs)
	changePatient(p, sc.Kind)
	if rest := strings.TrimPrefix(r.URL.Path, "/fhir/R4/Patient"); rest == "" || rest == "/_search" {
		self := "/fhir/R4/Patient?_id=" + id
		outcome.WriteJSON(w, http.StatusOK, map[string]any{
			"resourceType": "Bundle",
			"type":         "searchset",
			"total":        1,
			"link":         []any{map[string]any{"relation": "self", "url": self}},
			"entry": []any{map[string]any{"fullUrl": "Patient/" + id, "resource": p,
				"search": map[string]any{"mode": "match"}}},
		})
		return
	}
	w.Header().Set("ETag", `W/"1"`)
	w.Header().Set("Last-Modified", "Wed, 01 Jan 2025 00:00:00 GMT")
	outcome.WriteJSON(w, http.StatusOK, p)
}

// changePatient applies a scenario to a decoded Patient.
func changePatient(p map[string]any, k Kind) {
	switch k {
	case SensitivePatient:
		delete(p, "address")
		delete(p, "telecom")
		delete(p, "generalPractitioner")
		meta, _ := p["meta"].(map[string]any)
		if meta == nil {
			meta = map[string]any{}
			p["meta"] = meta
		}
		sec, _ := meta["security"].([]any)
		meta["security"] = append(sec, map[string]any{"system": ConfidentialitySystem, "code": Restricted, "display": "restricted"})
	case SupersededNHSNumber:
		ids, _ := p["identifier"].([]any)
		for _, v := range ids {
			if id, ok := v.(map[string]any); ok && id["system"] == nhsSystem {
				id["use"] = "old"
			}
		}
		links, _ := p["link"].([]any)
		p["link"] = append(links, map[string]any{"other": map[string]any{"reference": "Patient/" + SuccessorID}, "type": "replaced-by"})
	}
}

// transform applies a scenario to a Patient or a Bundle of them; anything else is unchanged.
func transform(body []byte, k Kind) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // FHIR decimals keep their precision
	var v map[string]any
	if dec.Decode(&v) != nil {
		return body
	}
	switch v["resourceType"] {
	case "Patient":
		changePatient(v, k)
	case "Bundle":
		entries, _ := v["entry"].([]any)
		for _, e := range entries {
			if e, ok := e.(map[string]any); ok {
				if res, ok := e["resource"].(map[string]any); ok && res["resourceType"] == "Patient" {
					changePatient(res, k)
				}
			}
		}
	default:
		return body
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return body
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// recorder buffers a response so that it can be changed before it is sent.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// replay sends the recorded response, its body changed by change when it is a 200.
func (r *recorder) replay(w http.ResponseWriter, change func([]byte) []byte) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	body := r.body.Bytes()
	if r.status == http.StatusOK {
		body = change(body)
	}
	for k, v := range r.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(r.status)
	w.Write(body)
}
