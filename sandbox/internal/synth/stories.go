package synth

// Story patients sit at fixed indices at the start of every population. Their ids, NHS numbers,
// names and histories are written out here, not drawn at random, so tutorials and tests can rely
// on them whatever the seed. Their dates are as documented for the default AsOf; with another
// AsOf the whole story moves by whole years (AsOf's year minus 2026) so that ages, seasons and
// intervals are kept and nothing falls on or after AsOf.

// Story describes one story patient.
type Story struct {
	// Index is the patient index: Generator.Patient(Index) returns this story.
	Index int
	// ID is the Patient resource id.
	ID string
	// NHSNumber is the patient's (test-range) NHS number.
	NHSNumber string
	// Summary says what the record shows.
	Summary string
}

type storyBuilder struct {
	id      string
	summary string
	build   func(s *storyCtx)
}

var storyBuilders = []storyBuilder{
	{"story-diabetes", "Tariq Mahmood, 58, Longsight (Manchester): type 2 diabetes since 2019 with HbA1c rising every six months from 52 to 78 mmol/mol (2021–2025) on metformin; hypertension on ramipril; atorvastatin.", buildDiabetes},
	{"story-asthma-child", "Isla Brennan, 8, Stockport: asthma since 2021 (salbutamol, beclometasone from age 5) and a complete routine immunisation record from 8 weeks to the pre-school boosters, plus a nasal flu vaccine every autumn.", buildAsthmaChild},
	{"story-copd-heart-failure", "Eric Whitworth, 81, Rochdale: COPD, heart failure, atrial fibrillation, hypertension, CKD stage 3 and osteoarthritis on eight repeat medicines; admitted with heart failure in November 2024.", buildCOPDHeartFailure},
	{"story-penicillin-allergy", "Priya Sharma, 35, Sale (Trafford): penicillin allergy (urticaria, high criticality) since 2008; a pregnancy in 2022; hypothyroidism since 2023 on levothyroxine with falling TSH.", buildPenicillinAllergy},
	{"story-deceased", "Harold Barlow, Bury: died on 18 March 2025, aged 87, during an emergency admission to the Northern Care Alliance; hypertension, atrial fibrillation, heart failure and CKD stage 3; his medicines are stopped.", buildDeceased},
	{"story-gp-change", "Chloe Fitzgerald, 40: registered in Bolton until June 2023, then moved to Salford and registered there; asthma and depression. Old encounters name the Bolton practice; generalPractitioner names the Salford one.", buildGPChange},
}

// Stories lists the story patients. They occupy indices 0..len(Stories())-1 of every population
// (fewer when Config.Patients is smaller).
func Stories() []Story {
	out := make([]Story, len(storyBuilders))
	for i, b := range storyBuilders {
		out[i] = Story{Index: i, ID: b.id, NHSNumber: nhsNumber(i), Summary: b.summary}
	}
	return out
}

// storySeed fixes the few incidental values (appointment times, durations) of story records.
const storySeed = 0x53544f5259 // "STORY"

// storyCtx builds one story record.
type storyCtx struct {
	*record
	shift int // years to add to every documented date
}

// d returns the (shifted) day of a documented date.
func (s *storyCtx) d(y, m, day int) int { return daysFromCivil(y+s.shift, m, day) }

func (g *Generator) story(i int) *record {
	b := storyBuilders[i]
	s := &storyCtx{
		record: &record{g: g, r: newRNG(storySeed, uint64(i))},
		shift:  yearOf(g.asOfDay) - DefaultAsOf.Year(),
	}
	s.p.id = b.id
	s.p.nhs = nhsNumber(i)
	b.build(s)
	return s.record
}

// dx records a diagnosis at the GP (or, with a specialty, at the patient's acute trust) and
// returns the condition index.
func (s *storyCtx) dx(c cond, day int, specialty string) int {
	var enc int
	if specialty != "" {
		enc = s.hospitalVisit(encOutpatient, day, specialty)
	} else {
		enc = s.visit(encSymptom, day)
	}
	return s.addCondition(c, enc)
}

// rx prescribes at a GP visit on day.
func (s *storyCtx) rx(d drug, ci, day int) { s.prescribe(d, ci, s.visit(encFollowUp, day)) }

// obs records an observation at a GP encounter of kind on day.
func (s *storyCtx) obs(kind encKind, day int, k obsKind, v, v2 int) int {
	enc := s.visit(kind, day)
	s.addObs(k, enc, v, v2)
	return enc
}

// measure records weight and BMI for a given BMI (×10).
func (s *storyCtx) measure(kind encKind, day, bmi10 int) {
	enc := s.visit(kind, day)
	h := s.p.heightCm
	w := (bmi10*h*h + 5000) / 10000
	s.addObs(obsWeight, enc, w, 0)
	s.addObs(obsBMI, enc, (w*10000+h*h/2)/(h*h), 0)
}

func (s *storyCtx) flu(day int) { s.immunise(vacFluAdult, 1, day) }

func storyAddress(line []string, city, pc string, b int) address {
	return address{line: line, city: city, postcode: pc, borough: b}
}

// ---------------------------------------------------------------- the stories

func buildDiabetes(s *storyCtx) {
	p := &s.p
	p.name = personName{given: []string{"Tariq"}, family: "Mahmood", prefix: "Mr"}
	p.birth = s.d(1967, 3, 14)
	p.addrs = []address{storyAddress([]string{"42 Stockport Road"}, "Manchester", "M13 0LB", bManchester)}
	p.practice = s.g.world.practices[bManchester][0]
	p.phone, p.mobile = "0161 496 0142", "07700 900142"
	p.smoking, p.heightCm = smokeEx, 172

	htn := s.dx(condHypertension, s.d(2017, 9, 12), "")
	s.addObs(obsBP, s.conds[htn].enc, 162, 98)
	s.rx(drugRamipril, htn, s.d(2017, 9, 12))

	dm := s.dx(condT2DM, s.d(2019, 5, 20), "")
	s.addObs(obsHbA1c, s.conds[dm].enc, 54, 0)
	s.rx(drugMetformin, dm, s.d(2019, 5, 20))
	s.rx(drugAtorvastatin, dm, s.d(2019, 5, 20))

	hba1c := []int{52, 55, 57, 60, 62, 65, 68, 71, 74, 78}
	for k, v := range hba1c {
		y, m := 2021+k/2, 2+6*(k%2)
		day := s.d(y, m, 10)
		if m == 2 { // the yearly review
			s.obs(encReview, day, obsBP, 134+k, 84+k/2)
			s.measure(encReview, day, 308+k*2)
			s.obs(encReview, day, obsEGFR, 88-k, 0)
			s.obs(encReview, day, obsCholesterol, 44+k%3, 0)
			if k == 0 {
				s.obs(encReview, day, obsSmoking, smokeEx, 0)
				s.obs(encReview, day, obsHeight, p.heightCm, 0)
			}
		}
		s.obs(encFollowUp, day, obsHbA1c, v, 0)
	}
	for y := 2021; y <= 2025; y++ {
		s.flu(s.d(y, 10, 14))
	}
}

func buildAsthmaChild(s *storyCtx) {
	p := &s.p
	p.female = true
	p.name = personName{given: []string{"Isla", "Grace"}, family: "Brennan"}
	p.birth = s.d(2017, 5, 2)
	p.addrs = []address{storyAddress([]string{"9 Heaton Road"}, "Stockport", "SK4 4HY", bStockport)}
	p.practice = s.g.world.practices[bStockport][0]
	p.phone = "0161 496 0517"

	for _, dose := range childhoodSchedule {
		day := dose.age(p.birth)
		if s.immunise(dose.vac, dose.dose, day) && dose.dose == 1 {
			enc := s.imms[len(s.imms)-1].enc
			switch dose.vac {
			case vacSixInOne:
				s.addObs(obsWeight, enc, 54, 0)
			case vacMMR:
				s.addObs(obsWeight, enc, 93, 0)
			}
		}
	}
	for y := 2019; y <= 2025; y++ {
		s.immunise(vacFluChild, 1, s.d(y, 10, 15))
	}
	asthma := s.dx(condAsthma, s.d(2021, 3, 16), "")
	s.rx(drugSalbutamol, asthma, s.d(2021, 3, 16))
	for y := 2022; y <= 2025; y++ {
		s.visit(encReview, s.d(y, 6, 14))
	}
	s.rx(drugBeclometasone, asthma, s.d(2022, 6, 14))
}

func buildCOPDHeartFailure(s *storyCtx) {
	p := &s.p
	p.name = personName{given: []string{"Eric", "John"}, family: "Whitworth", prefix: "Mr"}
	p.birth = s.d(1944, 9, 21)
	p.addrs = []address{storyAddress([]string{"63 Bury Road"}, "Rochdale", "OL11 4EF", bRochdale)}
	p.practice = s.g.world.practices[bRochdale][0]
	p.phone = "0161 496 0863"
	p.smoking, p.heightCm = smokeEx, 170

	htn := s.dx(condHypertension, s.d(2006, 4, 3), "")
	s.addObs(obsBP, s.conds[htn].enc, 164, 96)
	s.rx(drugAmlodipine, htn, s.d(2006, 4, 3))
	s.immunise(vacPPV23, 1, s.d(2009, 10, 20))
	copd := s.dx(condCOPD, s.d(2012, 11, 20), "")
	s.rx(drugSalbutamol, copd, s.d(2012, 11, 20))
	oa := s.dx(condOA, s.d(2014, 6, 9), "")
	s.rx(drugParacetamol, oa, s.d(2014, 6, 9))
	hf := s.dx(condHF, s.d(2019, 2, 14), "Cardiology")
	s.rx(drugBisoprolol, hf, s.d(2019, 2, 28))
	s.rx(drugFurosemide, hf, s.d(2019, 2, 28))
	s.rx(drugRamipril, hf, s.d(2019, 2, 28))
	af := s.dx(condAF, s.d(2020, 7, 8), "")
	s.rx(drugApixaban, af, s.d(2020, 7, 8))
	ckd := s.dx(condCKD3, s.d(2021, 10, 5), "")
	s.addObs(obsEGFR, s.conds[ckd].enc, 52, 0)
	s.rx(drugAtorvastatin, ckd, s.d(2021, 10, 5))

	egfr := []int{61, 53, 50, 47, 45}
	for k := range 5 {
		day := s.d(2021+k, 3, 9)
		s.obs(encReview, day, obsBP, 136-k, 82-k)
		s.measure(encReview, day, 276+k*3)
		s.obs(encReview, day, obsEGFR, egfr[k], 0)
		s.obs(encReview, day, obsCholesterol, 41+k%2, 0)
		if k == 0 {
			s.obs(encReview, day, obsSmoking, smokeEx, 0)
			s.obs(encReview, day, obsHeight, p.heightCm, 0)
		}
		s.flu(s.d(2021+k, 10, 12))
	}
	s.immunise(vacShingles, 1, s.d(2022, 3, 15))
	s.immunise(vacShingles, 2, s.d(2022, 5, 17))

	enc := s.hospitalVisit(encInpatient, s.d(2024, 11, 18), "Cardiology")
	e := &s.encs[enc]
	e.endDay, e.endMinute = s.d(2024, 11, 25), 14*60+30
	e.diagnoses = append(e.diagnoses, hf, copd)
}

func buildPenicillinAllergy(s *storyCtx) {
	p := &s.p
	p.female = true
	p.name = personName{given: []string{"Priya"}, family: "Sharma", prefix: "Mrs"}
	p.birth = s.d(1990, 8, 9)
	p.addrs = []address{storyAddress([]string{"Flat 4", "18 Cross Street"}, "Sale", "M33 7AQ", bTrafford)}
	p.practice = s.g.world.practices[bTrafford][0]
	p.mobile = "07700 900318"
	p.smoking, p.heightCm = smokeNever, 160

	recorded := s.d(2008, 3, 17)
	enc := s.visit(encSymptom, recorded)
	s.allergies = append(s.allergies, allergy{a: allergyPenicillin, onset: s.d(2008, 3, 14), day: recorded, enc: enc, reaction: 0, prac: s.encs[enc].prac})

	preg := s.dx(condPregnancy, s.d(2022, 1, 20), "")
	s.conds[preg].abated, s.conds[preg].abate = true, s.d(2022, 10, 18)
	s.obs(encFollowUp, s.d(2022, 1, 20), obsBP, 112, 70)

	hypo := s.dx(condHypothyroid, s.d(2023, 5, 9), "")
	s.addObs(obsTSH, s.conds[hypo].enc, 89, 0)
	s.rx(drugLevothyroxine, hypo, s.d(2023, 5, 9))
	s.obs(encReview, s.d(2023, 5, 9), obsSmoking, smokeNever, 0)
	s.obs(encReview, s.d(2023, 5, 9), obsHeight, p.heightCm, 0)
	s.measure(encReview, s.d(2023, 5, 9), 243)
	for _, t := range []struct{ y, m, d, v int }{{2023, 8, 15, 31}, {2024, 5, 14, 22}, {2025, 5, 13, 19}} {
		s.obs(encFollowUp, s.d(t.y, t.m, t.d), obsTSH, t.v, 0)
	}
}

func buildDeceased(s *storyCtx) {
	p := &s.p
	p.name = personName{given: []string{"Harold", "Arthur"}, family: "Barlow", prefix: "Mr"}
	p.birth = s.d(1938, 2, 11)
	p.dead, p.death, p.deathMinute = true, s.d(2025, 3, 18), 6*60+40
	p.addrs = []address{storyAddress([]string{"27 Walmersley Road"}, "Bury", "BL9 5AB", bBury)}
	p.practice = s.g.world.practices[bBury][0]
	p.phone = "0161 496 0927"
	p.smoking, p.heightCm = smokeNever, 174

	htn := s.dx(condHypertension, s.d(2001, 6, 12), "")
	s.addObs(obsBP, s.conds[htn].enc, 168, 94)
	s.rx(drugAmlodipine, htn, s.d(2001, 6, 12))
	af := s.dx(condAF, s.d(2016, 9, 20), "")
	s.rx(drugApixaban, af, s.d(2016, 9, 20))
	s.rx(drugBisoprolol, af, s.d(2016, 9, 20))
	hf := s.dx(condHF, s.d(2020, 1, 28), "Cardiology")
	s.rx(drugFurosemide, hf, s.d(2020, 2, 11))
	s.rx(drugRamipril, hf, s.d(2020, 2, 11))
	ckd := s.dx(condCKD3, s.d(2022, 4, 5), "")
	s.addObs(obsEGFR, s.conds[ckd].enc, 49, 0)
	s.rx(drugAtorvastatin, ckd, s.d(2022, 4, 5))

	for k := range 4 {
		day := s.d(2021+k, 4, 13)
		s.obs(encReview, day, obsBP, 132+k, 78)
		s.measure(encReview, day, 262-k*6)
		s.obs(encReview, day, obsEGFR, []int{64, 55, 52, 49}[k], 0)
		if k == 0 {
			s.obs(encReview, day, obsSmoking, smokeNever, 0)
			s.obs(encReview, day, obsHeight, p.heightCm, 0)
		}
		s.flu(s.d(2020+k, 10, 20))
	}
	s.flu(s.d(2024, 10, 22))

	enc := s.hospitalVisit(encInpatient, s.d(2025, 3, 9), "Geriatric medicine")
	e := &s.encs[enc]
	e.minute = 21*60 + 15
	e.endDay, e.endMinute = p.death, p.deathMinute
	e.diagnoses = append(e.diagnoses, hf)
}

func buildGPChange(s *storyCtx) {
	p := &s.p
	p.female = true
	p.name = personName{given: []string{"Chloe", "Anne"}, family: "Fitzgerald", prefix: "Ms"}
	p.birth = s.d(1985, 11, 23)
	moved := s.d(2023, 7, 1)
	cur := storyAddress([]string{"5 Eccles Old Road"}, "Salford", "M6 8RU", bSalford)
	cur.from = moved
	old := storyAddress([]string{"17 Chorley Road"}, "Bolton", "BL1 4QT", bBolton)
	old.to = moved - 1
	p.addrs = []address{cur, old}
	p.practice = s.g.world.practices[bSalford][0]
	p.oldPractice = s.g.world.practices[bBolton][0]
	p.movedOn = moved
	p.mobile = "07700 900555"
	p.smoking, p.heightCm = smokeCurrent, 166

	asthma := s.dx(condAsthma, s.d(2004, 5, 11), "")
	s.rx(drugSalbutamol, asthma, s.d(2004, 5, 11))
	s.rx(drugBeclometasone, asthma, s.d(2004, 5, 11))
	dep := s.dx(condDepression, s.d(2018, 10, 2), "")
	s.rx(drugSertraline, dep, s.d(2018, 10, 2))
	s.visit(encFollowUp, s.d(2019, 1, 8))

	for k, day := range []int{s.d(2021, 11, 9), s.d(2022, 11, 15), s.d(2023, 7, 12), s.d(2024, 7, 16), s.d(2025, 7, 15)} {
		s.obs(encReview, day, obsBP, 118+k, 76)
		s.measure(encReview, day, 262+k*2)
		if k == 0 || k == 2 { // first review at each practice
			s.obs(encReview, day, obsSmoking, smokeCurrent, 0)
		}
		if k == 0 {
			s.obs(encReview, day, obsHeight, p.heightCm, 0)
		}
	}
	for _, day := range []int{s.d(2021, 10, 12), s.d(2022, 10, 18), s.d(2023, 10, 17), s.d(2024, 10, 15), s.d(2025, 10, 14)} {
		s.flu(day)
	}
}
