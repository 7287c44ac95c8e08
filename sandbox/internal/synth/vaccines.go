package synth

// The UK routine immunisation schedule as it stood from 2020 to mid-2025 (Green Book chapter
// 11), applied to every birth cohort: historical changes (MenB from 2015, the 2025 move of PCV
// and MenB doses, MMRV from 2026) are not modelled. Vaccines are coded with the dm+d product
// (AMP) a GP system records, verified against the GM Secure Data Environment code sets.

// vaccine identifies a product in the schedule.
type vaccine int

const (
	vacSixInOne vaccine = iota // DTaP/IPV/Hib/HepB
	vacRotavirus
	vacMenB
	vacPCV
	vacHibMenC
	vacMMR
	vacFourInOne // DTaP/IPV pre-school booster
	vacHPV
	vacThreeInOne // Td/IPV teenage booster
	vacMenACWY
	vacFluChild // live attenuated, nasal
	vacFluAdult // inactivated, injected
	vacPPV23    // pneumococcal polysaccharide, 65+
	vacShingles // recombinant zoster
	numVaccines
)

// vaccineDef is a product with the ages (in days) at which the schedule allows it.
type vaccineDef struct {
	code   coding
	text   string // the name parents and patients use
	minAge int    // days
	maxAge int    // days, exclusive
	doses  int    // doses in the primary course (0: annual)
}

const (
	week = 7
	year = 365
)

var vaccineDefs = [numVaccines]vaccineDef{
	vacSixInOne:   {coding{sysSNOMED, "34765811000001105", "Infanrix Hexa vaccine powder and suspension for suspension for injection 0.5ml pre-filled syringes (GlaxoSmithKline UK Ltd)"}, "6-in-1 (DTaP/IPV/Hib/HepB)", 8 * week, 10 * year, 3},
	vacRotavirus:  {coding{sysSNOMED, "34609911000001106", "Rotarix vaccine live oral suspension 1.5ml tube (GlaxoSmithKline UK Ltd)"}, "Rotavirus", 6 * week, 24 * week, 2},
	vacMenB:       {coding{sysSNOMED, "23584211000001109", "Bexsero vaccine suspension for injection 0.5ml pre-filled syringes (GlaxoSmithKline UK Ltd)"}, "MenB", 8 * week, 2 * year, 3},
	vacPCV:        {coding{sysSNOMED, "16649411000001104", "Prevenar 13 vaccine suspension for injection 0.5ml pre-filled syringes (Pfizer Ltd)"}, "Pneumococcal conjugate (PCV)", 12 * week, 2 * year, 2},
	vacHibMenC:    {coding{sysSNOMED, "9903711000001109", "Menitorix vaccine powder and solvent for solution for injection 0.5ml vials (GlaxoSmithKline UK Ltd)"}, "Hib/MenC", 1 * year, 10 * year, 1},
	vacMMR:        {coding{sysSNOMED, "13968211000001108", "M-M-RVAXPRO vaccine powder and solvent for suspension for injection 0.5ml pre-filled syringes (Merck Sharp & Dohme (UK) Ltd)"}, "MMR", 1 * year, 120 * year, 2},
	vacFourInOne:  {coding{sysSNOMED, "26267211000001100", "Boostrix-IPV suspension for injection 0.5ml pre-filled syringes (GlaxoSmithKline UK Ltd)"}, "4-in-1 pre-school booster (DTaP/IPV)", 3*year + 120, 10 * year, 1},
	vacHPV:        {coding{sysSNOMED, "33493111000001108", "Gardasil 9 vaccine suspension for injection 0.5ml pre-filled syringes (Merck Sharp & Dohme (UK) Ltd)"}, "HPV", 12 * year, 25 * year, 1},
	vacThreeInOne: {coding{sysSNOMED, "7374511000001107", "Revaxis vaccine suspension for injection 0.5ml pre-filled syringes (Sanofi Pasteur)"}, "3-in-1 teenage booster (Td/IPV)", 13 * year, 25 * year, 1},
	vacMenACWY:    {coding{sysSNOMED, "20517811000001104", "Nimenrix vaccine powder and solvent for solution for injection 0.5ml pre-filled syringes (Pfizer Ltd)"}, "MenACWY", 13 * year, 25 * year, 1},
	vacFluChild:   {coding{sysSNOMED, "27114211000001105", "Fluenz Tetra vaccine nasal suspension 0.2ml unit dose (AstraZeneca UK Ltd)"}, "Children's flu (nasal spray)", 2 * year, 16 * year, 0},
	vacFluAdult:   {coding{sysSNOMED, "34680411000001107", "Quadrivalent influenza vaccine (split virion, inactivated) suspension for injection 0.5ml pre-filled syringes (Sanofi Pasteur)"}, "Flu", 18 * year, 120 * year, 0},
	vacPPV23:      {coding{sysSNOMED, "27396511000001105", "Pneumococcal polysaccharide vaccine solution for injection 0.5ml vials (Merck Sharp & Dohme Ltd)"}, "Pneumococcal (PPV23)", 65 * year, 120 * year, 1},
	vacShingles:   {coding{sysSNOMED, "39655511000001105", "Shingrix (Herpes Zoster) adjuvanted recombinant vaccine powder and suspension for suspension for injection 0.5ml vials (GlaxoSmithKline UK Ltd)"}, "Shingles", 70 * year, 80 * year, 2},
}

// scheduledDose is one dose of the childhood schedule at a nominal age.
type scheduledDose struct {
	vac   vaccine
	dose  int
	age   func(birth int) int // nominal day of the dose
	slack int                 // how late (days) a dose may realistically be given
}

func atWeeks(w int) func(int) int { return func(b int) int { return b + w*week } }
func atYears(y, months int) func(int) int {
	return func(b int) int { return addMonths(addYears(b, y), months) }
}

// childhoodSchedule lists the routine doses up to the teenage boosters, in order.
var childhoodSchedule = []scheduledDose{
	{vacSixInOne, 1, atWeeks(8), 21},
	{vacRotavirus, 1, atWeeks(8), 14},
	{vacMenB, 1, atWeeks(8), 21},
	{vacSixInOne, 2, atWeeks(12), 21},
	{vacPCV, 1, atWeeks(12), 21},
	{vacRotavirus, 2, atWeeks(12), 14},
	{vacSixInOne, 3, atWeeks(16), 21},
	{vacMenB, 2, atWeeks(16), 21},
	{vacHibMenC, 1, atYears(1, 0), 30},
	{vacPCV, 2, atYears(1, 0), 30},
	{vacMMR, 1, atYears(1, 0), 30},
	{vacMenB, 3, atYears(1, 0), 30},
	{vacFourInOne, 1, atYears(3, 4), 60},
	{vacMMR, 2, atYears(3, 4), 60},
	{vacHPV, 1, atYears(12, 6), 90},
	{vacThreeInOne, 1, atYears(14, 3), 90},
	{vacMenACWY, 1, atYears(14, 3), 90},
}

// allowedAge reports whether the schedule allows vaccine v at ageDays.
func (v vaccine) allowedAge(ageDays int) bool {
	d := vaccineDefs[v]
	return ageDays >= d.minAge && ageDays < d.maxAge
}
