package synth

// Age pyramid: share (per mille) of each five-year band, 0–4 up to 90+ (England and Wales,
// census 2021, rounded; Greater Manchester is a little younger but the shape is the same).
var ageBands = []int{54, 60, 61, 57, 60, 67, 68, 66, 62, 64, 69, 68, 60, 52, 51, 37, 26, 16, 9}

// deathRisk is the per-mille chance that a person of this age (at AsOf) died in the three years
// before it: a few percent of the population, concentrated in the oldest.
func deathRisk(age int) int {
	switch {
	case age < 40:
		return 1
	case age < 60:
		return 6
	case age < 70:
		return 20
	case age < 80:
		return 50
	case age < 90:
		return 120
	}
	return 250
}

// patientID derives a patient's id from the seed and index. splitmix is a bijection and the
// key is fixed per seed, so distinct indices always get distinct ids.
func patientID(seedKey uint64, i int) string {
	var b [20]byte
	copy(b[:], "pat-")
	h := splitmix(seedKey + uint64(i))
	const hex = "0123456789abcdef"
	for k := 15; k >= 0; k-- {
		b[4+k] = hex[h&0xf]
		h >>= 4
	}
	return string(b[:])
}

// generated builds patient i of a random population.
func (g *Generator) generated(i int) *record {
	r := newRNG(g.seedKey, uint64(i))
	rec := &record{g: g, r: r}
	p := &rec.p
	p.id = patientID(g.seedKey, i)
	p.nhs = nhsNumber(i)
	p.female = r.permille(508)

	band := weighted(r, ageBands)
	age := band*5 + r.intn(5)
	if band == len(ageBands)-1 {
		age = 90 + r.intn(10)
	}
	// Born between age+1 and age years before AsOf, and at least a week before it.
	p.birth = min(addYears(g.asOfDay, -age-1)+1+r.intn(365), g.lastDay-7)
	ageNow := ageOn(p.birth, g.lastDay)
	p.name = newName(r, p.female, yearOf(p.birth), ageNow)

	if r.permille(deathRisk(ageNow)) {
		p.dead = true
		p.death = r.between(max(p.birth+60, g.lastDay-3*365), g.lastDay)
		p.deathMinute = r.intn(24 * 60)
	}

	b := weighted(r, boroughWeights)
	p.addrs = []address{newAddress(r, b)}
	p.practice = pick(r, g.world.practices[b])
	p.gpSlot = r.intn(2)
	if ageNow >= 16 {
		if r.percent(45) {
			p.phone = "0161 496 0" + pad3(r.intn(1000))
		}
		if r.percent(88) {
			p.mobile = "07700 900" + pad3(r.intn(1000))
		}
	} else if r.percent(60) {
		p.phone = "0161 496 0" + pad3(r.intn(1000))
	}
	rec.history()
	return rec
}
