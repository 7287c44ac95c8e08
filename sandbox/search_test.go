package sandbox_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gm-lhcr/lhcr/sandbox"
	"github.com/gm-lhcr/lhcr/sandbox/internal/search"
)

// corpus is a small, fully known data set: every search below must find exactly the labelled
// resources it lists, so each query is both a matching and a non-matching test.
type corpus struct {
	ids    map[string]string // label → id
	labels map[string]string // id → label
}

func (c *corpus) add(label, id string) {
	c.ids[label], c.labels[id] = id, label
}

// label replaces ids by labels in a query and in results.
func (c *corpus) expand(s string) string {
	for label, id := range c.ids {
		s = strings.ReplaceAll(s, "{"+label+"}", id)
	}
	return s
}

func (c *corpus) labelsOf(ids []string) []string {
	out := []string{}
	for _, id := range ids {
		l, ok := c.labels[id]
		if !ok {
			l = "?" + id
		}
		out = append(out, l)
	}
	return out
}

func newCorpus(t *testing.T, ts *testServer) *corpus {
	c := &corpus{ids: map[string]string{}, labels: map[string]string{}}

	// Patients. Taylor: full day birth date, NHS number, GP practice. Zoë: a partial birth date,
	// an accented name, a named GP and a date of death. Okafor: a second, system-less identifier.
	taylor := patientRes(nhsNumber(1), "Taylor", "Amelia", "Rose")
	taylor["name"] = []any{obj{"use": "official", "family": "Taylor", "given": []any{"Amelia", "Rose"}, "prefix": []any{"Mrs"}}}
	c.add("taylor", ts.create(t, taylor))

	zoe := with(patientRes(nhsNumber(2), "Ashworth", "Zoë"),
		"birthDate", "1990-11",
		"deceasedDateTime", "2024-02-10T10:00:00Z",
		"generalPractitioner", []any{ref("Practitioner/gmc-7012345")},
		"address", []any{obj{"line": []any{"1 Oxford Road"}, "city": "Manchester", "postalCode": "M13 9WL", "country": "GB"}})
	zoe["name"] = []any{obj{"use": "official", "family": "Ashworth", "given": []any{"Zoë"}, "text": "Zoë Ashworth"}}
	c.add("zoe", ts.create(t, zoe))

	okafor := with(patientRes(nhsNumber(3), "Okafor", "Chidi"),
		"gender", "male",
		"birthDate", "2001-01-31",
		"generalPractitioner", []any{ref("Organization/ods-P84002")},
		"address", []any{obj{"line": []any{"2 Shaw Road"}, "city": "Stockport", "postalCode": "SK4 1AA", "country": "GB"}})
	okafor["identifier"] = append(okafor["identifier"].([]any), obj{"value": "LOCAL-77"})
	c.add("okafor", ts.create(t, okafor))

	c.add("dr-okafor", ts.create(t, practitionerRes("7012345", "Okafor", "Chidi")))
	hughes := practitionerRes("7054321", "Hughes", "Siân")
	hughes["name"] = []any{obj{"family": "Hughes", "given": []any{"Siân"}, "prefix": []any{"Dr"}}}
	c.add("dr-hughes", ts.create(t, hughes))

	c.add("mft", ts.create(t, organizationRes("R0A", "Manchester University NHS Foundation Trust")))
	gp := with(organizationRes("P84001", "Salford Care Practice"),
		"alias", []any{"Chapel Street Surgery"},
		"type", []any{concept(sysODSRole, "RO76", "GP PRACTICE")})
	c.add("gp", ts.create(t, gp))

	tay, zo := c.ids["taylor"], c.ids["zoe"]
	c.add("enc-taylor", ts.create(t, encounterRes(tay)))
	c.add("enc-zoe", ts.create(t, with(encounterRes(zo),
		"status", "in-progress",
		"class", coding(sysActCode, "IMP", "inpatient encounter"),
		"period", obj{"start": "2024-05-01T14:00:00Z"}))) // ongoing

	c.add("cond-taylor", ts.create(t, conditionRes(tay)))
	c.add("cond-zoe", ts.create(t, with(conditionRes(zo),
		"code", concept(sysSNOMED, "38341003", "Hypertensive disorder"),
		"clinicalStatus", concept(sysCondClin, "resolved", "Resolved"),
		"onsetDateTime", "2019-03")))

	c.add("hba1c", ts.create(t, observationRes(tay)))
	c.add("bp", ts.create(t, with(observationRes(tay),
		"category", []any{concept(sysObsCat, "vital-signs", "Vital Signs")},
		"code", concept(sysLOINC, "85354-9", "Blood pressure panel"),
		"effectiveDateTime", nil,
		"effectivePeriod", obj{"start": "2024-04-01T10:00:00Z", "end": "2024-04-01T10:30:00Z"},
		"valueQuantity", nil,
		"component", []any{
			obj{"code": concept(sysLOINC, "8480-6", "Systolic blood pressure"), "valueQuantity": obj{"value": 142, "unit": "mmHg", "system": sysUCUM, "code": "mm[Hg]"}},
			obj{"code": concept(sysLOINC, "8462-4", "Diastolic blood pressure"), "valueQuantity": obj{"value": 91, "unit": "mmHg", "system": sysUCUM, "code": "mm[Hg]"}},
		})))
	c.add("smoking", ts.create(t, with(observationRes(zo),
		"status", "preliminary",
		"category", []any{concept(sysObsCat, "social-history", "Social History")},
		"code", concept(sysLOINC, "72166-2", "Tobacco smoking status"),
		"effectiveDateTime", "2023-07",
		"valueQuantity", nil,
		"valueCodeableConcept", concept(sysSNOMED, "8517006", "Ex-smoker"))))

	c.add("metformin", ts.create(t, medicationRequestRes(tay)))
	c.add("amlodipine", ts.create(t, with(medicationRequestRes(zo),
		"status", "stopped",
		"medicationCodeableConcept", concept(sysDMD, "319283006", "Amlodipine 5mg tablets"),
		"authoredOn", "2019-03-20T11:15:00Z")))

	c.add("penicillin", ts.create(t, allergyRes(tay)))
	c.add("peanut", ts.create(t, with(allergyRes(zo),
		"clinicalStatus", concept(sysAllClin, "inactive", "Inactive"),
		"category", []any{"food"},
		"code", concept(sysSNOMED, "762952008", "Peanut"))))

	c.add("mmr", ts.create(t, immunizationRes(tay)))
	c.add("flu", ts.create(t, with(immunizationRes(zo),
		"vaccineCode", concept(sysDMD, "40426011000001105", "Fluenz Tetra nasal suspension"),
		"occurrenceDateTime", "2023-10-12T09:00:00+01:00")))
	return c
}

// A search and what it must find (labels, in any order unless ordered).
type searchCase struct {
	query   string
	want    []string
	ordered bool
}

// searchCases covers every search parameter of the contract, each with queries that match and
// queries that do not, and the token, string, date and reference forms.
var searchCases = map[string][]searchCase{
	"Patient": {
		// _id and _lastUpdated
		{query: "_id={taylor}", want: []string{"taylor"}},
		{query: "_id={taylor},{okafor}", want: []string{"taylor", "okafor"}},
		{query: "_id=no-such-id", want: nil},
		{query: "_lastUpdated=ge2020-01-01", want: []string{"taylor", "zoe", "okafor"}},
		{query: "_lastUpdated=lt2020-01-01", want: nil},
		{query: "_lastUpdated=gt2020&_lastUpdated=lt2020", want: nil},
		// identifier: system|code, code, |code, system|
		{query: "identifier=" + sysNHS + "|" + nhsNumber(1), want: []string{"taylor"}},
		{query: "identifier=" + nhsNumber(1), want: []string{"taylor"}},
		{query: "identifier=|LOCAL-77", want: []string{"okafor"}},
		{query: "identifier=LOCAL-77", want: []string{"okafor"}},
		{query: "identifier=|" + nhsNumber(1), want: nil},
		{query: "identifier=" + sysNHS + "|", want: []string{"taylor", "zoe", "okafor"}},
		{query: "identifier=https://fhir.example.org/Id/mrn|", want: nil},
		{query: "identifier=" + sysODS + "|" + nhsNumber(1), want: nil},
		{query: "identifier=" + nhsNumber(1) + "," + nhsNumber(2), want: []string{"taylor", "zoe"}},
		// family, given, name: prefix, case- and accent-insensitive; :exact; :contains
		{query: "family=taylor", want: []string{"taylor"}},
		{query: "family=TAY", want: []string{"taylor"}},
		{query: "family=aylor", want: nil},
		{query: "family:contains=AYLO", want: []string{"taylor"}},
		{query: "family:exact=Taylor", want: []string{"taylor"}},
		{query: "family:exact=taylor", want: nil},
		{query: "family:exact=Tay", want: nil},
		{query: "family=taylor,okafor", want: []string{"taylor", "okafor"}},
		{query: "given=zoe", want: []string{"zoe"}},
		{query: "given=ZOË", want: []string{"zoe"}},
		{query: "given:exact=Zoë", want: []string{"zoe"}},
		{query: "given:exact=Zoe", want: nil},
		{query: "given=amelia&given=rose", want: []string{"taylor"}},
		{query: "given=amelia&given=zoe", want: nil},
		{query: "given:contains=ose", want: []string{"taylor"}},
		{query: "name=mrs", want: []string{"taylor"}},
		{query: "name=chidi", want: []string{"okafor"}},
		{query: "name=zoe ashworth", want: []string{"zoe"}},
		{query: "name:contains=worth", want: []string{"zoe"}},
		{query: "name=smith", want: nil},
		// gender (a code without a system)
		{query: "gender=female", want: []string{"taylor", "zoe"}},
		{query: "gender=male", want: []string{"okafor"}},
		{query: "gender=female,male", want: []string{"taylor", "zoe", "okafor"}},
		{query: "gender=unknown", want: nil},
		// birthdate: every prefix, partial dates on both sides
		{query: "birthdate=1958-04-12", want: []string{"taylor"}},
		{query: "birthdate=1958", want: []string{"taylor"}},
		{query: "birthdate=1958-04", want: []string{"taylor"}},
		{query: "birthdate=1958-05", want: nil},
		{query: "birthdate=eq1990-11", want: []string{"zoe"}},
		{query: "birthdate=1990-11-15", want: nil}, // a month is not within a day
		{query: "birthdate=ne1958-04-12", want: []string{"zoe", "okafor"}},
		{query: "birthdate=gt1990-11-15", want: []string{"zoe", "okafor"}},
		{query: "birthdate=gt2001-01-31", want: nil},
		{query: "birthdate=lt1990-11-15", want: []string{"taylor", "zoe"}},
		{query: "birthdate=lt1958", want: nil},
		{query: "birthdate=ge1990-11", want: []string{"zoe", "okafor"}},
		{query: "birthdate=ge1990-11-30", want: []string{"okafor"}}, // November does not end after the 30th
		{query: "birthdate=le1990-11-01", want: []string{"taylor"}}, // nor start before the 1st
		{query: "birthdate=le1990-11", want: []string{"taylor", "zoe"}},
		{query: "birthdate=sa1990-11-30", want: []string{"okafor"}},
		{query: "birthdate=sa1958", want: []string{"zoe", "okafor"}},
		{query: "birthdate=eb1990-11-15", want: []string{"taylor"}},
		{query: "birthdate=eb1958-04-12", want: nil},
		{query: "birthdate=ge1950&birthdate=lt1991", want: []string{"taylor", "zoe"}},
		{query: "birthdate=1958,2001", want: []string{"taylor", "okafor"}},
		{query: "birthdate=ge1958-04-12T12:00:00Z", want: []string{"taylor", "zoe", "okafor"}},
		// address-postalcode
		{query: "address-postalcode=M3", want: []string{"taylor"}},
		{query: "address-postalcode=m1", want: []string{"zoe"}},
		{query: "address-postalcode:contains=9wl", want: []string{"zoe"}},
		{query: "address-postalcode:exact=SK4 1AA", want: []string{"okafor"}},
		{query: "address-postalcode=M4", want: nil},
		// general-practitioner: Type/ID and bare ID
		{query: "general-practitioner=Organization/ods-P84001", want: []string{"taylor"}},
		{query: "general-practitioner=ods-P84001", want: []string{"taylor"}},
		{query: "general-practitioner=Practitioner/gmc-7012345", want: []string{"zoe"}},
		{query: "general-practitioner=Organization/gmc-7012345", want: nil},
		{query: "general-practitioner=Organization/ods-P84001,Organization/ods-P84002", want: []string{"taylor", "okafor"}},
		// death-date
		{query: "death-date=2024-02-10", want: []string{"zoe"}},
		{query: "death-date=2024", want: []string{"zoe"}},
		{query: "death-date=lt2024", want: nil},
		{query: "death-date=2024-02-10T11:00:00+01:00", want: []string{"zoe"}},
		// _sort on a date parameter and on _lastUpdated
		{query: "_sort=birthdate", want: []string{"taylor", "zoe", "okafor"}, ordered: true},
		{query: "_sort=-birthdate", want: []string{"okafor", "zoe", "taylor"}, ordered: true},
		{query: "_sort=_lastUpdated", want: []string{"taylor", "zoe", "okafor"}, ordered: true},
		{query: "_sort=-_lastUpdated", want: []string{"okafor", "zoe", "taylor"}, ordered: true},
		{query: "gender=female&_sort=-birthdate", want: []string{"zoe", "taylor"}, ordered: true},
	},
	"Practitioner": {
		{query: "_id={dr-okafor}", want: []string{"dr-okafor"}},
		{query: "_id=no-such-id", want: nil},
		{query: "_lastUpdated=ge2020-01-01", want: []string{"dr-okafor", "dr-hughes"}},
		{query: "_lastUpdated=lt2020-01-01", want: nil},
		{query: "identifier=" + sysGMC + "|7012345", want: []string{"dr-okafor"}},
		{query: "identifier=7054321", want: []string{"dr-hughes"}},
		{query: "identifier=" + sysGMC + "|", want: []string{"dr-okafor", "dr-hughes"}},
		{query: "identifier=" + sysNHS + "|7012345", want: nil},
		{query: "name=okafor", want: []string{"dr-okafor"}},
		{query: "name=sian", want: []string{"dr-hughes"}},
		{query: "name=dr", want: []string{"dr-okafor", "dr-hughes"}},
		{query: "name:exact=Siân", want: []string{"dr-hughes"}},
		{query: "name=taylor", want: nil},
		{query: "_sort=-_lastUpdated", want: []string{"dr-hughes", "dr-okafor"}, ordered: true},
	},
	"Organization": {
		{query: "_id={mft}", want: []string{"mft"}},
		{query: "_id=no-such-id", want: nil},
		{query: "_lastUpdated=ge2020-01-01", want: []string{"mft", "gp"}},
		{query: "_lastUpdated=lt2020-01-01", want: nil},
		{query: "identifier=" + sysODS + "|R0A", want: []string{"mft"}},
		{query: "identifier=P84001", want: []string{"gp"}},
		{query: "identifier=" + sysODS + "|r0a", want: nil}, // codes are case-sensitive
		{query: "name=manchester", want: []string{"mft"}},
		{query: "name=chapel", want: []string{"gp"}}, // an alias
		{query: "name:contains=care", want: []string{"gp"}},
		{query: "name=leeds", want: nil},
		{query: "type=prov", want: []string{"mft"}},
		{query: "type=" + sysOrgType + "|prov", want: []string{"mft"}},
		{query: "type=" + sysODSRole + "|RO76", want: []string{"gp"}},
		{query: "type=" + sysODSRole + "|prov", want: nil},
		{query: "type=prov,RO76", want: []string{"mft", "gp"}},
	},
	"Encounter": {
		{query: "_id={enc-taylor}", want: []string{"enc-taylor"}},
		{query: "_id=no-such-id", want: nil},
		{query: "_lastUpdated=ge2020-01-01", want: []string{"enc-taylor", "enc-zoe"}},
		{query: "_lastUpdated=lt2020-01-01", want: nil},
		{query: "patient=Patient/{taylor}", want: []string{"enc-taylor"}},
		{query: "patient={zoe}", want: []string{"enc-zoe"}},
		{query: "patient=Patient/{okafor}", want: nil},
		{query: "subject=Patient/{taylor}", want: []string{"enc-taylor"}},
		{query: "subject={taylor},{zoe}", want: []string{"enc-taylor", "enc-zoe"}},
		{query: "subject=Patient/{okafor}", want: nil},
		{query: "date=2024-03-01", want: []string{"enc-taylor"}},
		{query: "date=2024-03-02", want: nil},
		{query: "date=ge2030-01-01", want: []string{"enc-zoe"}}, // still in progress
		{query: "date=lt2024-04", want: []string{"enc-taylor"}},
		{query: "date=sa2024-04-01", want: []string{"enc-zoe"}},
		{query: "date=eb2024-04-01", want: []string{"enc-taylor"}},
		{query: "class=AMB", want: []string{"enc-taylor"}},
		{query: "class=" + sysActCode + "|IMP", want: []string{"enc-zoe"}},
		{query: "class=EMER", want: nil},
		{query: "status=finished", want: []string{"enc-taylor"}},
		{query: "status=finished,in-progress", want: []string{"enc-taylor", "enc-zoe"}},
		{query: "status=cancelled", want: nil},
		{query: "_sort=date", want: []string{"enc-taylor", "enc-zoe"}, ordered: true},
		{query: "_sort=-date", want: []string{"enc-zoe", "enc-taylor"}, ordered: true},
	},
	"Condition": {
		{query: "_id={cond-taylor}", want: []string{"cond-taylor"}},
		{query: "_id=no-such-id", want: nil},
		{query: "_lastUpdated=ge2020-01-01", want: []string{"cond-taylor", "cond-zoe"}},
		{query: "_lastUpdated=lt2020-01-01", want: nil},
		{query: "patient={taylor}", want: []string{"cond-taylor"}},
		{query: "subject=Patient/{zoe}", want: []string{"cond-zoe"}},
		{query: "subject=Patient/{okafor}", want: nil},
		{query: "code=" + sysSNOMED + "|44054006", want: []string{"cond-taylor"}},
		{query: "code=38341003", want: []string{"cond-zoe"}},
		{query: "code=" + sysSNOMED + "|", want: []string{"cond-taylor", "cond-zoe"}},
		{query: "code=" + sysLOINC + "|44054006", want: nil},
		{query: "clinical-status=active", want: []string{"cond-taylor"}},
		{query: "clinical-status=" + sysCondClin + "|resolved", want: []string{"cond-zoe"}},
		{query: "clinical-status=inactive", want: nil},
		{query: "onset-date=2016", want: []string{"cond-taylor"}},
		{query: "onset-date=ge2019-03-15", want: []string{"cond-zoe"}}, // March 2019 goes on after the 15th
		{query: "onset-date=ge2019-03-31", want: nil},                  // but not after the 31st
		{query: "onset-date=ge2019-03", want: []string{"cond-zoe"}},
		{query: "onset-date=lt2010", want: nil},
		{query: "patient={taylor}&code=38341003", want: nil},
		{query: "_sort=-onset-date", want: []string{"cond-zoe", "cond-taylor"}, ordered: true},
	},
	"Observation": {
		{query: "_id={hba1c}", want: []string{"hba1c"}},
		{query: "_id=no-such-id", want: nil},
		{query: "_lastUpdated=ge2020-01-01", want: []string{"hba1c", "bp", "smoking"}},
		{query: "_lastUpdated=lt2020-01-01", want: nil},
		{query: "patient={taylor}", want: []string{"hba1c", "bp"}},
		{query: "subject=Patient/{zoe}", want: []string{"smoking"}},
		{query: "subject=Patient/{okafor}", want: nil},
		{query: "patient={okafor}", want: nil},
		{query: "code=" + sysLOINC + "|4548-4", want: []string{"hba1c"}},
		{query: "code=4548-4,85354-9", want: []string{"hba1c", "bp"}},
		{query: "code=" + sysLOINC + "|4548-4&code=" + sysLOINC + "|85354-9", want: nil},
		{query: "code=|4548-4", want: nil},
		{query: "code=" + sysSNOMED + "|4548-4", want: nil},
		{query: "category=laboratory", want: []string{"hba1c"}},
		{query: "category=" + sysObsCat + "|vital-signs,social-history", want: []string{"bp", "smoking"}},
		{query: "category=imaging", want: nil},
		{query: "date=2024-04-01", want: []string{"bp"}},
		{query: "date=2024", want: []string{"hba1c", "bp"}},
		{query: "date=ge2024-03-15", want: []string{"bp"}},
		{query: "date=lt2024-03-01T09:30:00Z", want: []string{"smoking"}},
		{query: "date=2023-07-14", want: nil},
		{query: "date=ne2024", want: []string{"smoking"}},
		{query: "status=final", want: []string{"hba1c", "bp"}},
		{query: "status=preliminary", want: []string{"smoking"}},
		{query: "status=cancelled", want: nil},
		{query: "patient={taylor}&category=laboratory", want: []string{"hba1c"}},
		{query: "_sort=date", want: []string{"smoking", "hba1c", "bp"}, ordered: true},
		{query: "_sort=-date", want: []string{"bp", "hba1c", "smoking"}, ordered: true},
	},
	"MedicationRequest": {
		{query: "_id={metformin}", want: []string{"metformin"}},
		{query: "_id=no-such-id", want: nil},
		{query: "_lastUpdated=ge2020-01-01", want: []string{"metformin", "amlodipine"}},
		{query: "_lastUpdated=lt2020-01-01", want: nil},
		{query: "patient={taylor}", want: []string{"metformin"}},
		{query: "subject=Patient/{zoe}", want: []string{"amlodipine"}},
		{query: "patient=Patient/{okafor}", want: nil},
		{query: "subject={okafor}", want: nil},
		{query: "status=active", want: []string{"metformin"}},
		{query: "status=stopped,active", want: []string{"metformin", "amlodipine"}},
		{query: "status=draft", want: nil},
		{query: "authoredon=2019", want: []string{"amlodipine"}},
		{query: "authoredon=lt2020", want: []string{"amlodipine"}},
		{query: "authoredon=2024-01-15", want: []string{"metformin"}},
		{query: "authoredon=gt2024-01-15", want: nil},
		{query: "code=" + sysDMD + "|39113611000001102", want: []string{"metformin"}},
		{query: "code=" + sysDMD + "|", want: []string{"metformin", "amlodipine"}},
		{query: "code=" + sysSNOMED + "|39113611000001102", want: nil},
		{query: "_sort=authoredon", want: []string{"amlodipine", "metformin"}, ordered: true},
	},
	"AllergyIntolerance": {
		{query: "_id={penicillin}", want: []string{"penicillin"}},
		{query: "_id=no-such-id", want: nil},
		{query: "_lastUpdated=ge2020-01-01", want: []string{"penicillin", "peanut"}},
		{query: "_lastUpdated=lt2020-01-01", want: nil},
		{query: "patient=Patient/{taylor}", want: []string{"penicillin"}},
		{query: "patient={zoe}", want: []string{"peanut"}},
		{query: "patient={okafor}", want: nil},
		{query: "clinical-status=active", want: []string{"penicillin"}},
		{query: "clinical-status=" + sysAllClin + "|inactive", want: []string{"peanut"}},
		{query: "clinical-status=resolved", want: nil},
		{query: "code=" + sysSNOMED + "|764146007", want: []string{"penicillin"}},
		{query: "code=762952008,764146007", want: []string{"penicillin", "peanut"}},
		{query: "code=" + sysSNOMED + "|91935009", want: nil},
	},
	"Immunization": {
		{query: "_id={mmr}", want: []string{"mmr"}},
		{query: "_id=no-such-id", want: nil},
		{query: "_lastUpdated=ge2020-01-01", want: []string{"mmr", "flu"}},
		{query: "_lastUpdated=lt2020-01-01", want: nil},
		{query: "patient=Patient/{taylor}", want: []string{"mmr"}},
		{query: "patient={zoe}", want: []string{"flu"}},
		{query: "patient={okafor}", want: nil},
		{query: "date=2020-05-04", want: []string{"mmr"}},
		{query: "date=2023-10-12", want: []string{"flu"}},
		{query: "date=ge2021", want: []string{"flu"}},
		{query: "date=2022", want: nil},
		{query: "vaccine-code=" + sysSNOMED + "|38598009", want: []string{"mmr"}},
		{query: "vaccine-code=" + sysDMD + "|", want: []string{"flu"}},
		{query: "vaccine-code=" + sysDMD + "|38598009", want: nil},
		{query: "_sort=-date", want: []string{"flu", "mmr"}, ordered: true},
	},
}

// Every search parameter of the contract finds exactly what it should, by GET and by POST.
func TestSearchParameters(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{})
	c := newCorpus(t, ts)
	for _, typ := range resourceTypes {
		for _, tc := range searchCases[typ] {
			t.Run(typ+"?"+tc.query, func(t *testing.T) {
				query := c.expand(tc.query)
				want := tc.want
				if want == nil {
					want = []string{}
				}
				got := ts.search(t, "/fhir/R4/"+typ+"?"+esc(query))
				labels := c.labelsOf(got.ids())
				if ok := sameSet(labels, want); !ok || (tc.ordered && !slices.Equal(labels, want)) {
					t.Errorf("GET %s?%s found %v, want %v", typ, tc.query, labels, want)
				}
				if got.Total == nil || *got.Total != len(want) {
					t.Errorf("total %s, want %d", totalOf(got), len(want))
				}
				post := ts.searchPost(t, typ, esc(query))
				if !slices.Equal(post.ids(), got.ids()) {
					t.Errorf("POST %s/_search found %v, GET %v", typ, c.labelsOf(post.ids()), labels)
				}
				// The self link replays the search.
				if self := ts.search(t, got.link("self")); !slices.Equal(self.ids(), got.ids()) {
					t.Errorf("self link %s found %v, want %v", got.link("self"), c.labelsOf(self.ids()), labels)
				}
			})
		}
	}
}

// Every search parameter the contract declares is covered by searchCases, with a query that
// finds something and one that finds nothing.
func TestSearchCasesCoverTheContract(t *testing.T) {
	for _, typ := range resourceTypes {
		params := []string{"_id", "_lastUpdated", "_sort"}
		for _, d := range search.Defs(typ) {
			params = append(params, d.Name)
		}
		for _, p := range contractSearchParams(t, typ) {
			if !slices.Contains(params, p) && !slices.Contains([]string{"_count", "_cursor", "_summary", "_total", "_format"}, p) {
				t.Errorf("%s: the contract declares search parameter %q that search.Defs lacks", typ, p)
			}
		}
		for _, p := range params {
			if typ != "Patient" && p == "_sort" && !slices.ContainsFunc(search.Defs(typ), func(d search.Def) bool { return d.Type == search.Date }) {
				continue // only _lastUpdated to sort on; covered for Practitioner
			}
			var hit, miss bool
			for _, tc := range searchCases[typ] {
				for _, kv := range strings.Split(tc.query, "&") {
					name, _, _ := strings.Cut(kv, "=")
					name, _, _ = strings.Cut(name, ":")
					if name == p {
						hit = hit || len(tc.want) > 0
						miss = miss || len(tc.want) == 0 || p == "_sort"
					}
				}
			}
			if !hit || !miss {
				t.Errorf("%s.%s: searchCases lack a matching (%v) or a non-matching (%v) query", typ, p, hit, miss)
			}
		}
	}
}

// contractSearchParams lists the query parameters of GET /fhir/R4/{typ} in the contract.
func contractSearchParams(t *testing.T, typ string) []string {
	item := loadContract(t).Paths.Find("/fhir/R4/" + typ)
	if item == nil || item.Get == nil {
		t.Fatalf("the contract has no GET /fhir/R4/%s", typ)
	}
	var names []string
	for _, p := range item.Get.Parameters {
		if p.Value.In == "query" {
			names = append(names, p.Value.Name)
		}
	}
	return names
}

// The parameters every search understands: _count (default, 0, cap), _summary=count,
// _total=accurate, and unknown parameters (ignored, or refused under handling=strict).
func TestSearchResultParameters(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{})
	c := newCorpus(t, ts)
	obs := "/fhir/R4/Observation"

	t.Run("_count pages", func(t *testing.T) {
		b := ts.search(t, obs+"?_count=1")
		if len(b.Entry) != 1 || b.link("next") == "" || b.Total != nil {
			t.Errorf("_count=1: %d entries, next %q, total %v; want 1 entry, a next link and no total", len(b.Entry), b.link("next"), b.Total)
		}
		if got := queryOf(t, b.link("self")).Get("_count"); got != "1" {
			t.Errorf("_count=1: self link has _count=%q", got)
		}
	})
	t.Run("_count default", func(t *testing.T) {
		b := ts.search(t, obs)
		if got := queryOf(t, b.link("self")).Get("_count"); got != "50" {
			t.Errorf("default page size in the self link: %q, want 50", got)
		}
	})
	t.Run("_count=0", func(t *testing.T) {
		b := ts.search(t, obs+"?_count=0")
		if len(b.Entry) != 0 || b.Total == nil || *b.Total != 3 || b.link("next") != "" {
			t.Errorf("_count=0: %d entries, total %v, next %q; want only the total 3", len(b.Entry), b.Total, b.link("next"))
		}
	})
	t.Run("_count capped", func(t *testing.T) {
		b := ts.search(t, obs+"?_count=5000")
		if got := queryOf(t, b.link("self")).Get("_count"); got != fmt.Sprint(search.MaxCount) || len(b.Entry) != 3 {
			t.Errorf("_count=5000: self link _count=%q and %d entries; want %d and 3", got, len(b.Entry), search.MaxCount)
		}
	})
	t.Run("_summary=count", func(t *testing.T) {
		b := ts.search(t, obs+"?"+esc("patient="+c.ids["taylor"]+"&_summary=count"))
		if len(b.Entry) != 0 || b.Total == nil || *b.Total != 2 {
			t.Errorf("_summary=count: %d entries, total %v; want no entries and total 2", len(b.Entry), b.Total)
		}
	})
	t.Run("_total=accurate", func(t *testing.T) {
		b := ts.search(t, obs+"?_count=1&_total=accurate")
		if b.Total == nil || *b.Total != 3 || len(b.Entry) != 1 {
			t.Fatalf("_total=accurate: total %v with %d entries; want 3 and 1", b.Total, len(b.Entry))
		}
		next := ts.search(t, b.link("next"))
		if next.Total == nil || *next.Total != 3 {
			t.Errorf("_total=accurate on page 2: total %v, want 3", next.Total)
		}
	})
	t.Run("_total=none", func(t *testing.T) {
		if b := ts.search(t, obs+"?_total=none"); b.Total != nil {
			t.Errorf("_total=none: total %v", *b.Total)
		}
	})
	t.Run("unknown parameter ignored", func(t *testing.T) {
		b := ts.search(t, obs+"?status=final&colour=blue")
		if !sameSet(c.labelsOf(b.ids()), []string{"hba1c", "bp"}) {
			t.Errorf("with an unknown parameter: %v", c.labelsOf(b.ids()))
		}
		self := queryOf(t, b.link("self"))
		if self.Has("colour") || self.Get("status") != "final" {
			t.Errorf("self link %s: want status and no colour", b.link("self"))
		}
	})
	t.Run("unknown parameter strict", func(t *testing.T) {
		status, _, body := ts.do(t, "GET", obs+"?status=final&colour=blue", "", "Prefer", "handling=strict")
		if status != http.StatusBadRequest {
			t.Fatalf("strict: status %d, want 400: %s", status, body)
		}
		if code, diag := outcomeOf(t, body); code != "not-supported" || !strings.Contains(diag, "colour") {
			t.Errorf("strict: issue %q %q", code, diag)
		}
		if status, _, _ := ts.do(t, "GET", obs+"?status=final", "", "Prefer", "handling=strict"); status != http.StatusOK {
			t.Errorf("strict without unknown parameters: status %d", status)
		}
	})
	t.Run("POST _search combines query and body", func(t *testing.T) {
		status, _, body := ts.do(t, "POST", obs+"/_search?status=final", esc("category=laboratory"), "Content-Type", "application/x-www-form-urlencoded")
		if status != http.StatusOK || !strings.Contains(string(body), c.ids["hba1c"]) || strings.Contains(string(body), c.ids["bp"]) {
			t.Errorf("POST _search?status=final with category=laboratory: status %d: %.300s", status, body)
		}
	})
}
