package synth

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The expectations below restate clinical rules independently of the generator's tables, so
// that a mistake in a table shows up as a failure rather than being checked against itself.

const (
	snomedT2DM       = "44054006"
	snomedHTN        = "38341003"
	snomedAsthma     = "195967001"
	snomedCOPD       = "13645005"
	snomedAF         = "49436004"
	snomedHF         = "84114007"
	snomedCKD3       = "433144002"
	snomedDepression = "35489007"
	snomedHypothyr   = "40930008"
	snomedOA         = "396275006"
	snomedPregnancy  = "72892002"
)

// indications: dm+d code → SNOMED codes of the conditions it may be prescribed for.
var indications = map[string][]string{
	"325278007":         {snomedT2DM},                        // metformin
	"320030001":         {snomedT2DM, snomedCKD3, snomedHTN}, // atorvastatin (cardiovascular risk)
	"319283006":         {snomedHTN},                         // amlodipine
	"318902004":         {snomedHTN, snomedHF},               // ramipril
	"39113611000001102": {snomedAsthma, snomedCOPD},          // salbutamol
	"408063002":         {snomedAsthma},                      // beclometasone
	"703908001":         {snomedAF},                          // apixaban
	"318590006":         {snomedHF, snomedAF},                // bisoprolol
	"317972000":         {snomedHF},                          // furosemide
	"321959007":         {snomedDepression},                  // sertraline
	"374296008":         {snomedHypothyr},                    // levothyroxine
	"322236009":         {snomedOA},                          // paracetamol
}

const statin = "320030001"

// vaccineAges: vaccine product code → allowed age at vaccination, in days [min, max).
var vaccineAges = map[string][2]int{
	"34765811000001105": {56, 3650},       // 6-in-1 from 8 weeks
	"34609911000001106": {42, 168},        // rotavirus, before 24 weeks
	"23584211000001109": {56, 730},        // MenB
	"16649411000001104": {84, 730},        // PCV from 12 weeks
	"9903711000001109":  {365, 3650},      // Hib/MenC from 1 year
	"13968211000001108": {365, 365 * 120}, // MMR from 1 year
	"26267211000001100": {1215, 3650},     // 4-in-1 from 3 years 4 months
	"33493111000001108": {12 * 365, 25 * 365},
	"7374511000001107":  {13 * 365, 25 * 365},
	"20517811000001104": {13 * 365, 25 * 365},
	"27114211000001105": {2 * 365, 16 * 365}, // children's nasal flu
	"34680411000001107": {18 * 365, 365 * 120},
	"27396511000001105": {65 * 365, 365 * 120},
	"39655511000001105": {70 * 365, 80 * 365},
}

const adultFlu = "34680411000001107"

var (
	idRE       = regexp.MustCompile(`^[A-Za-z0-9\-\.]{1,64}$`)
	postcodeRE = regexp.MustCompile(`^(M[0-9]{1,2}|SK[0-9]{1,2}|OL[0-9]{1,2}|BL[0-9]|WN[0-9]|WA1[45]) [0-9][ABD-HJLNP-UW-Z]{2}$`)
	phoneRE    = regexp.MustCompile(`^(0161 496 0[0-9]{3}|07700 900[0-9]{3})$`)
)

var wantProfile = map[string]string{
	"Patient":            "UKCore-Patient",
	"Encounter":          "UKCore-Encounter",
	"Condition":          "UKCore-Condition",
	"Observation":        "UKCore-Observation",
	"MedicationRequest":  "UKCore-MedicationRequest",
	"AllergyIntolerance": "UKCore-AllergyIntolerance",
	"Immunization":       "UKCore-Immunization",
	"Organization":       "UKCore-Organization",
	"Practitioner":       "UKCore-Practitioner",
}

// stats accumulates population-level figures for the prevalence checks.
type stats struct {
	patients, adults, over65, female, dead, resources int
	cond, condAdults, condOver65                      map[string]int
}

func TestCoherence(t *testing.T) {
	g := mustNew(t, Config{Patients: 5000})
	pop := population(t, g, inOrder(g.Len()), 4)
	st := checkPopulation(t, g, pop)

	pct := func(n, of int) float64 { return 100 * float64(n) / float64(of) }
	checks := []struct {
		name   string
		value  float64
		lo, hi float64
	}{
		{"resources per patient", float64(st.resources) / float64(st.patients), 22, 40},
		{"% female", pct(st.female, st.patients), 45, 56},
		{"% died in the last three years", pct(st.dead, st.patients), 0.5, 5},
		{"% adults with type 2 diabetes", pct(st.condAdults[snomedT2DM], st.adults), 4, 13},
		{"% over-65s with hypertension", pct(st.condOver65[snomedHTN], st.over65), 30, 70},
		{"% with asthma", pct(st.cond[snomedAsthma], st.patients), 4, 12},
		{"% adults with depression", pct(st.condAdults[snomedDepression], st.adults), 6, 20},
		{"% over-65s with atrial fibrillation", pct(st.condOver65[snomedAF], st.over65), 3, 15},
	}
	for _, c := range checks {
		t.Logf("%s: %.1f", c.name, c.value)
		if c.value < c.lo || c.value > c.hi {
			t.Errorf("%s = %.1f, want between %g and %g", c.name, c.value, c.lo, c.hi)
		}
	}
}

// TestCoherenceOtherAsOf runs the same checks with AsOf moved, so that the story patients are
// shifted and generated histories end elsewhere.
func TestCoherenceOtherAsOf(t *testing.T) {
	for _, asOf := range []time.Time{
		time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2031, 7, 15, 13, 30, 0, 0, time.UTC),
	} {
		t.Run(asOf.Format(time.DateOnly), func(t *testing.T) {
			g := mustNew(t, Config{Seed: 99, Patients: 600, AsOf: asOf})
			checkPopulation(t, g, population(t, g, inOrder(g.Len()), 4))
		})
	}
}

// checkPopulation applies the per-resource and per-patient rules to a population.
func checkPopulation(t *testing.T, g *Generator, pop [][]Resource) stats {
	t.Helper()
	st := stats{cond: map[string]int{}, condAdults: map[string]int{}, condOver65: map[string]int{}}
	shared := map[string]bool{}
	for _, d := range decodeAll(t, g.Shared()) {
		shared[d.Type+"/"+d.ID] = true
		checkCommon(t, d)
	}
	asOf := g.AsOf()
	nhs := map[string]int{}
	ids := map[string]bool{}
	for i, res := range pop {
		if len(res) == 0 || res[0].Type != "Patient" {
			t.Fatalf("patient %d: first resource is not a Patient", i)
		}
		st.patients++
		st.resources += len(res)
		dec := decodeAll(t, res)
		p := &patientFacts{t: t, i: i, asOf: asOf, shared: shared, dec: dec}
		p.check(ids, nhs)
		if p.female {
			st.female++
		}
		if p.dead {
			st.dead++
		}
		adult, over65 := p.ageAt(asOf) >= 18, p.ageAt(asOf) >= 65
		if adult {
			st.adults++
		}
		if over65 {
			st.over65++
		}
		for code := range p.conds {
			st.cond[code]++
			if adult {
				st.condAdults[code]++
			}
			if over65 {
				st.condOver65[code]++
			}
		}
	}
	return st
}

// checkCommon applies the rules every resource follows.
func checkCommon(t *testing.T, d decoded) {
	t.Helper()
	where := d.Type + "/" + d.ID
	if !idRE.MatchString(d.ID) {
		t.Errorf("%s: invalid FHIR id", where)
	}
	meta := obj(d.v["meta"])
	if meta["versionId"] != nil || meta["lastUpdated"] != nil {
		t.Errorf("%s: meta.versionId/lastUpdated must be left to the store", where)
	}
	prof := list(meta, "profile")
	if len(prof) != 1 || !strings.Contains(prof[0].(string), "/StructureDefinition/"+wantProfile[d.Type]) {
		t.Errorf("%s: meta.profile = %v, want the %s profile", where, prof, wantProfile[d.Type])
	}
	walk(d.v, d.Type, func(path string, o map[string]any) {
		for _, c := range list(o, "coding") {
			c := obj(c)
			if str(c, "system") == "" || str(c, "code") == "" || str(c, "display") == "" {
				t.Errorf("%s: coding at %s lacks system, code or display: %v", where, path, c)
			}
		}
	})
}

// patientFacts checks one patient's resources.
type patientFacts struct {
	t      *testing.T
	i      int
	asOf   time.Time
	shared map[string]bool
	dec    []decoded
	id     string
	female bool
	dead   bool
	birth  time.Time
	death  time.Time
	own    map[string]map[string]any // "Type/id" → resource
	conds  map[string]time.Time      // SNOMED code → onset
	hba1c  int
	bpHigh bool
	egfr   []float64
	flu65  []time.Time
	imms   map[string]bool
}

func (p *patientFacts) errorf(format string, args ...any) {
	p.t.Helper()
	p.t.Errorf("patient %d (%s): %s", p.i, p.id, fmt.Sprintf(format, args...))
}

func (p *patientFacts) ageAt(tm time.Time) int {
	a := tm.Year() - p.birth.Year()
	if tm.Month() < p.birth.Month() || tm.Month() == p.birth.Month() && tm.Day() < p.birth.Day() {
		a--
	}
	return a
}

func parseFHIRTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339, time.DateOnly} {
		if tm, err := time.Parse(layout, s); err == nil {
			return tm, true
		}
	}
	return time.Time{}, false
}

func (p *patientFacts) check(ids map[string]bool, nhs map[string]int) {
	t := p.t
	t.Helper()
	pat := p.dec[0].v
	p.id = p.dec[0].ID
	p.own = map[string]map[string]any{}
	p.conds = map[string]time.Time{}
	p.imms = map[string]bool{}
	for _, d := range p.dec {
		key := d.Type + "/" + d.ID
		if ids[key] {
			p.errorf("duplicate id %s", key)
		}
		ids[key] = true
		p.own[key] = d.v
		checkCommon(t, d)
	}

	// Demographics.
	p.female = str(pat, "gender") == "female"
	if g := str(pat, "gender"); g != "female" && g != "male" {
		p.errorf("gender %q", g)
	}
	var ok bool
	if p.birth, ok = parseFHIRTime(str(pat, "birthDate")); !ok || !p.birth.Before(p.asOf) {
		p.errorf("birthDate %q", str(pat, "birthDate"))
	}
	if s := str(pat, "deceasedDateTime"); s != "" {
		p.dead = true
		if p.death, ok = parseFHIRTime(s); !ok || p.death.Before(p.birth) || !p.death.Before(p.asOf) {
			p.errorf("deceasedDateTime %q", s)
		}
	}
	idents := list(pat, "identifier")
	if len(idents) != 1 || str(obj(idents[0]), "system") != sysNHSNumber {
		p.errorf("want exactly one NHS number identifier")
	} else {
		id := obj(idents[0])
		n := str(id, "value")
		if !validNHSNumber(n) || !strings.HasPrefix(n, "999") {
			p.errorf("NHS number %q is not a valid 999-range number", n)
		}
		if j, dup := nhs[n]; dup {
			p.errorf("NHS number %s also belongs to patient %d", n, j)
		}
		nhs[n] = p.i
		ext := list(id, "extension")
		if len(ext) != 1 || str(obj(ext[0]), "url") != extNHSVerification || firstCode(obj(ext[0]), "valueCodeableConcept") != "01" {
			p.errorf("NHS number lacks the UK Core verification status extension")
		}
	}
	names := list(pat, "name")
	if len(names) == 0 || str(obj(names[0]), "family") == "" || len(list(obj(names[0]), "given")) == 0 {
		p.errorf("no family and given name")
	}
	for _, a := range list(pat, "address") {
		if pc := str(obj(a), "postalCode"); !postcodeRE.MatchString(pc) {
			p.errorf("postcode %q is not a Greater Manchester postcode", pc)
		}
	}
	for _, c := range list(pat, "telecom") {
		if v := str(obj(c), "value"); !phoneRE.MatchString(v) {
			p.errorf("telephone %q is not in an Ofcom drama range", v)
		}
	}
	gp := list(pat, "generalPractitioner")
	if len(gp) != 1 {
		p.errorf("want one generalPractitioner")
	} else if ref := str(obj(gp[0]), "reference"); !p.shared[ref] || !strings.HasPrefix(ref, "Organization/ods-P") {
		p.errorf("generalPractitioner %q is not a shared GP practice", ref)
	}

	// References and dates in every resource.
	for _, d := range p.dec {
		p.checkReferences(d)
		p.checkDates(d)
	}
	// Clinical content.
	for _, d := range p.dec {
		if d.Type == "Condition" {
			code := firstCode(d.v, "code")
			onset, _ := parseFHIRTime(str(d.v, "onsetDateTime"))
			p.conds[code] = onset
			p.checkCondition(code, onset)
		}
	}
	for _, d := range p.dec {
		switch d.Type {
		case "Observation":
			p.checkObservation(d.v)
		case "MedicationRequest":
			p.checkMedication(d.v)
		case "Immunization":
			p.checkImmunization(d.v)
		}
	}
	if _, diabetic := p.conds[snomedT2DM]; diabetic && p.hba1c == 0 {
		p.errorf("diabetic without an HbA1c result")
	}
	if _, htn := p.conds[snomedHTN]; htn && !p.bpHigh {
		p.errorf("hypertension without a raised blood pressure reading")
	}
}

func (p *patientFacts) checkReferences(d decoded) {
	where := d.Type + "/" + d.ID
	walk(d.v, d.Type, func(path string, o map[string]any) {
		ref := str(o, "reference")
		if ref == "" {
			return
		}
		if !p.shared[ref] && p.own[ref] == nil {
			p.errorf("%s: %s → %s does not resolve", where, path, ref)
		}
		if strings.HasPrefix(ref, "Patient/") && ref != "Patient/"+p.id {
			p.errorf("%s: refers to another patient %s", where, ref)
		}
		if (strings.HasSuffix(path, ".encounter") || strings.HasSuffix(path, ".condition") ||
			strings.HasSuffix(path, ".reasonReference")) && p.own[ref] == nil {
			p.errorf("%s: %s → %s is not in this patient's record", where, path, ref)
		}
	})
}

// eventTimes lists the dated elements of a resource.
func eventTimes(d decoded) []string {
	v := d.v
	switch d.Type {
	case "Encounter":
		return []string{str(v, "period", "start"), str(v, "period", "end")}
	case "Condition":
		return []string{str(v, "onsetDateTime"), str(v, "abatementDateTime"), str(v, "recordedDate")}
	case "Observation":
		return []string{str(v, "effectiveDateTime")}
	case "MedicationRequest":
		return []string{str(v, "authoredOn")}
	case "AllergyIntolerance":
		return []string{str(v, "onsetDateTime"), str(v, "recordedDate")}
	case "Immunization":
		return []string{str(v, "occurrenceDateTime"), str(v, "recorded")}
	}
	return nil
}

func (p *patientFacts) checkDates(d decoded) {
	for _, s := range eventTimes(d) {
		if s == "" {
			continue
		}
		tm, ok := parseFHIRTime(s)
		if !ok {
			p.errorf("%s/%s: unparsable date %q", d.Type, d.ID, s)
			continue
		}
		dateOnly := len(s) == len(time.DateOnly)
		switch {
		case tm.Before(p.birth):
			p.errorf("%s/%s: %s is before birth", d.Type, d.ID, s)
		case !tm.Before(p.asOf):
			p.errorf("%s/%s: %s is not before AsOf %s", d.Type, d.ID, s, p.asOf)
		case p.dead && (!dateOnly && tm.After(p.death) || dateOnly && tm.After(p.death.Truncate(24*time.Hour))):
			p.errorf("%s/%s: %s is after death", d.Type, d.ID, s)
		}
	}
	if d.Type == "Encounter" {
		s, _ := parseFHIRTime(str(d.v, "period", "start"))
		e, _ := parseFHIRTime(str(d.v, "period", "end"))
		if e.Before(s) {
			p.errorf("%s: ends before it starts", d.ID)
		}
	}
}

func (p *patientFacts) checkCondition(code string, onset time.Time) {
	age := p.ageAt(onset)
	switch code {
	case snomedPregnancy:
		if !p.female {
			p.errorf("pregnancy code in a male patient")
		}
		if age < 12 || age > 55 {
			p.errorf("pregnancy at age %d", age)
		}
	case snomedCOPD:
		if age < 35 {
			p.errorf("COPD diagnosed at %d", age)
		}
	case snomedT2DM, snomedHTN, snomedHypothyr:
		if age < 18 {
			p.errorf("condition %s diagnosed at %d", code, age)
		}
	}
}

func (p *patientFacts) checkObservation(v map[string]any) {
	code := firstCode(v, "code")
	when, _ := parseFHIRTime(str(v, "effectiveDateTime"))
	has := func(c string) bool { o, ok := p.conds[c]; return ok && !o.After(when) }
	value := num(obj(v["valueQuantity"])["value"])
	switch code {
	case "4548-4":
		p.hba1c++
		if has(snomedT2DM) && value < 48 {
			p.errorf("HbA1c %.0f mmol/mol in a diagnosed diabetic", value)
		}
		if _, dm := p.conds[snomedT2DM]; !dm {
			p.errorf("HbA1c in a patient without diabetes")
		}
	case "85354-9":
		comps := list(v, "component")
		if len(comps) != 2 || firstCode(obj(comps[0]), "code") != "8480-6" || firstCode(obj(comps[1]), "code") != "8462-4" {
			p.errorf("blood pressure without systolic and diastolic components")
			return
		}
		sys := num(obj(obj(comps[0])["valueQuantity"])["value"])
		dia := num(obj(obj(comps[1])["valueQuantity"])["value"])
		if sys >= 140 || dia >= 90 {
			p.bpHigh = true
			if !has(snomedHTN) {
				p.errorf("raised blood pressure %.0f/%.0f without hypertension", sys, dia)
			}
		}
		if sys <= dia {
			p.errorf("systolic %.0f not above diastolic %.0f", sys, dia)
		}
	case "62238-1":
		if has(snomedCKD3) && (value < 30 || value >= 60) {
			p.errorf("eGFR %.0f in CKD stage 3", value)
		}
		if !has(snomedCKD3) && value < 60 {
			p.errorf("eGFR %.0f without CKD", value)
		}
	case "39156-5":
		if value < 12 || value > 60 {
			p.errorf("BMI %.1f", value)
		}
	}
	if unit := str(obj(v["valueQuantity"]), "system"); v["valueQuantity"] != nil && unit != sysUCUM {
		p.errorf("observation %s value without a UCUM unit", code)
	}
}

func (p *patientFacts) checkMedication(v map[string]any) {
	code := firstCode(v, "medicationCodeableConcept")
	allowed, known := indications[code]
	if !known {
		p.errorf("unexpected medicine %s", code)
		return
	}
	authored, _ := parseFHIRTime(str(v, "authoredOn"))
	reasons := list(v, "reasonReference")
	if len(reasons) == 0 {
		p.errorf("medicine %s without a reason", code)
		return
	}
	for _, r := range reasons {
		c := p.own[str(obj(r), "reference")]
		if c == nil || str(c, "resourceType") != "Condition" {
			p.errorf("medicine %s: reason is not one of the patient's conditions", code)
			continue
		}
		cc := firstCode(c, "code")
		ok := false
		for _, a := range allowed {
			ok = ok || a == cc
		}
		if !ok {
			p.errorf("medicine %s prescribed for %s, which it does not treat", code, cc)
		}
		if onset, _ := parseFHIRTime(str(c, "onsetDateTime")); authored.Before(onset) {
			p.errorf("medicine %s prescribed before its condition", code)
		}
	}
	age := p.ageAt(authored)
	if code == statin && age < 40 {
		p.errorf("statin at age %d", age)
	}
	if age < 2 {
		p.errorf("medicine %s at age %d", code, age)
	}
	if p.dead && str(v, "status") == "active" {
		p.errorf("active prescription for a deceased patient")
	}
}

func (p *patientFacts) checkImmunization(v map[string]any) {
	code := firstCode(v, "vaccineCode")
	when, _ := parseFHIRTime(str(v, "occurrenceDateTime"))
	ages, known := vaccineAges[code]
	if !known {
		p.errorf("unexpected vaccine %s", code)
		return
	}
	days := int(when.Sub(p.birth).Hours() / 24)
	if days < ages[0] || days >= ages[1] {
		p.errorf("vaccine %s at %d days old (allowed %d–%d)", code, days, ages[0], ages[1])
	}
	if code == adultFlu && p.ageAt(when) < 65 {
		atRisk := false
		for _, c := range []string{snomedT2DM, snomedCOPD, snomedAsthma, snomedCKD3, snomedHF} {
			if o, ok := p.conds[c]; ok && !o.After(when) {
				atRisk = true
			}
		}
		if !atRisk {
			p.errorf("adult flu vaccine at %d without a clinical risk group", p.ageAt(when))
		}
	}
	pa := list(v, "protocolApplied")
	if len(pa) == 1 {
		key := code + "#" + fmt.Sprint(obj(pa[0])["doseNumberPositiveInt"]) + "#" + str(obj(pa[0]), "series")
		if p.imms[key] {
			p.errorf("vaccine %s dose given twice (%s)", code, key)
		}
		p.imms[key] = true
	}
}
