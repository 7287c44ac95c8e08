package synth

import (
	"cmp"
	"slices"
)

// A record is one patient's history, built as plain structs and then written as FHIR JSON.
// Indices link the parts (an observation's encounter is an index into encs); ids are given at
// emission time in chronological order, so Encounter ...-enc-1 is the patient's first.

type person struct {
	id, nhs     string
	female      bool
	name        personName
	display     string // name.text(), cached while emitting
	birth       int
	dead        bool
	death       int // day of death when dead
	deathMinute int
	addrs       []address // current first; earlier ones have use "old"
	phone       string    // landline, may be empty
	mobile      string    // may be empty
	practice    *org      // current registration
	oldPractice *org      // previous registration, if the patient changed practice
	movedOn     int       // first day at the current practice (with oldPractice)
	gpSlot      int       // which of the practice's GPs usually sees the patient
	smoking     int
	heightCm    int
	bmi10       int // baseline BMI ×10 (adults)
}

type encounter struct {
	kind        encKind
	day, minute int
	endDay      int // inpatient stays end on a later day
	endMinute   int
	org         *org
	prac        *prac
	diagnoses   []int // condition indices
}

type condition struct {
	c        cond
	onset    int
	abated   bool
	abate    int
	enc      int
	recorder *prac
}

type observation struct {
	kind        obsKind
	day, minute int
	enc         int
	v, v2       int // value (scaled by obsDefs[kind].scale); v2 is diastolic for BP
}

type medRequest struct {
	d      drug
	day    int
	enc    int
	reason int // condition index
	status string
	prac   *prac
}

type allergy struct {
	a        allergyKind
	onset    int
	day      int
	enc      int
	reaction int
	prac     *prac
}

type immunization struct {
	v           vaccine
	day, minute int
	enc         int
	dose        int
}

type record struct {
	g         *Generator
	r         *rng
	p         person
	encs      []encounter
	conds     []condition
	obs       []observation
	meds      []medRequest
	allergies []allergy
	imms      []immunization
	condIdx   [numConds]int // index+1 into conds; 0 when absent
	hbMean    int           // a diabetic's usual HbA1c (mmol/mol)
	trend     int           // its change per year across the record window
	drugIdx   [numDrugs]int // index+1 into meds; 0 when absent
}

func (rec *record) has(c cond) bool { return rec.condIdx[c] != 0 }

// age is the patient's age in years on day.
func (rec *record) age(day int) int { return ageOn(rec.p.birth, day) }

// clinicMinute returns a plausible appointment time (08:30–17:25, 5-minute slots).
func (rec *record) clinicMinute() int { return 8*60 + 30 + 5*rec.r.intn(108) }

// gpFor returns the practice a patient was registered with on a day, and a GP there.
func (rec *record) gpFor(day int) (*org, *prac) {
	o := rec.p.practice
	if rec.p.oldPractice != nil && day < rec.p.movedOn {
		o = rec.p.oldPractice
	}
	return o, o.staff[rec.p.gpSlot%len(o.staff)]
}

// visit returns the index of an encounter of kind at the patient's GP practice on day, reusing
// one already recorded for that day.
func (rec *record) visit(kind encKind, day int) int {
	for i := range rec.encs {
		e := &rec.encs[i]
		if e.day == day && !encDefs[e.kind].hospital {
			return i
		}
	}
	o, pr := rec.gpFor(day)
	return rec.addEncounter(encounter{kind: kind, day: day, minute: rec.clinicMinute(), org: o, prac: pr})
}

// hospitalVisit records an encounter at the patient's acute trust.
func (rec *record) hospitalVisit(kind encKind, day int, specialty string) int {
	t := rec.g.world.trust(boroughs[rec.p.addrs[0].borough].trust)
	return rec.addEncounter(encounter{kind: kind, day: day, minute: rec.clinicMinute(), org: t, prac: t.consultant(specialty)})
}

func (rec *record) addEncounter(e encounter) int {
	if e.endDay == 0 && e.endMinute == 0 {
		d := encDefs[e.kind].minutes
		e.endDay = e.day
		e.endMinute = e.minute + rec.r.between(d[0], d[1])
		if e.endMinute >= 24*60 {
			e.endMinute = 24*60 - 1
		}
	}
	rec.encs = append(rec.encs, e)
	return len(rec.encs) - 1
}

// addCondition records a diagnosis made at encounter enc.
func (rec *record) addCondition(c cond, enc int) int {
	e := &rec.encs[enc]
	rec.conds = append(rec.conds, condition{c: c, onset: e.day, enc: enc, recorder: e.prac})
	i := len(rec.conds) - 1
	rec.condIdx[c] = i + 1
	e.diagnoses = append(e.diagnoses, i)
	return i
}

// addObs records an observation taken at encounter enc.
func (rec *record) addObs(k obsKind, enc, v, v2 int) {
	e := &rec.encs[enc]
	rec.obs = append(rec.obs, observation{kind: k, day: e.day, minute: e.minute + 5, enc: enc, v: v, v2: v2})
}

// prescribe records a medication request for condition ci at encounter enc, unless the drug
// is already prescribed or the patient is too young for it.
func (rec *record) prescribe(d drug, ci, enc int) {
	e := &rec.encs[enc]
	if rec.drugIdx[d] != 0 || rec.age(e.day) < drugs[d].minAge || !d.treats(rec.conds[ci].c) {
		return
	}
	status := "active"
	switch {
	case rec.p.dead:
		status = "stopped"
	case rec.conds[ci].abated:
		status = "completed"
	}
	rec.meds = append(rec.meds, medRequest{d: d, day: e.day, enc: enc, reason: ci, status: status, prac: e.prac})
	rec.drugIdx[d] = len(rec.meds)
}

// immunise records a vaccination at a child-health or vaccination clinic, if the schedule
// allows it at the patient's age on that day.
func (rec *record) immunise(v vaccine, dose, day int) bool {
	if day < rec.p.birth || day > rec.lastEventDay() || !v.allowedAge(day-rec.p.birth) {
		return false
	}
	kind := encVaccination
	if rec.age(day) < 16 {
		kind = encChildCheck
	}
	enc := rec.visit(kind, day)
	e := &rec.encs[enc]
	rec.imms = append(rec.imms, immunization{v: v, day: day, minute: e.minute, enc: enc, dose: dose})
	return true
}

// ---------------------------------------------------------------- emission

const (
	typePatient      = "Patient"
	typeEncounter    = "Encounter"
	typeCondition    = "Condition"
	typeObservation  = "Observation"
	typeMedication   = "MedicationRequest"
	typeAllergy      = "AllergyIntolerance"
	typeImmunization = "Immunization"
)

// order returns the permutation that sorts n items by key (stable), and each item's 1-based
// rank in that order.
func order(n int, less func(a, b int) int) (perm, rank []int) {
	perm = make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	slices.SortStableFunc(perm, less)
	rank = make([]int, n)
	for pos, i := range perm {
		rank[i] = pos + 1
	}
	return perm, rank
}

func (rec *record) emit() []Resource {
	p := &rec.p
	encPerm, encRank := order(len(rec.encs), func(a, b int) int {
		ea, eb := &rec.encs[a], &rec.encs[b]
		return cmp.Or(cmp.Compare(ea.day, eb.day), cmp.Compare(ea.minute, eb.minute))
	})
	condPerm, condRank := order(len(rec.conds), func(a, b int) int {
		return cmp.Or(cmp.Compare(rec.conds[a].onset, rec.conds[b].onset), cmp.Compare(rec.conds[a].c, rec.conds[b].c))
	})
	obsPerm, _ := order(len(rec.obs), func(a, b int) int {
		oa, ob := &rec.obs[a], &rec.obs[b]
		return cmp.Or(cmp.Compare(oa.day, ob.day), cmp.Compare(oa.minute, ob.minute), cmp.Compare(oa.kind, ob.kind))
	})
	medPerm, _ := order(len(rec.meds), func(a, b int) int {
		return cmp.Or(cmp.Compare(rec.meds[a].day, rec.meds[b].day), cmp.Compare(rec.meds[a].d, rec.meds[b].d))
	})
	immPerm, _ := order(len(rec.imms), func(a, b int) int {
		ia, ib := &rec.imms[a], &rec.imms[b]
		return cmp.Or(cmp.Compare(ia.day, ib.day), cmp.Compare(ia.v, ib.v))
	})
	algPerm, _ := order(len(rec.allergies), func(a, b int) int {
		return cmp.Compare(rec.allergies[a].day, rec.allergies[b].day)
	})

	n := 1 + len(rec.encs) + len(rec.conds) + len(rec.obs) + len(rec.meds) + len(rec.allergies) + len(rec.imms)
	out := make([]Resource, n)
	ends := make([]int, 0, n)
	idEnds := make([]int, 0, n)
	j := &jw{b: make([]byte, 0, 1200*n), pid: p.id}
	ids := make([]byte, 0, n*(len(p.id)+8))
	p.display = p.name.text()
	encN := func(i int) int { return encRank[i] }
	condN := func(i int) int { return condRank[i] }
	k := 0
	add := func(typ, kind string, num int) {
		out[k].Type = typ
		k++
		ends = append(ends, len(j.b))
		ids = append(ids, p.id...)
		if kind != "" {
			ids = appendLocal(ids, kind, num)
		}
		idEnds = append(idEnds, len(ids))
	}

	rec.writePatient(j)
	add(typePatient, "", 0)
	for _, i := range encPerm {
		rec.writeEncounter(j, encN(i), &rec.encs[i], condN)
		add(typeEncounter, kindEnc, encN(i))
	}
	for _, i := range condPerm {
		rec.writeCondition(j, condN(i), &rec.conds[i], encN)
		add(typeCondition, kindCond, condN(i))
	}
	for n, i := range obsPerm {
		rec.writeObservation(j, n+1, &rec.obs[i], encN)
		add(typeObservation, kindObs, n+1)
	}
	for n, i := range medPerm {
		rec.writeMedication(j, n+1, &rec.meds[i], encN, condN)
		add(typeMedication, kindMed, n+1)
	}
	for n, i := range algPerm {
		rec.writeAllergy(j, n+1, &rec.allergies[i], encN)
		add(typeAllergy, kindAllergy, n+1)
	}
	for n, i := range immPerm {
		rec.writeImmunization(j, n+1, &rec.imms[i], encN)
		add(typeImmunization, kindImm, n+1)
	}
	idStr := string(ids) // one allocation for every id of the record
	start, idStart := 0, 0
	for k := range out {
		out[k].JSON = j.b[start:ends[k]:ends[k]]
		out[k].ID = idStr[idStart:idEnds[k]]
		start, idStart = ends[k], idEnds[k]
	}
	return out
}

// Kinds of patient-local resource ids: <patient id>-<kind>-<n>.
const (
	kindEnc     = "enc"
	kindCond    = "con"
	kindObs     = "obs"
	kindMed     = "med"
	kindAllergy = "alg"
	kindImm     = "imm"
)

func (rec *record) subject(j *jw, k string) {
	j.ref(k, typePatient, rec.p.id, rec.p.display)
}

func (rec *record) writePatient(j *jw) {
	p := &rec.p
	j.header(typePatient, p.id, profilePatient)
	j.arr("identifier")
	j.elem()
	j.arr("extension")
	j.elem()
	j.str("url", extNHSVerification)
	j.concept("valueCodeableConcept", codeNHSVerified, "")
	j.end()
	j.endArr()
	j.str("system", sysNHSNumber)
	j.str("value", p.nhs)
	j.end()
	j.endArr()
	j.boolean("active", true)
	j.arr("name")
	writeName(j, p.name)
	j.endArr()
	if p.phone != "" || p.mobile != "" {
		j.arr("telecom")
		if p.phone != "" {
			j.elem()
			j.str("system", "phone")
			j.str("value", p.phone)
			j.str("use", "home")
			j.end()
		}
		if p.mobile != "" {
			j.elem()
			j.str("system", "phone")
			j.str("value", p.mobile)
			j.str("use", "mobile")
			j.end()
		}
		j.endArr()
	}
	j.str("gender", gender(p.female))
	j.date("birthDate", p.birth)
	if p.dead {
		j.dateTime("deceasedDateTime", p.death, p.deathMinute)
	}
	j.arr("address")
	for k, a := range p.addrs {
		j.elem()
		if k == 0 {
			j.str("use", "home")
		} else {
			j.str("use", "old")
		}
		j.str("type", "both")
		j.addressParts(a.line, a.city, a.postcode)
		if a.from != 0 || a.to != 0 {
			j.obj("period")
			if a.from != 0 {
				j.date("start", a.from)
			}
			if a.to != 0 {
				j.date("end", a.to)
			}
			j.end()
		}
		j.end()
	}
	j.endArr()
	j.arr("generalPractitioner")
	j.refElem("Organization", p.practice.id, p.practice.name)
	j.endArr()
	j.end()
}

func (rec *record) writeEncounter(j *jw, n int, e *encounter, condN func(int) int) {
	d := &encDefs[e.kind]
	j.headerLocal(typeEncounter, kindEnc, n, profileEncounter)
	j.str("status", "finished")
	j.obj("class")
	j.str("system", d.class.system)
	j.str("code", d.class.code)
	j.str("display", d.class.display)
	j.end()
	j.conceptList("type", d.code)
	rec.subject(j, "subject")
	if e.prac != nil {
		j.arr("participant")
		j.elem()
		j.ref("individual", "Practitioner", e.prac.id, e.prac.display)
		j.end()
		j.endArr()
	}
	j.obj("period")
	j.dateTime("start", e.day, e.minute)
	j.dateTime("end", e.endDay, e.endMinute)
	j.end()
	if len(e.diagnoses) > 0 {
		j.arr("diagnosis")
		for rank, ci := range e.diagnoses {
			j.elem()
			j.refLocal("condition", typeCondition, kindCond, condN(ci), conds[rec.conds[ci].c].text)
			j.integer("rank", rank+1)
			j.end()
		}
		j.endArr()
	}
	j.ref("serviceProvider", "Organization", e.org.id, e.org.name)
	j.end()
}

func (rec *record) writeCondition(j *jw, n int, c *condition, encN func(int) int) {
	def := &conds[c.c]
	j.headerLocal(typeCondition, kindCond, n, profileCondition)
	if c.abated {
		j.concept("clinicalStatus", codeResolved, "")
	} else {
		j.concept("clinicalStatus", codeActive, "")
	}
	j.concept("verificationStatus", codeConfirmed, "")
	j.conceptList("category", codeProblemList)
	j.concept("code", def.code, def.text)
	rec.subject(j, "subject")
	j.refLocal("encounter", typeEncounter, kindEnc, encN(c.enc), "")
	j.date("onsetDateTime", c.onset)
	if c.abated {
		j.date("abatementDateTime", c.abate)
	}
	j.date("recordedDate", rec.encs[c.enc].day)
	if c.recorder != nil {
		j.ref("recorder", "Practitioner", c.recorder.id, c.recorder.display)
	}
	j.end()
}

func (rec *record) writeObservation(j *jw, n int, o *observation, encN func(int) int) {
	def := &obsDefs[o.kind]
	e := &rec.encs[o.enc]
	profile := profileObservation
	if def.lab {
		profile = profileObsLab
	}
	j.headerLocal(typeObservation, kindObs, n, profile)
	j.str("status", "final")
	j.conceptList("category", def.category)
	j.concept("code", def.code, "")
	rec.subject(j, "subject")
	j.refLocal("encounter", typeEncounter, kindEnc, encN(o.enc), "")
	j.dateTime("effectiveDateTime", o.day, o.minute)
	j.arr("performer")
	if def.lab {
		t := rec.g.world.trust(boroughs[rec.p.addrs[0].borough].trust)
		j.refElem("Organization", t.id, t.name)
	} else {
		j.refElem("Practitioner", e.prac.id, e.prac.display)
	}
	j.endArr()
	switch o.kind {
	case obsBP:
		j.arr("component")
		j.elem()
		j.concept("code", codeSystolic, "")
		j.quantity("valueQuantity", o.v, 0, "mmHg", "mm[Hg]")
		j.end()
		j.elem()
		j.concept("code", codeDiastolic, "")
		j.quantity("valueQuantity", o.v2, 0, "mmHg", "mm[Hg]")
		j.end()
		j.endArr()
		if o.v >= 140 || o.v2 >= 90 {
			j.conceptList("interpretation", codeHigh)
		}
	case obsSmoking:
		j.concept("valueCodeableConcept", smokingCodes[o.v], "")
	default:
		j.quantity("valueQuantity", o.v, def.scale, def.unit, def.ucum)
		if interp, ok := interpret(o.kind, o.v); ok {
			j.conceptList("interpretation", interp)
		}
	}
	j.end()
}

// interpret flags laboratory values outside the usual UK reference ranges.
func interpret(k obsKind, v int) (coding, bool) {
	switch k {
	case obsHbA1c:
		if v >= 48 {
			return codeHigh, true
		}
		return codeNormal, true
	case obsEGFR:
		if v < 60 {
			return codeLow, true
		}
		return codeNormal, true
	case obsCholesterol:
		if v > 50 {
			return codeHigh, true
		}
		return codeNormal, true
	case obsTSH:
		switch {
		case v > 45:
			return codeHigh, true
		case v < 4:
			return codeLow, true
		}
		return codeNormal, true
	}
	return coding{}, false
}

func (rec *record) writeMedication(j *jw, n int, m *medRequest, encN, condN func(int) int) {
	d := &drugs[m.d]
	j.headerLocal(typeMedication, kindMed, n, profileMedRequest)
	j.str("status", m.status)
	j.str("intent", "order")
	j.conceptList("category", codeCommunity)
	j.concept("medicationCodeableConcept", d.code, "")
	rec.subject(j, "subject")
	j.refLocal("encounter", typeEncounter, kindEnc, encN(m.enc), "")
	j.date("authoredOn", m.day)
	j.ref("requester", "Practitioner", m.prac.id, m.prac.display)
	j.arr("reasonReference")
	j.elem()
	j.refLocalBody(typeCondition, kindCond, condN(m.reason), conds[rec.conds[m.reason].c].text)
	j.end()
	j.endArr()
	j.concept("courseOfTherapyType", codeContinuous, "")
	j.arr("dosageInstruction")
	j.elem()
	j.str("text", d.dosage)
	if d.prn {
		j.boolean("asNeededBoolean", true)
	} else {
		j.obj("timing")
		j.obj("repeat")
		j.integer("frequency", d.perDay)
		j.integer("period", 1)
		j.str("periodUnit", "d")
		j.end()
		j.end()
	}
	if d.oral {
		j.concept("route", codeOralRoute, "")
	}
	j.arr("doseAndRate")
	j.elem()
	j.quantity("doseQuantity", d.dose, 0, d.unit, "")
	j.end()
	j.endArr()
	j.end()
	j.endArr()
	j.obj("dispenseRequest")
	j.integer("numberOfRepeatsAllowed", 5)
	j.quantity("quantity", d.packSize, 0, d.unit, "")
	j.quantity("expectedSupplyDuration", 28, 0, "days", "d")
	j.end()
	j.end()
}

func (rec *record) writeAllergy(j *jw, n int, a *allergy, encN func(int) int) {
	d := &allergyDefs[a.a]
	rd := d.reactions[a.reaction]
	j.headerLocal(typeAllergy, kindAllergy, n, profileAllergy)
	j.concept("clinicalStatus", codeAllergyActive, "")
	j.concept("verificationStatus", codeAllergyConfirm, "")
	j.str("type", "allergy")
	j.arr("category")
	j.elemStr(d.category)
	j.endArr()
	j.str("criticality", d.criticality)
	j.concept("code", d.substance, "")
	rec.subject(j, "patient")
	j.refLocal("encounter", typeEncounter, kindEnc, encN(a.enc), "")
	j.date("onsetDateTime", a.onset)
	j.date("recordedDate", a.day)
	j.ref("recorder", "Practitioner", a.prac.id, a.prac.display)
	j.arr("reaction")
	j.elem()
	j.arr("manifestation")
	j.conceptElem(rd.manifestation, "")
	j.endArr()
	j.str("severity", rd.severity)
	j.end()
	j.endArr()
	j.end()
}

func (rec *record) writeImmunization(j *jw, n int, im *immunization, encN func(int) int) {
	d := &vaccineDefs[im.v]
	j.headerLocal(typeImmunization, kindImm, n, profileImmunization)
	j.str("status", "completed")
	j.concept("vaccineCode", d.code, d.text)
	rec.subject(j, "patient")
	j.refLocal("encounter", typeEncounter, kindEnc, encN(im.enc), "")
	j.dateTime("occurrenceDateTime", im.day, im.minute)
	j.dateTime("recorded", im.day, im.minute)
	j.boolean("primarySource", true)
	j.arr("protocolApplied")
	j.elem()
	if d.doses == 0 {
		y := yearOf(im.day)
		if _, m, _ := civil(im.day); m < 9 {
			y--
		}
		j.str("series", itoa(y)+"/"+pad2(y+1)+" season")
		j.integer("doseNumberPositiveInt", 1)
	} else {
		j.str("series", "UK routine immunisation schedule")
		j.integer("doseNumberPositiveInt", im.dose)
		j.integer("seriesDosesPositiveInt", d.doses)
	}
	j.end()
	j.endArr()
	j.end()
}

func pad2(y int) string { return string(append2(nil, y%100)) }
