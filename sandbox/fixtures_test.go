package sandbox_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gm-lhcr/lhcr/openapi"
)

// This file holds what the FHIR tests share: realistic UK Core resources, a Bundle decoder and
// request helpers on testServer.

// obj is a JSON object under construction.
type obj = map[string]any

// Code systems and identifier systems of the UK Core flavour.
const (
	sysNHS      = "https://fhir.nhs.uk/Id/nhs-number"
	sysODS      = "https://fhir.nhs.uk/Id/ods-organization-code"
	sysGMC      = "https://fhir.hl7.org.uk/Id/gmc-number"
	sysSNOMED   = "http://snomed.info/sct"
	sysLOINC    = "http://loinc.org"
	sysDMD      = "https://dmd.nhs.uk"
	sysUCUM     = "http://unitsofmeasure.org"
	sysActCode  = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	sysObsCat   = "http://terminology.hl7.org/CodeSystem/observation-category"
	sysCondClin = "http://terminology.hl7.org/CodeSystem/condition-clinical"
	sysAllClin  = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
	sysOrgType  = "http://terminology.hl7.org/CodeSystem/organization-type"
	sysODSRole  = "https://digital.nhs.uk/services/organisation-data-service/CodeSystem/ODSOrganisationRole"
	ukCore      = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-"
)

// resourceTypes are the resource types of the contract.
var resourceTypes = []string{"Patient", "Practitioner", "Organization", "Encounter", "Condition",
	"Observation", "MedicationRequest", "AllergyIntolerance", "Immunization"}

// loadContract returns the contract, loaded once for the whole test binary.
func loadContract(t testing.TB) *openapi3.T {
	t.Helper()
	contractOnce.Do(func() { contractDoc, contractErr = openapi.Load() })
	if contractErr != nil {
		t.Fatal(contractErr)
	}
	return contractDoc
}

// nhsNumber returns the n-th valid NHS number of the 999 test range (Modulus 11 check digit).
func nhsNumber(n int) string {
	for seq := n * 2; ; seq++ { // two candidates per n: at most one has no valid check digit
		base := fmt.Sprintf("999%06d", seq)
		sum := 0
		for i := range 9 {
			sum += int(base[i]-'0') * (10 - i)
		}
		check := 11 - sum%11
		if check == 11 {
			check = 0
		}
		if check != 10 {
			return base + string(rune('0'+check))
		}
	}
}

func coding(system, code, display string) obj {
	return obj{"system": system, "code": code, "display": display}
}

func concept(system, code, display string) obj {
	return obj{"coding": []any{coding(system, code, display)}, "text": display}
}

func ref(reference string) obj { return obj{"reference": reference} }

func profile(name string) obj { return obj{"profile": []any{ukCore + name}} }

// patientRes is a UK Core Patient with an NHS number.
func patientRes(nhs, family string, given ...string) obj {
	return obj{
		"resourceType": "Patient",
		"meta":         profile("Patient"),
		"identifier": []any{obj{
			"system": sysNHS, "value": nhs,
			"extension": []any{obj{
				"url": "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus",
				"valueCodeableConcept": concept("https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland",
					"01", "Number present and verified"),
			}},
		}},
		"name":      []any{obj{"use": "official", "family": family, "given": given}},
		"gender":    "female",
		"birthDate": "1958-04-12",
		"telecom":   []any{obj{"system": "phone", "value": "0161 496 0123", "use": "home"}},
		"address": []any{obj{"use": "home", "line": []any{"14 Chapel Street"}, "city": "Salford",
			"district": "Greater Manchester", "postalCode": "M3 5JZ", "country": "GB"}},
		"generalPractitioner": []any{obj{"reference": "Organization/ods-P84001", "display": "Salford Care Practice"}},
	}
}

func practitionerRes(gmc, family, given string) obj {
	return obj{
		"resourceType": "Practitioner",
		"meta":         profile("Practitioner"),
		"identifier":   []any{obj{"system": sysGMC, "value": gmc}},
		"name":         []any{obj{"family": family, "given": []any{given}, "prefix": []any{"Dr"}}},
		"gender":       "male",
	}
}

func organizationRes(ods, name string) obj {
	return obj{
		"resourceType": "Organization",
		"meta":         profile("Organization"),
		"identifier":   []any{obj{"system": sysODS, "value": ods}},
		"type":         []any{concept(sysOrgType, "prov", "Healthcare Provider")},
		"name":         name,
		"address": []any{obj{"line": []any{"Cobbett House", "Oxford Road"}, "city": "Manchester",
			"postalCode": "M13 9WL", "country": "GB"}},
	}
}

func encounterRes(patient string) obj {
	return obj{
		"resourceType":    "Encounter",
		"meta":            profile("Encounter"),
		"status":          "finished",
		"class":           coding(sysActCode, "AMB", "ambulatory"),
		"type":            []any{concept(sysSNOMED, "185316007", "Indirect encounter")},
		"subject":         ref("Patient/" + patient),
		"period":          obj{"start": "2024-03-01T09:30:00Z", "end": "2024-03-01T09:45:00Z"},
		"serviceProvider": ref("Organization/ods-P84001"),
	}
}

func conditionRes(patient string) obj {
	return obj{
		"resourceType":       "Condition",
		"meta":               profile("Condition"),
		"clinicalStatus":     concept(sysCondClin, "active", "Active"),
		"verificationStatus": concept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed"),
		"category":           []any{concept("http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item", "Problem List Item")},
		"code":               concept(sysSNOMED, "44054006", "Diabetes mellitus type 2"),
		"subject":            ref("Patient/" + patient),
		"onsetDateTime":      "2016-05-10",
		"recordedDate":       "2016-05-10",
	}
}

func observationRes(patient string) obj {
	return obj{
		"resourceType":      "Observation",
		"meta":              profile("Observation-Lab"),
		"status":            "final",
		"category":          []any{concept(sysObsCat, "laboratory", "Laboratory")},
		"code":              concept(sysLOINC, "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood"),
		"subject":           ref("Patient/" + patient),
		"effectiveDateTime": "2024-03-01T09:30:00Z",
		"valueQuantity":     obj{"value": 58, "unit": "mmol/mol", "system": sysUCUM, "code": "mmol/mol"},
	}
}

func medicationRequestRes(patient string) obj {
	return obj{
		"resourceType":              "MedicationRequest",
		"meta":                      profile("MedicationRequest"),
		"status":                    "active",
		"intent":                    "order",
		"medicationCodeableConcept": concept(sysDMD, "39113611000001102", "Metformin 500mg tablets"),
		"subject":                   ref("Patient/" + patient),
		"authoredOn":                "2024-01-15",
		"dosageInstruction": []any{obj{
			"text":   "One tablet twice a day with food",
			"timing": obj{"repeat": obj{"frequency": 2, "period": 1, "periodUnit": "d"}},
			"doseAndRate": []any{obj{"doseQuantity": obj{"value": 1, "unit": "tablet",
				"system": sysSNOMED, "code": "428673006"}}},
		}},
	}
}

func allergyRes(patient string) obj {
	return obj{
		"resourceType":   "AllergyIntolerance",
		"meta":           profile("AllergyIntolerance"),
		"clinicalStatus": concept(sysAllClin, "active", "Active"),
		"type":           "allergy",
		"category":       []any{"medication"},
		"criticality":    "high",
		"code":           concept(sysSNOMED, "764146007", "Penicillin"),
		"patient":        ref("Patient/" + patient),
		"recordedDate":   "2010-06-01",
		"reaction": []any{obj{
			"manifestation": []any{concept(sysSNOMED, "126485001", "Urticaria")},
			"severity":      "moderate",
		}},
	}
}

func immunizationRes(patient string) obj {
	return obj{
		"resourceType":       "Immunization",
		"meta":               profile("Immunization"),
		"status":             "completed",
		"vaccineCode":        concept(sysSNOMED, "38598009", "Measles-mumps-rubella vaccine"),
		"patient":            ref("Patient/" + patient),
		"occurrenceDateTime": "2020-05-04",
		"primarySource":      true,
		"protocolApplied":    []any{obj{"doseNumberPositiveInt": 1, "seriesDosesPositiveInt": 2}},
	}
}

// with returns a shallow copy of o with the given keys set (or removed, for a nil value).
func with(o obj, kv ...any) obj {
	c := make(obj, len(o)+len(kv)/2)
	for k, v := range o {
		c[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(c, kv[i].(string))
			continue
		}
		c[kv[i].(string)] = kv[i+1]
	}
	return c
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// bundle is a decoded Bundle.
type bundle struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Total        *int   `json:"total"`
	Link         []struct {
		Relation string `json:"relation"`
		URL      string `json:"url"`
	} `json:"link"`
	Entry []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Search   *struct {
			Mode string `json:"mode"`
		} `json:"search"`
		Request *struct {
			Method string `json:"method"`
			URL    string `json:"url"`
		} `json:"request"`
		Response *struct {
			Status string `json:"status"`
			Etag   string `json:"etag"`
		} `json:"response"`
	} `json:"entry"`
}

func (b bundle) link(rel string) string {
	for _, l := range b.Link {
		if l.Relation == rel {
			return l.URL
		}
	}
	return ""
}

// totalOf renders a Bundle's total for messages.
func totalOf(b bundle) string {
	if b.Total == nil {
		return "absent"
	}
	return fmt.Sprint(*b.Total)
}

// refs returns "Type/id" of every entry's resource, in order.
func (b bundle) refs() []string {
	var out []string
	for _, e := range b.Entry {
		var r struct{ ResourceType, ID string }
		json.Unmarshal(e.Resource, &r)
		out = append(out, r.ResourceType+"/"+r.ID)
	}
	return out
}

// ids returns the id of every entry's resource, in order.
func (b bundle) ids() []string {
	var out []string
	for _, r := range b.refs() {
		_, id, _ := strings.Cut(r, "/")
		out = append(out, id)
	}
	return out
}

// resourceInfo is the part of a stored resource the tests look at.
type resourceInfo struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Meta         struct {
		VersionID   string `json:"versionId"`
		LastUpdated string `json:"lastUpdated"`
	} `json:"meta"`
}

func decodeInfo(t testing.TB, body []byte) resourceInfo {
	t.Helper()
	ri, err := parseInfo(body)
	if err != nil {
		t.Fatalf("not a resource: %v: %s", err, body)
	}
	return ri
}

// parseInfo reads resourceType, id and meta by their exact names (encoding/json alone would
// also take "metA" for "meta").
func parseInfo(body []byte) (resourceInfo, error) {
	var ri resourceInfo
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return ri, err
	}
	json.Unmarshal(top["resourceType"], &ri.ResourceType)
	json.Unmarshal(top["id"], &ri.ID)
	var meta map[string]json.RawMessage
	json.Unmarshal(top["meta"], &meta)
	json.Unmarshal(meta["versionId"], &ri.Meta.VersionID)
	json.Unmarshal(meta["lastUpdated"], &ri.Meta.LastUpdated)
	return ri, nil
}

// outcomeOf decodes an OperationOutcome and returns its first issue's code and diagnostics; it
// fails the test if body is not an OperationOutcome.
func outcomeOf(t testing.TB, body []byte) (code, diagnostics string) {
	t.Helper()
	var oo struct {
		ResourceType string `json:"resourceType"`
		Issue        []struct {
			Code        string `json:"code"`
			Diagnostics string `json:"diagnostics"`
		} `json:"issue"`
	}
	if err := json.Unmarshal(body, &oo); err != nil || oo.ResourceType != "OperationOutcome" || len(oo.Issue) == 0 {
		t.Fatalf("not an OperationOutcome: %s", body)
	}
	return oo.Issue[0].Code, oo.Issue[0].Diagnostics
}

// create POSTs a resource and returns its id; it fails the test unless the answer is 201.
func (ts *testServer) create(t testing.TB, resource obj) string {
	t.Helper()
	typ := resource["resourceType"].(string)
	status, _, body := ts.do(t, "POST", "/fhir/R4/"+typ, mustJSON(t, resource))
	if status != http.StatusCreated {
		t.Fatalf("create %s: status %d: %s", typ, status, body)
	}
	return decodeInfo(t, body).ID
}

// search GETs a search (a path or an absolute URL) and decodes the Bundle; it fails the test
// unless the answer is 200.
func (ts *testServer) search(t testing.TB, path string, header ...string) bundle {
	t.Helper()
	status, _, body := ts.do(t, "GET", path, "", header...)
	if status != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", path, status, body)
	}
	var b bundle
	if err := json.Unmarshal(body, &b); err != nil || b.ResourceType != "Bundle" {
		t.Fatalf("GET %s: not a Bundle (%v): %.300s", path, err, body)
	}
	return b
}

// searchPost runs the search typ?query as a form POST to typ/_search.
func (ts *testServer) searchPost(t testing.TB, typ, query string) bundle {
	t.Helper()
	status, _, body := ts.do(t, "POST", "/fhir/R4/"+typ+"/_search", query, "Content-Type", "application/x-www-form-urlencoded")
	if status != http.StatusOK {
		t.Fatalf("POST %s/_search %s: status %d: %s", typ, query, status, body)
	}
	var b bundle
	if err := json.Unmarshal(body, &b); err != nil || b.ResourceType != "Bundle" {
		t.Fatalf("POST %s/_search: not a Bundle (%v): %.300s", typ, err, body)
	}
	return b
}

// count returns how many live resources of typ the server has, by a _summary=count search.
func (ts *testServer) count(t testing.TB, typ string) int {
	t.Helper()
	b := ts.search(t, "/fhir/R4/"+typ+"?_summary=count")
	if b.Total == nil {
		t.Fatalf("%s?_summary=count: no total", typ)
	}
	return *b.Total
}

// walk follows next links from path and returns every page.
func (ts *testServer) walk(t testing.TB, path string) []bundle {
	t.Helper()
	var pages []bundle
	for next := path; next != ""; {
		b := ts.search(t, next)
		pages = append(pages, b)
		next = b.link("next")
		if len(pages) > 10000 {
			t.Fatal("more than 10000 pages: the next links loop")
		}
	}
	return pages
}

// queryOf returns the decoded query of a link.
func queryOf(t testing.TB, link string) url.Values {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatalf("link %q: %v", link, err)
	}
	return u.Query()
}

// sameSet reports whether a and b hold the same strings, ignoring order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// doUnchecked is do without the contract check of the response. It is only for answers the
// contract does not describe yet: Prefer: return=minimal (no body) and return=OperationOutcome
// on writes, whose contract responses declare only the resource as content.
func (ts *testServer) doUnchecked(t testing.TB, method, path string, body string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	raw := *ts
	raw.client = &http.Client{Transport: ts.check.base} // the test app's token, no contract check
	return raw.do(t, method, path, body, header...)
}

func mustJSONString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
