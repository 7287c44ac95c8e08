package search

import (
	"slices"
	"strings"
	"sync/atomic"
)

// nameParts are the HumanName elements a name search looks at.
var nameParts = []string{"name.family", "name.given", "name.prefix", "name.text"}

// table is the definition of every supported search parameter, in the order of the contract
// (openapi/lhcr.yaml). Each entry carries an example value for error messages.
var table = []struct {
	resourceType string
	params       []param
}{
	{"Patient", []param{
		{Def{Name: "identifier", Type: Token, Paths: p("identifier"), Doc: "A business identifier, usually the NHS number."}, "https://fhir.nhs.uk/Id/nhs-number|9990000018"},
		{Def{Name: "family", Type: String, Paths: p("name.family"), Doc: "Surname; case- and accent-insensitive prefix match."}, "taylor"},
		{Def{Name: "given", Type: String, Paths: p("name.given"), Doc: "Any given name; prefix match."}, "amelia"},
		{Def{Name: "name", Type: String, Paths: nameParts, Doc: "Any part of any name (family, given, prefix, text); prefix match."}, "taylor"},
		{Def{Name: "birthdate", Type: Date, Paths: p("birthDate"), Doc: "Date of birth."}, "ge1950-01-01"},
		{Def{Name: "gender", Type: Token, Paths: p("gender"), Doc: "Administrative gender: male, female, other or unknown."}, "female"},
		{Def{Name: "address-postalcode", Type: String, Paths: p("address.postalCode"), Doc: "Postcode; prefix match."}, "M3"},
		{Def{Name: "general-practitioner", Type: Reference, Paths: p("generalPractitioner"), Targets: p("Organization", "Practitioner"), Doc: "The registered GP practice or GP."}, "Organization/ods-P84001"},
		{Def{Name: "death-date", Type: Date, Paths: p("deceasedDateTime"), Doc: "Date of death."}, "ge2024-01-01"},
	}},
	{"Practitioner", []param{
		{Def{Name: "identifier", Type: Token, Paths: p("identifier"), Doc: "A business identifier, e.g. the GMC number."}, "https://fhir.hl7.org.uk/Id/gmc-number|7012345"},
		{Def{Name: "name", Type: String, Paths: nameParts, Doc: "Any part of the name; prefix match."}, "okafor"},
	}},
	{"Organization", []param{
		{Def{Name: "identifier", Type: Token, Paths: p("identifier"), Doc: "A business identifier, usually the ODS code."}, "https://fhir.nhs.uk/Id/ods-organization-code|R0A"},
		{Def{Name: "name", Type: String, Paths: p("name", "alias"), Doc: "Name or alias; prefix match."}, "manchester"},
		{Def{Name: "type", Type: Token, Paths: p("type"), Doc: "Organisation type code."}, "http://terminology.hl7.org/CodeSystem/organization-type|prov"},
	}},
	{"Encounter", []param{
		{Def{Name: "patient", Type: Reference, Paths: p("subject"), Targets: p("Patient"), Doc: "The patient the encounter is with."}, "Patient/9a1b2c3d-0000-4000-8000-000000000001"},
		{Def{Name: "subject", Type: Reference, Paths: p("subject"), Targets: p("Patient"), Doc: "The subject of the encounter."}, "Patient/9a1b2c3d-0000-4000-8000-000000000001"},
		{Def{Name: "date", Type: Date, Paths: p("period"), Doc: "When the encounter took place (its period)."}, "ge2024-01-01"},
		{Def{Name: "class", Type: Token, Paths: p("class"), Doc: "Encounter class, e.g. AMB, IMP, EMER."}, "AMB"},
		{Def{Name: "status", Type: Token, Paths: p("status"), Doc: "Encounter status, e.g. finished."}, "finished"},
	}},
	{"Condition", []param{
		{Def{Name: "patient", Type: Reference, Paths: p("subject"), Targets: p("Patient"), Doc: "The patient who has the condition."}, "Patient/9a1b2c3d-0000-4000-8000-000000000001"},
		{Def{Name: "subject", Type: Reference, Paths: p("subject"), Targets: p("Patient"), Doc: "The subject of the condition."}, "Patient/9a1b2c3d-0000-4000-8000-000000000001"},
		{Def{Name: "code", Type: Token, Paths: p("code"), Doc: "The condition's code, usually SNOMED CT."}, "http://snomed.info/sct|44054006"},
		{Def{Name: "clinical-status", Type: Token, Paths: p("clinicalStatus"), Doc: "Clinical status: active, resolved, inactive…"}, "active"},
		{Def{Name: "onset-date", Type: Date, Paths: p("onsetDateTime"), Doc: "When the condition began."}, "ge2016-01-01"},
	}},
	{"Observation", []param{
		{Def{Name: "patient", Type: Reference, Paths: p("subject"), Targets: p("Patient"), Doc: "The patient the observation is about."}, "Patient/9a1b2c3d-0000-4000-8000-000000000001"},
		{Def{Name: "subject", Type: Reference, Paths: p("subject"), Targets: p("Patient"), Doc: "The subject of the observation."}, "Patient/9a1b2c3d-0000-4000-8000-000000000001"},
		{Def{Name: "code", Type: Token, Paths: p("code"), Doc: "The observation's code, LOINC or SNOMED CT."}, "http://loinc.org|4548-4"},
		{Def{Name: "category", Type: Token, Paths: p("category"), Doc: "Category: laboratory, vital-signs, social-history…"}, "laboratory"},
		{Def{Name: "date", Type: Date, Paths: p("effectiveDateTime", "effectivePeriod"), Doc: "When the observation was true of the patient."}, "ge2024-01-01"},
		{Def{Name: "status", Type: Token, Paths: p("status"), Doc: "Observation status, e.g. final."}, "final"},
	}},
	{"MedicationRequest", []param{
		{Def{Name: "patient", Type: Reference, Paths: p("subject"), Targets: p("Patient"), Doc: "The patient the prescription is for."}, "Patient/9a1b2c3d-0000-4000-8000-000000000001"},
		{Def{Name: "subject", Type: Reference, Paths: p("subject"), Targets: p("Patient"), Doc: "The subject of the prescription."}, "Patient/9a1b2c3d-0000-4000-8000-000000000001"},
		{Def{Name: "status", Type: Token, Paths: p("status"), Doc: "Prescription status, e.g. active."}, "active"},
		{Def{Name: "authoredon", Type: Date, Paths: p("authoredOn"), Doc: "When the prescription was written."}, "ge2024-01-01"},
		{Def{Name: "code", Type: Token, Paths: p("medicationCodeableConcept"), Doc: "The medicine's code, usually dm+d."}, "https://dmd.nhs.uk|39113611000001102"},
	}},
	{"AllergyIntolerance", []param{
		{Def{Name: "patient", Type: Reference, Paths: p("patient"), Targets: p("Patient"), Doc: "The patient who has the allergy."}, "Patient/9a1b2c3d-0000-4000-8000-000000000001"},
		{Def{Name: "clinical-status", Type: Token, Paths: p("clinicalStatus"), Doc: "Clinical status: active, inactive, resolved."}, "active"},
		{Def{Name: "code", Type: Token, Paths: p("code"), Doc: "The substance, usually SNOMED CT."}, "http://snomed.info/sct|764146007"},
	}},
	{"Immunization", []param{
		{Def{Name: "patient", Type: Reference, Paths: p("patient"), Targets: p("Patient"), Doc: "The patient who was vaccinated."}, "Patient/9a1b2c3d-0000-4000-8000-000000000001"},
		{Def{Name: "date", Type: Date, Paths: p("occurrenceDateTime"), Doc: "When the vaccine was given."}, "ge2020-01-01"},
		{Def{Name: "vaccine-code", Type: Token, Paths: p("vaccineCode"), Doc: "The vaccine's code, SNOMED CT or dm+d."}, "http://snomed.info/sct|38598009"},
	}},
}

// param is a definition with an example value used in error messages.
type param struct {
	Def
	example string
}

func p(s ...string) []string { return s }

// compiledDef is a Def ready for extraction: paths split into their segments.
type compiledDef struct {
	Def
	example string
	segs    [][]string
}

// resourceDefs is what the package knows of one resource type.
type resourceDefs struct {
	defs   []Def                   // in table order
	byName map[string]*compiledDef // by parameter name
	list   []*compiledDef          // in table order
	sorts  []string                // the allowed _sort keys, for messages
	// entries is the most index entries a resource of the type has had (up to maxEntriesHint):
	// Extract sizes its result with it rather than growing it entry by entry.
	entries atomic.Int32
}

// maxEntriesHint bounds the capacity Extract reserves up front.
const maxEntriesHint = 64

var (
	byType        = map[string]*resourceDefs{}
	resourceTypes []string
)

func init() {
	for _, rt := range table {
		rd := &resourceDefs{byName: map[string]*compiledDef{}, sorts: []string{"_lastUpdated"}}
		for _, pr := range rt.params {
			cd := &compiledDef{Def: pr.Def, example: pr.example}
			for _, path := range pr.Paths {
				cd.segs = append(cd.segs, strings.Split(path, "."))
			}
			rd.defs = append(rd.defs, pr.Def)
			rd.byName[pr.Name] = cd
			rd.list = append(rd.list, cd)
			if pr.Type == Date {
				rd.sorts = append(rd.sorts, pr.Name)
			}
		}
		byType[rt.resourceType] = rd
		resourceTypes = append(resourceTypes, rt.resourceType)
	}
}

// Lookup returns the definition of the search parameter name of resourceType; ok is false when
// the resource type or the parameter is not supported. name has no modifier ("family", not
// "family:exact"). The Def's slices are shared and must not be modified.
func Lookup(resourceType, name string) (Def, bool) {
	rd, ok := byType[resourceType]
	if !ok {
		return Def{}, false
	}
	cd, ok := rd.byName[name]
	if !ok {
		return Def{}, false
	}
	return cd.Def, true
}

// Defs returns the search parameters of resourceType in a stable order (the contract's), or nil
// for an unsupported resource type. The Defs' slices are shared and must not be modified.
func Defs(resourceType string) []Def {
	rd, ok := byType[resourceType]
	if !ok {
		return nil
	}
	return slices.Clone(rd.defs)
}

// ResourceTypes returns the resource types that have search parameters, in a stable order.
func ResourceTypes() []string {
	return slices.Clone(resourceTypes)
}
