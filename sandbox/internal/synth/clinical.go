package synth

import (
	"cmp"
	"slices"
)

// Clinical history of a generated patient. Conditions are drawn with UK-like prevalence by age
// and sex (and raised by related conditions), diagnosed at a GP or hospital encounter, treated
// with medicines that match them, and monitored at yearly reviews whose observations follow the
// conditions (HbA1c raised in diabetes, blood pressure in hypertension, eGFR low in CKD). Routine
// events are recorded for the five years before AsOf; diagnoses can be older.

const recordYears = 5

// windowStart is the first day of the routine record window.
func (rec *record) windowStart() int {
	return max(rec.p.birth, rec.g.lastDay-recordYears*365)
}

// lastEventDay is the last day with routine events: the day before AsOf, or the day before
// death (the death itself ends the final admission).
func (rec *record) lastEventDay() int {
	if rec.p.dead {
		return rec.p.death - 1
	}
	return rec.g.lastDay
}

func (rec *record) history() {
	r := rec.r
	p := &rec.p
	end := rec.lastEventDay()
	ageNow := rec.age(end)

	if ageNow >= 16 {
		p.smoking = weighted(r, []int{58, 26, 16})
	}
	if ageNow >= 18 {
		if p.female {
			p.heightCm = clamp(r.norm(163, 6), 145, 185)
		} else {
			p.heightCm = clamp(r.norm(176, 7), 155, 200)
		}
		p.bmi10 = clamp(r.norm(275, 45), 175, 450)
	}

	if ageNow < 19 {
		rec.childhoodImmunisations(r.percent(95))
	}
	rec.diagnoses(ageNow)
	rec.pregnancy()
	rec.allergyHistory()
	rec.monitoring()
	rec.adultImmunisations()
	rec.hospitalEvents()
}

// ---------------------------------------------------------------- conditions

// prevalence is the per-mille chance that a person aged age (at the end of the record) has
// condition c, given the conditions already drawn.
func (rec *record) prevalence(c cond, age int, has func(cond) bool) int {
	p := &rec.p
	band := func(limits []int, rates []int) int {
		for i, l := range limits {
			if age < l {
				return rates[i]
			}
		}
		return rates[len(rates)-1]
	}
	switch c {
	case condHypertension:
		return band([]int{30, 40, 50, 60, 70, 80}, []int{5, 30, 80, 180, 320, 450, 550})
	case condT2DM:
		v := band([]int{30, 40, 50, 60, 70, 80}, []int{3, 15, 45, 90, 140, 170, 160})
		if p.bmi10 >= 300 {
			v = v * 18 / 10
		}
		return v
	case condAsthma:
		return band([]int{2, 5, 18}, []int{0, 20, 90, 70})
	case condCOPD:
		v := band([]int{35, 50, 60, 70, 80}, []int{0, 12, 40, 80, 120, 130})
		if p.smoking == smokeNever {
			v /= 6
		}
		return v
	case condAF:
		return band([]int{40, 60, 70, 80}, []int{0, 5, 25, 60, 120})
	case condHF:
		v := band([]int{45, 60, 70, 80}, []int{0, 3, 12, 30, 70})
		if has(condHypertension) || has(condAF) {
			v *= 2
		}
		return v
	case condCKD3:
		v := band([]int{30, 50, 60, 70, 80}, []int{0, 5, 20, 60, 130, 250})
		if has(condT2DM) || has(condHypertension) {
			v = v * 3 / 2
		}
		return v
	case condDepression:
		if age < 16 {
			return 0
		}
		if p.female {
			return 160
		}
		return 90
	case condAnxiety:
		if age < 16 {
			return 0
		}
		if p.female {
			return 70
		}
		return 40
	case condHypothyroid:
		v := band([]int{18, 50}, []int{0, 20, 70})
		if !p.female {
			v /= 5
		}
		return v
	case condOA:
		v := band([]int{45, 65}, []int{0, 80, 200})
		if p.female {
			v = v * 13 / 10
		}
		return v
	}
	return 0
}

// diagnoses draws the patient's long-term conditions, then records them in date order with
// the encounter that diagnosed them and the medicines that treat them.
func (rec *record) diagnoses(ageNow int) {
	r := rec.r
	end := rec.lastEventDay()
	type dx struct {
		c     cond
		onset int
	}
	var drawn []dx
	var chosen [numConds]bool
	has := func(c cond) bool { return chosen[c] }
	for c := range condPregnancy { // pregnancy is drawn separately
		def := &conds[c]
		if ageNow < def.minAge || !r.permille(rec.prevalence(c, ageNow, has)) {
			continue
		}
		lo := max(addYears(rec.p.birth, def.minAge), end-20*365)
		if c == condAsthma && ageNow < 18 {
			lo = addYears(rec.p.birth, def.minAge)
		}
		if lo > end {
			continue
		}
		chosen[c] = true
		drawn = append(drawn, dx{c, r.between(lo, end)})
	}
	slices.SortStableFunc(drawn, func(a, b dx) int { return cmp.Compare(a.onset, b.onset) })
	for _, d := range drawn {
		rec.diagnose(d.c, d.onset)
	}
}

// diagnose records condition c diagnosed on day, with its first observations and treatment.
func (rec *record) diagnose(c cond, day int) int {
	r := rec.r
	def := &conds[c]
	var enc int
	if def.hospital && r.percent(60) {
		enc = rec.hospitalVisit(encOutpatient, day, "Cardiology")
	} else {
		enc = rec.visit(encSymptom, day)
	}
	ci := rec.addCondition(c, enc)
	end := rec.lastEventDay()
	if !def.chronic && c != condPregnancy && r.percent(45) {
		if ab := day + r.between(180, 720); ab <= end {
			rec.conds[ci].abated, rec.conds[ci].abate = true, ab
		}
	}

	// The diagnostic result.
	switch c {
	case condHypertension:
		rec.addObs(obsBP, enc, clamp(r.norm(158, 7), 140, 185), clamp(r.norm(95, 5), 90, 115))
	case condT2DM:
		rec.hbMean, rec.trend = r.between(50, 64), r.between(-2, 3)
		rec.addObs(obsHbA1c, enc, rec.hba1cAtDiagnosis(), 0)
	case condCKD3:
		rec.addObs(obsEGFR, enc, clamp(r.norm(48, 6), 30, 59), 0)
	case condHypothyroid:
		rec.addObs(obsTSH, enc, clamp(r.norm(95, 15), 55, 200), 0)
	}

	// Medicines are prescribed by the GP; after a hospital diagnosis, at a follow-up visit.
	rxEnc := enc
	if encDefs[rec.encs[enc].kind].hospital {
		d := day + r.between(7, 21)
		if d > end {
			return ci
		}
		rxEnc = rec.visit(encFollowUp, d)
	}
	age := rec.age(rec.encs[rxEnc].day)
	switch c {
	case condHypertension:
		if r.percent(92) {
			if rec.has(condT2DM) || age < 55 {
				rec.prescribe(drugRamipril, ci, rxEnc)
			} else {
				rec.prescribe(drugAmlodipine, ci, rxEnc)
			}
		}
		if r.percent(35) {
			rec.prescribe(drugAtorvastatin, ci, rxEnc)
		}
	case condT2DM:
		if r.percent(92) {
			rec.prescribe(drugMetformin, ci, rxEnc)
		}
		if r.percent(75) {
			rec.prescribe(drugAtorvastatin, ci, rxEnc)
		}
	case condCKD3:
		if r.percent(60) {
			rec.prescribe(drugAtorvastatin, ci, rxEnc)
		}
	case condAsthma:
		rec.prescribe(drugSalbutamol, ci, rxEnc)
		if r.percent(65) {
			rec.prescribe(drugBeclometasone, ci, rxEnc)
		}
	case condCOPD:
		rec.prescribe(drugSalbutamol, ci, rxEnc)
	case condAF:
		if r.percent(85) {
			rec.prescribe(drugApixaban, ci, rxEnc)
		}
		if r.percent(70) {
			rec.prescribe(drugBisoprolol, ci, rxEnc)
		}
	case condHF:
		if r.percent(85) {
			rec.prescribe(drugBisoprolol, ci, rxEnc)
		}
		if r.percent(80) {
			rec.prescribe(drugFurosemide, ci, rxEnc)
		}
		if r.percent(70) {
			rec.prescribe(drugRamipril, ci, rxEnc)
		}
	case condDepression:
		if r.percent(60) {
			rec.prescribe(drugSertraline, ci, rxEnc)
		}
	case condHypothyroid:
		rec.prescribe(drugLevothyroxine, ci, rxEnc)
	case condOA:
		if r.percent(50) {
			rec.prescribe(drugParacetamol, ci, rxEnc)
		}
	}
	return ci
}

// pregnancy records a pregnancy in the last two years for some women of child-bearing age.
func (rec *record) pregnancy() {
	r := rec.r
	p := &rec.p
	end := rec.lastEventDay()
	if !p.female || rec.age(end) < 18 || rec.age(end) > 44 || !r.permille(55) {
		return
	}
	onset := r.between(max(end-2*365, addYears(p.birth, 18)), end)
	if rec.age(onset) > 44 {
		return
	}
	ci := rec.diagnose(condPregnancy, onset)
	if ab := onset + r.between(250, 285); ab <= end {
		rec.conds[ci].abated, rec.conds[ci].abate = true, ab
	}
}

// ---------------------------------------------------------------- allergies

func (rec *record) allergyHistory() {
	r := rec.r
	p := &rec.p
	end := rec.lastEventDay()
	ageNow := rec.age(end)
	risk := [numAllergies]int{
		allergyPenicillin: 60,
		allergyAspirin:    5,
		allergyPeanut:     10,
		allergyLatex:      5,
	}
	if ageNow < 30 {
		risk[allergyPeanut] = 25
	}
	if ageNow < 16 {
		risk[allergyAspirin], risk[allergyLatex] = 0, 0
	}
	for a := range numAllergies {
		if !r.permille(risk[a]) {
			continue
		}
		lo := p.birth + 180
		if a == allergyAspirin || a == allergyLatex {
			lo = addYears(p.birth, 16)
		}
		if lo > end {
			continue
		}
		onset := r.between(lo, end)
		recorded := min(onset+r.between(0, 14), end)
		enc := rec.visit(encSymptom, recorded)
		def := &allergyDefs[a]
		reaction := 0
		if len(def.reactions) > 1 && r.percent(45) {
			reaction = 1 + r.intn(len(def.reactions)-1)
		}
		rec.allergies = append(rec.allergies, allergy{a: a, onset: onset, day: recorded, enc: enc, reaction: reaction, prac: rec.encs[enc].prac})
	}
}

// ---------------------------------------------------------------- monitoring

// condOn reports whether condition c had been diagnosed by day.
func (rec *record) condOn(c cond, day int) bool {
	i := rec.condIdx[c]
	return i != 0 && rec.conds[i-1].onset <= day
}

// drugOn reports whether drug d had been prescribed by day.
func (rec *record) drugOn(d drug, day int) bool {
	i := rec.drugIdx[d]
	return i != 0 && rec.meds[i-1].day <= day
}

var monitored = []cond{condHypertension, condT2DM, condCKD3, condAF, condHF, condCOPD, condAsthma, condHypothyroid}

func (rec *record) monitoring() {
	r := rec.r
	p := &rec.p
	end := rec.lastEventDay()
	start := rec.windowStart()
	ageNow := rec.age(end)

	firstLTC := -1
	for _, c := range monitored {
		if i := rec.condIdx[c]; i != 0 {
			if o := rec.conds[i-1].onset; firstLTC < 0 || o < firstLTC {
				firstLTC = o
			}
		}
	}

	// Yearly long-term condition reviews.
	if firstLTC >= 0 {
		base := r.intn(120)
		for k := range recordYears {
			day := end - k*365 - base
			if day < start || day <= firstLTC {
				continue
			}
			rec.review(day, true)
			mid := day - 182
			if mid < start || mid <= firstLTC {
				continue
			}
			// Six-monthly checks between reviews.
			if rec.condOn(condT2DM, mid) {
				enc := rec.visit(encFollowUp, mid)
				rec.addObs(obsHbA1c, enc, rec.hba1c(mid), 0)
			}
			if rec.condOn(condHypertension, mid) {
				s, d := rec.bloodPressure(mid)
				rec.addObs(obsBP, rec.visit(encFollowUp, mid), s, d)
			}
		}
	}

	// Ordinary consultations: more with age, a few with blood pressure and weight taken.
	if lo := max(start, p.birth+28); lo <= end {
		n := r.between(1, 3)
		if ageNow >= 50 {
			n += r.between(0, 2)
		}
		if p.female && ageNow < 46 {
			n += r.between(0, 1)
		}
		for range n {
			enc := rec.visit(encSymptom, r.between(lo, end))
			if ageNow >= 18 && r.percent(35) {
				rec.vitals(enc)
			}
		}
	}

	// NHS Health Check (40–74 without a long-term condition) or an occasional GP visit.
	if ageNow >= 18 && firstLTC < 0 {
		if ageNow >= 40 && ageNow <= 74 && r.percent(60) {
			rec.review(r.between(start, end), false)
		} else if r.percent(50) {
			lo := max(start, addYears(p.birth, 18))
			if lo <= end {
				enc := rec.visit(encSymptom, r.between(lo, end))
				if r.percent(50) {
					rec.vitals(enc)
				}
			}
		}
	}

	// Every adult has their smoking status and height recorded once.
	if ageNow >= 16 {
		first := -1
		for i := range rec.encs {
			e := &rec.encs[i]
			if !encDefs[e.kind].hospital && rec.age(e.day) >= 16 && e.day >= start && (first < 0 || e.day < rec.encs[first].day) {
				first = i
			}
		}
		if first < 0 {
			lo := max(start, addYears(p.birth, 16))
			first = rec.visit(encReview, r.between(lo, end))
		}
		rec.addObs(obsSmoking, first, p.smoking, 0)
	}
	if p.heightCm > 0 {
		first := -1
		for i, o := range rec.obs {
			if o.kind == obsWeight && rec.age(o.day) >= 18 && (first < 0 || o.day < rec.obs[first].day) {
				first = i
			}
		}
		if first >= 0 {
			rec.addObs(obsHeight, rec.obs[first].enc, p.heightCm, 0)
		}
	}
}

// review records a GP review (or health check) with the observations its conditions call for.
func (rec *record) review(day int, ltc bool) {
	enc := rec.visit(encReview, day)
	age := rec.age(day)
	bp := !ltc || age >= 40 || rec.condOn(condHypertension, day) || rec.condOn(condT2DM, day) ||
		rec.condOn(condCKD3, day) || rec.condOn(condAF, day) || rec.condOn(condHF, day)
	if bp {
		s, d := rec.bloodPressure(day)
		rec.addObs(obsBP, enc, s, d)
	}
	if age >= 18 {
		rec.weight(enc, day)
	}
	if rec.condOn(condT2DM, day) {
		rec.addObs(obsHbA1c, enc, rec.hba1c(day), 0)
	}
	if rec.condOn(condT2DM, day) || rec.condOn(condCKD3, day) || rec.condOn(condHypertension, day) || rec.condOn(condHF, day) {
		rec.addObs(obsEGFR, enc, rec.egfr(day), 0)
	}
	if !ltc || rec.condOn(condT2DM, day) || rec.drugOn(drugAtorvastatin, day) {
		rec.addObs(obsCholesterol, enc, rec.cholesterol(day), 0)
	}
	if rec.condOn(condHypothyroid, day) {
		rec.addObs(obsTSH, enc, rec.tsh(day), 0)
	}
}

// vitals records blood pressure and weight at an encounter.
func (rec *record) vitals(enc int) {
	day := rec.encs[enc].day
	s, d := rec.bloodPressure(day)
	rec.addObs(obsBP, enc, s, d)
	if rec.age(day) >= 18 {
		rec.weight(enc, day)
	}
}

func (rec *record) weight(enc, day int) {
	h := rec.p.heightCm
	if h == 0 {
		return
	}
	bmi := clamp(rec.p.bmi10+rec.r.norm(0, 6), 160, 480)
	w := (bmi*h*h + 5000) / 10000     // kg ×10
	bmi = (w*10000 + h*h/2) / (h * h) // recomputed from the rounded weight
	rec.addObs(obsWeight, enc, w, 0)
	rec.addObs(obsBMI, enc, bmi, 0)
}

func (rec *record) bloodPressure(day int) (sys, dia int) {
	r := rec.r
	if rec.condOn(condHypertension, day) {
		return clamp(r.norm(138, 9), 112, 175), clamp(r.norm(84, 6), 66, 104)
	}
	age := rec.age(day)
	return clamp(r.norm(110+max(age-20, 0)/3, 8), 96, 139), clamp(r.norm(75, 6), 56, 89)
}

// hba1cAtDiagnosis is the diagnostic HbA1c of a new diabetic: at or above 48 mmol/mol.
func (rec *record) hba1cAtDiagnosis() int { return clamp(rec.r.norm(58, 5), 49, 90) }

// hba1c follows a per-patient level and trend across the record window, staying in the
// diabetic range.
func (rec *record) hba1c(day int) int {
	years := max(day-rec.windowStart(), 0) / 365
	return clamp(rec.hbMean+rec.trend*years+rec.r.norm(0, 2), 48, 110)
}

func (rec *record) egfr(day int) int {
	if rec.condOn(condCKD3, day) {
		return clamp(rec.r.norm(47, 6), 30, 59)
	}
	age := rec.age(day)
	return clamp(rec.r.norm(112-max(age-25, 0)*4/5, 7), 60, 125)
}

func (rec *record) cholesterol(day int) int {
	if rec.drugOn(drugAtorvastatin, day) {
		return clamp(rec.r.norm(42, 5), 28, 60)
	}
	return clamp(rec.r.norm(53, 8), 32, 85)
}

func (rec *record) tsh(day int) int {
	if rec.drugOn(drugLevothyroxine, day) {
		return clamp(rec.r.norm(22, 10), 4, 65)
	}
	return clamp(rec.r.norm(95, 15), 55, 200)
}

// ---------------------------------------------------------------- immunisations

// childhoodImmunisations gives the routine schedule. engaged families take up almost every
// dose; others miss many.
func (rec *record) childhoodImmunisations(engaged bool) {
	r := rec.r
	end := rec.lastEventDay()
	for _, s := range childhoodSchedule {
		nominal := s.age(rec.p.birth)
		if nominal > end {
			break
		}
		if engaged && !r.percent(97) || !engaged && !r.percent(40) {
			continue
		}
		delay := r.intn(8)
		if r.percent(30) {
			delay = r.between(8, s.slack)
		}
		if rec.immunise(s.vac, s.dose, nominal+delay) && s.dose == 1 && (s.vac == vacSixInOne || s.vac == vacMMR) {
			enc := rec.imms[len(rec.imms)-1].enc
			w := 52 // ×10 kg at eight weeks
			if s.vac == vacMMR {
				w = 96
			}
			rec.addObs(obsWeight, enc, clamp(r.norm(w, w/10), w*7/10, w*13/10), 0)
		}
	}
}

// fluDay is the day of a flu vaccination in the season that starts in autumn of year y.
func (rec *record) fluDay(y int) int { return daysFromCivil(y, 10, 1) + rec.r.intn(75) }

// atRisk reports whether the patient was in a clinical risk group for flu on day.
func (rec *record) atRisk(day int) bool {
	for _, c := range []cond{condT2DM, condCOPD, condAsthma, condCKD3, condHF} {
		if rec.condOn(c, day) {
			return true
		}
	}
	return false
}

func (rec *record) adultImmunisations() {
	r := rec.r
	p := &rec.p
	start, end := rec.windowStart(), rec.lastEventDay()
	for y := yearOf(start); y <= yearOf(end); y++ {
		day := rec.fluDay(y)
		if day < start || day > end {
			continue
		}
		age := rec.age(day)
		switch {
		case age >= 65 && r.percent(75), age >= 18 && rec.atRisk(day) && r.percent(45):
			rec.immunise(vacFluAdult, 1, day)
		case vacFluChild.allowedAge(day-p.birth) && r.percent(50):
			rec.immunise(vacFluChild, 1, day)
		}
	}
	if d := addYears(p.birth, 65) + r.intn(365); d >= start && d <= end && r.percent(70) {
		rec.immunise(vacPPV23, 1, d)
	}
	if lo := max(addYears(p.birth, 70), start); lo <= end && r.percent(50) {
		d := r.between(lo, min(end, lo+2*365))
		if rec.immunise(vacShingles, 1, d) {
			rec.immunise(vacShingles, 2, d+r.between(8*week, 26*week))
		}
	}
}

// ---------------------------------------------------------------- hospital

func (rec *record) hospitalEvents() {
	r := rec.r
	p := &rec.p
	start, end := rec.windowStart(), rec.lastEventDay()
	if start <= end && r.percent(10) {
		rec.hospitalVisit(encEmergency, r.between(start, end), "Emergency medicine")
	}
	for _, adm := range []struct {
		c         cond
		pct       int
		specialty string
	}{{condHF, 30, "Cardiology"}, {condCOPD, 20, "Respiratory medicine"}} {
		i := rec.condIdx[adm.c]
		if i == 0 || !r.percent(adm.pct) {
			continue
		}
		lo := max(start, rec.conds[i-1].onset+30)
		if lo > end-10 {
			continue
		}
		day := r.between(lo, end-10)
		enc := rec.hospitalVisit(encInpatient, day, adm.specialty)
		e := &rec.encs[enc]
		e.endDay, e.endMinute = day+r.between(2, 8), r.between(10*60, 17*60)
		e.diagnoses = append(e.diagnoses, i-1)
	}
	// Most deaths in old age follow an emergency admission; it ends with the death.
	if p.dead && rec.age(p.death) >= 50 && r.percent(70) {
		day := max(p.death-r.between(1, 10), p.birth)
		specialty := "Geriatric medicine"
		if rec.age(day) < 75 {
			specialty = "Cardiology"
		}
		enc := rec.hospitalVisit(encInpatient, day, specialty)
		e := &rec.encs[enc]
		e.endDay, e.endMinute = p.death, p.deathMinute
		if e.day == e.endDay && e.minute > e.endMinute {
			e.minute = e.endMinute
		}
	}
}
