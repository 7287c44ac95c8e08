package search

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// The examples of openapi/lhcr.yaml (components/schemas/*/example) as JSON, some extended.
const (
	patientJSON = `{
  "resourceType": "Patient",
  "id": "9a1b2c3d-0000-4000-8000-000000000001",
  "meta": {"versionId": "1", "lastUpdated": "2025-01-01T00:00:00Z",
    "profile": ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"]},
  "identifier": [{
    "system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9990000018",
    "extension": [{
      "url": "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus",
      "valueCodeableConcept": {"coding": [{
        "system": "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland",
        "code": "01", "display": "Number present and verified"}]}}]}],
  "name": [{"use": "official", "family": "Taylor", "given": ["Amelia", "Rose"], "prefix": ["Mrs"]}],
  "gender": "female",
  "birthDate": "1958-04-12",
  "telecom": [{"system": "phone", "value": "0161 496 0123", "use": "home"}],
  "address": [{"use": "home", "line": ["14 Chapel Street"], "city": "Salford",
    "district": "Greater Manchester", "postalCode": "M3 5JZ", "country": "GB"}],
  "generalPractitioner": [{"reference": "Organization/ods-P84001", "display": "Example Medical Practice"}]
}`
	// A deceased patient with two names (one repeating a part), a GP and an unusable reference.
	patient2JSON = `{
  "resourceType": "Patient",
  "id": "p2",
  "identifier": [
    {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9990000026"},
    {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9990000026"},
    {"system": "urn:oid:1.2.3"}
  ],
  "name": [
    {"use": "official", "family": "Núñez", "given": ["José"], "text": "José Núñez"},
    {"use": "maiden", "family": "Núñez"}
  ],
  "gender": "male",
  "birthDate": "1940",
  "deceasedDateTime": "2024-02-10T14:20:00+00:00",
  "address": [{"postalCode": "M13 9WL"}, {"postalCode": "M13 9WL"}],
  "generalPractitioner": [
    {"reference": "Practitioner/gmc-7012345"},
    {"reference": "https://fhir.example.org/fhir/R4/Organization/ods-P84001/_history/3"},
    {"identifier": {"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "P84001"}},
    {"reference": "#contained-gp"},
    {"reference": "urn:uuid:5c8b6b5e-0000-4000-8000-000000000000"},
    {"reference": "Patient/p1"}
  ]
}`
	practitionerJSON = `{
  "resourceType": "Practitioner",
  "id": "gmc-7012345",
  "meta": {"profile": ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Practitioner"]},
  "identifier": [{"system": "https://fhir.hl7.org.uk/Id/gmc-number", "value": "7012345"}],
  "name": [{"family": "Okafor", "given": ["Chidi"], "prefix": ["Dr"]}],
  "gender": "male"
}`
	organizationJSON = `{
  "resourceType": "Organization",
  "id": "ods-R0A",
  "meta": {"profile": ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Organization"]},
  "identifier": [{"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "R0A"}],
  "type": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/organization-type", "code": "prov", "display": "Healthcare Provider"}], "text": "NHS trust"}],
  "name": "Manchester University NHS Foundation Trust",
  "alias": ["MFT"],
  "address": [{"line": ["Cobbett House", "Oxford Road"], "city": "Manchester", "postalCode": "M13 9WL", "country": "GB"}]
}`
	encounterJSON = `{
  "resourceType": "Encounter",
  "id": "enc-0001",
  "meta": {"profile": ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Encounter"]},
  "status": "finished",
  "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB", "display": "ambulatory"},
  "type": [{"coding": [{"system": "http://snomed.info/sct", "code": "185316007", "display": "Indirect encounter"}]}],
  "subject": {"reference": "Patient/9a1b2c3d-0000-4000-8000-000000000001"},
  "period": {"start": "2024-03-01T09:30:00Z", "end": "2024-03-01T09:45:00Z"},
  "serviceProvider": {"reference": "Organization/ods-P84001"}
}`
	conditionJSON = `{
  "resourceType": "Condition",
  "id": "cond-0001",
  "meta": {"profile": ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Condition"]},
  "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active", "display": "Active"}]},
  "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "confirmed", "display": "Confirmed"}]},
  "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-category", "code": "problem-list-item", "display": "Problem List Item"}]}],
  "code": {"coding": [{"system": "http://snomed.info/sct", "code": "44054006", "display": "Diabetes mellitus type 2"}]},
  "subject": {"reference": "Patient/9a1b2c3d-0000-4000-8000-000000000001"},
  "onsetDateTime": "2016-05-10",
  "recordedDate": "2016-05-10"
}`
	observationJSON = `{
  "resourceType": "Observation",
  "id": "obs-0001",
  "meta": {"profile": ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Observation-Lab"]},
  "status": "final",
  "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory", "display": "Laboratory"}]}],
  "code": {"coding": [
    {"system": "http://loinc.org", "code": "4548-4", "display": "Hemoglobin A1c/Hemoglobin.total in Blood"},
    {"system": "http://snomed.info/sct", "code": "1107481000000106", "display": "HbA1c level (IFCC standardised)"}],
    "text": "HbA1c"},
  "subject": {"reference": "Patient/9a1b2c3d-0000-4000-8000-000000000001"},
  "effectiveDateTime": "2024-03-01T09:30:00Z",
  "issued": "2024-03-01T12:00:00.000Z",
  "performer": [{"reference": "Organization/ods-R0A"}],
  "valueQuantity": {"value": 58, "unit": "mmol/mol", "system": "http://unitsofmeasure.org", "code": "mmol/mol"},
  "interpretation": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "code": "H"}]}],
  "referenceRange": [{"low": {"value": 20, "unit": "mmol/mol"}, "high": {"value": 41, "unit": "mmol/mol"}}]
}`
	// A blood pressure over a period that is still open.
	observation2JSON = `{
  "resourceType": "Observation",
  "id": "obs-0002",
  "status": "final",
  "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}]}],
  "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
  "subject": {"reference": "Patient/p1"},
  "effectivePeriod": {"start": "2024-03-01"},
  "component": [{"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]}, "valueQuantity": {"value": 142}}]
}`
	medicationRequestJSON = `{
  "resourceType": "MedicationRequest",
  "id": "medreq-0001",
  "meta": {"profile": ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-MedicationRequest"]},
  "status": "active",
  "intent": "order",
  "medicationCodeableConcept": {"coding": [{"system": "https://dmd.nhs.uk", "code": "39113611000001102", "display": "Metformin 500mg tablets"}]},
  "subject": {"reference": "Patient/9a1b2c3d-0000-4000-8000-000000000001"},
  "authoredOn": "2024-01-15",
  "reasonReference": [{"reference": "Condition/cond-0001"}],
  "dosageInstruction": [{"text": "One tablet twice a day with food",
    "timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
    "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "tablet", "system": "http://snomed.info/sct", "code": "428673006"}}]}]
}`
	allergyJSON = `{
  "resourceType": "AllergyIntolerance",
  "id": "allergy-0001",
  "meta": {"profile": ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-AllergyIntolerance"]},
  "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": "active", "display": "Active"}]},
  "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "code": "confirmed", "display": "Confirmed"}]},
  "type": "allergy",
  "category": ["medication"],
  "criticality": "high",
  "code": {"coding": [{"system": "http://snomed.info/sct", "code": "764146007", "display": "Penicillin"}]},
  "patient": {"reference": "Patient/9a1b2c3d-0000-4000-8000-000000000001"},
  "recordedDate": "2010-06-01",
  "reaction": [{"manifestation": [{"coding": [{"system": "http://snomed.info/sct", "code": "126485001", "display": "Urticaria"}]}], "severity": "moderate"}]
}`
	immunizationJSON = `{
  "resourceType": "Immunization",
  "id": "imm-0001",
  "meta": {"profile": ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Immunization"]},
  "status": "completed",
  "vaccineCode": {"coding": [{"system": "http://snomed.info/sct", "code": "38598009", "display": "Measles-mumps-rubella vaccine"}]},
  "patient": {"reference": "Patient/9a1b2c3d-0000-4000-8000-000000000001"},
  "occurrenceDateTime": "2020-05-04",
  "primarySource": true,
  "protocolApplied": [{"doseNumberPositiveInt": 1, "seriesDosesPositiveInt": 2}]
}`
)

const pat1 = "9a1b2c3d-0000-4000-8000-000000000001"

func tok(param, system, code string) Entry {
	return Entry{Param: param, Type: Token, System: system, Code: code}
}

func strEntry(param, s string) Entry {
	return Entry{Param: param, Type: String, Text: NormalizeString(s), Exact: s}
}

// dateE is the entry of a date, or of a period "start/end" with either side empty.
func dateE(param, s string) Entry {
	start, end, isPeriod := strings.Cut(s, "/")
	if !isPeriod {
		end = start
	}
	e := Entry{Param: param, Type: Date, Low: FarPast, High: FarFuture}
	if start != "" {
		e.Low, _, _ = ParseDateRange(start)
	}
	if end != "" {
		_, e.High, _ = ParseDateRange(end)
	}
	return e
}

func ref(param, typ, id string) Entry {
	return Entry{Param: param, Type: Reference, RefType: typ, RefID: id}
}

func TestExtract(t *testing.T) {
	tests := []struct {
		name, rt, json string
		want           []Entry
	}{
		{"patient", "Patient", patientJSON, []Entry{
			tok("identifier", "https://fhir.nhs.uk/Id/nhs-number", "9990000018"),
			strEntry("family", "Taylor"),
			strEntry("given", "Amelia"), strEntry("given", "Rose"),
			strEntry("name", "Taylor"), strEntry("name", "Amelia"), strEntry("name", "Rose"), strEntry("name", "Mrs"),
			dateE("birthdate", "1958-04-12"),
			tok("gender", "", "female"),
			strEntry("address-postalcode", "M3 5JZ"),
			ref("general-practitioner", "Organization", "ods-P84001"),
		}},
		{"deceased patient", "Patient", patient2JSON, []Entry{
			tok("identifier", "https://fhir.nhs.uk/Id/nhs-number", "9990000026"),
			strEntry("family", "Núñez"),
			strEntry("given", "José"),
			strEntry("name", "Núñez"), strEntry("name", "José"), strEntry("name", "José Núñez"),
			dateE("birthdate", "1940"),
			tok("gender", "", "male"),
			strEntry("address-postalcode", "M13 9WL"),
			ref("general-practitioner", "Practitioner", "gmc-7012345"),
			ref("general-practitioner", "Organization", "ods-P84001"),
			dateE("death-date", "2024-02-10T14:20:00Z"),
		}},
		{"practitioner", "Practitioner", practitionerJSON, []Entry{
			tok("identifier", "https://fhir.hl7.org.uk/Id/gmc-number", "7012345"),
			strEntry("name", "Okafor"), strEntry("name", "Chidi"), strEntry("name", "Dr"),
		}},
		{"organization", "Organization", organizationJSON, []Entry{
			tok("identifier", "https://fhir.nhs.uk/Id/ods-organization-code", "R0A"),
			strEntry("name", "Manchester University NHS Foundation Trust"), strEntry("name", "MFT"),
			tok("type", "http://terminology.hl7.org/CodeSystem/organization-type", "prov"),
		}},
		{"encounter", "Encounter", encounterJSON, []Entry{
			ref("patient", "Patient", pat1),
			ref("subject", "Patient", pat1),
			dateE("date", "2024-03-01T09:30:00Z/2024-03-01T09:45:00Z"),
			tok("class", "http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB"),
			tok("status", "", "finished"),
		}},
		{"condition", "Condition", conditionJSON, []Entry{
			ref("patient", "Patient", pat1),
			ref("subject", "Patient", pat1),
			tok("code", "http://snomed.info/sct", "44054006"),
			tok("clinical-status", "http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
			dateE("onset-date", "2016-05-10"),
		}},
		{"observation", "Observation", observationJSON, []Entry{
			ref("patient", "Patient", pat1),
			ref("subject", "Patient", pat1),
			tok("code", "http://loinc.org", "4548-4"),
			tok("code", "http://snomed.info/sct", "1107481000000106"),
			tok("category", "http://terminology.hl7.org/CodeSystem/observation-category", "laboratory"),
			dateE("date", "2024-03-01T09:30:00Z"),
			tok("status", "", "final"),
		}},
		{"observation over an open period", "Observation", observation2JSON, []Entry{
			ref("patient", "Patient", "p1"),
			ref("subject", "Patient", "p1"),
			tok("code", "http://loinc.org", "85354-9"),
			tok("category", "http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs"),
			dateE("date", "2024-03-01/"),
			tok("status", "", "final"),
		}},
		{"medication request", "MedicationRequest", medicationRequestJSON, []Entry{
			ref("patient", "Patient", pat1),
			ref("subject", "Patient", pat1),
			tok("status", "", "active"),
			dateE("authoredon", "2024-01-15"),
			tok("code", "https://dmd.nhs.uk", "39113611000001102"),
		}},
		{"allergy", "AllergyIntolerance", allergyJSON, []Entry{
			ref("patient", "Patient", pat1),
			tok("clinical-status", "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active"),
			tok("code", "http://snomed.info/sct", "764146007"),
		}},
		{"immunization", "Immunization", immunizationJSON, []Entry{
			ref("patient", "Patient", pat1),
			dateE("date", "2020-05-04"),
			tok("vaccine-code", "http://snomed.info/sct", "38598009"),
		}},
		{"minimal", "Patient", `{"resourceType":"Patient"}`, nil},
		{"no resourceType", "Immunization", `{"occurrenceDateTime":"2020"}`, []Entry{dateE("date", "2020")}},
		{"odd shapes", "Patient", `{
		  "identifier": "9990000018",
		  "name": [null, 3, "Taylor", {"family": ["Taylor"], "given": "Amelia", "prefix": [[["Mrs"]]], "text": {"x": 1}}, [{"family": "Smith"}]],
		  "birthDate": 1958,
		  "gender": {"code": "female"},
		  "address": {"postalCode": "M3 5JZ"},
		  "generalPractitioner": {"reference": ["Organization/x"]},
		  "deceasedDateTime": "yesterday"
		}`, []Entry{
			tok("identifier", "", "9990000018"),
			strEntry("family", "Taylor"), strEntry("family", "Smith"),
			strEntry("given", "Amelia"),
			strEntry("name", "Taylor"), strEntry("name", "Smith"), strEntry("name", "Amelia"), strEntry("name", "Mrs"),
			tok("gender", "", "female"),
			strEntry("address-postalcode", "M3 5JZ"),
		}},
		{"odd codings", "Observation", `{
		  "code": {"coding": {"system": "http://loinc.org", "code": "4548-4"}},
		  "category": [{"coding": [null, "x", {"code": 5}, {"system": "s"}, {"code": "c"}]}, {"text": "only text"}],
		  "status": null,
		  "subject": {"reference": 42},
		  "effectivePeriod": {"start": "2024-03-02", "end": "2024-03-01"},
		  "effectiveDateTime": "2024-02-30"
		}`, []Entry{
			tok("code", "http://loinc.org", "4548-4"),
			tok("category", "", "c"),
		}},
		{"period without start", "Encounter", `{"period": {"end": "2024-03-01"}}`, []Entry{dateE("date", "/2024-03-01")}},
		{"empty period", "Encounter", `{"period": {}}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Extract(tt.rt, []byte(tt.json))
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Extract:\n got %s\nwant %s", fmtEntries(got), fmtEntries(tt.want))
			}
		})
	}
}

func fmtEntries(es []Entry) string {
	var b strings.Builder
	for _, e := range es {
		switch e.Type {
		case Token:
			fmt.Fprintf(&b, "\n\t%s=%s|%s", e.Param, e.System, e.Code)
		case String:
			fmt.Fprintf(&b, "\n\t%s=%q/%q", e.Param, e.Text, e.Exact)
		case Date:
			fmt.Fprintf(&b, "\n\t%s=[%s, %s)", e.Param, e.Low.Format("2006-01-02T15:04:05.000Z07:00"), e.High.Format("2006-01-02T15:04:05.000Z07:00"))
		case Reference:
			fmt.Fprintf(&b, "\n\t%s=%s/%s", e.Param, e.RefType, e.RefID)
		default:
			fmt.Fprintf(&b, "\n\t%+v", e)
		}
	}
	return b.String()
}

func TestExtractErrors(t *testing.T) {
	tests := []struct{ rt, json string }{
		{"Patient", ``},
		{"Patient", `{`},
		{"Patient", `{"resourceType":"Patient"} trailing`},
		{"Patient", `[]`},
		{"Patient", `null`},
		{"Patient", `"Patient"`},
		{"Patient", `{"resourceType":"Observation"}`},
		{"Patient", `{"resourceType":7}`},
		{"Bundle", `{"resourceType":"Bundle"}`},
	}
	for _, tt := range tests {
		if got, err := Extract(tt.rt, []byte(tt.json)); err == nil {
			t.Errorf("Extract(%s, %q) = %v, want an error", tt.rt, tt.json, got)
		}
	}
}

// TestExtractMatchesParse checks that both sides agree: each example resource is found by a
// search built from its own values.
func TestExtractMatchesParse(t *testing.T) {
	tests := []struct{ rt, json, query string }{
		{"Patient", patientJSON, "identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018&family=TAYL&given=rose&name=mrs&birthdate=1958&gender=female&address-postalcode=m3&general-practitioner=ods-P84001"},
		{"Patient", patient2JSON, "family=nunez&family:exact=Núñez&name:contains=NEZ&death-date=ge2024-02&general-practitioner=Practitioner/gmc-7012345"},
		{"Encounter", encounterJSON, "patient=" + pat1 + "&date=2024-03-01&date=ge2024-03-01T09:30Z&class=AMB&status=finished"},
		{"Observation", observationJSON, "code=http://snomed.info/sct|1107481000000106&category=laboratory&date=2024-03&subject=Patient/" + pat1},
		{"Observation", observation2JSON, "date=gt2030&code=http://loinc.org|"},
		{"MedicationRequest", medicationRequestJSON, "authoredon=lt2024-02&code=39113611000001102&status=active"},
		{"Immunization", immunizationJSON, "date=2020-05&vaccine-code=|38598009,http://snomed.info/sct|38598009"},
	}
	for _, tt := range tests {
		entries, err := Extract(tt.rt, []byte(tt.json))
		if err != nil {
			t.Fatal(err)
		}
		q, err := Parse(tt.rt, mustParseQuery(t, tt.query), true)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range q.Clauses {
			if !clauseMatches(c, entries) {
				t.Errorf("%s?%s: clause %s does not match the resource's entries %s", tt.rt, tt.query, c.Def.Name, fmtEntries(entries))
			}
		}
	}
}

// clauseMatches is what the store does: some value of the clause matches some entry.
func clauseMatches(c Clause, entries []Entry) bool {
	for _, v := range c.Values {
		for _, e := range entries {
			if e.Param != c.Def.Name {
				continue
			}
			var ok bool
			switch c.Def.Type {
			case Token:
				ok = v.MatchesToken(e)
			case String:
				ok = v.MatchesString(c.Modifier, e)
			case Date:
				ok = v.MatchesDate(e)
			case Reference:
				ok = v.MatchesReference(e)
			}
			if ok {
				return true
			}
		}
	}
	return false
}

func BenchmarkExtract(b *testing.B) {
	for _, bb := range []struct{ name, rt, json string }{
		{"Observation", "Observation", observationJSON},
		{"Patient", "Patient", patientJSON},
	} {
		b.Run(bb.name, func(b *testing.B) {
			data := []byte(bb.json)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Extract(bb.rt, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
