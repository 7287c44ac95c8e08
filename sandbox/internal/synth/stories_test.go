package synth

import (
	"slices"
	"strings"
	"testing"
)

// storyRecord is a story patient's record, decoded and grouped by type.
type storyRecord struct {
	byType map[string][]map[string]any
	byRef  map[string]map[string]any
}

func loadStory(t *testing.T, g *Generator, i int) storyRecord {
	t.Helper()
	s := storyRecord{byType: map[string][]map[string]any{}, byRef: map[string]map[string]any{}}
	for _, d := range decodeAll(t, g.Patient(i)) {
		s.byType[d.Type] = append(s.byType[d.Type], d.v)
		s.byRef[d.Type+"/"+d.ID] = d.v
	}
	return s
}

// obsValues returns the values of observations with a LOINC code, in date order.
func (s storyRecord) obsValues(code string) (dates []string, values []float64) {
	for _, o := range s.byType["Observation"] {
		if firstCode(o, "code") == code {
			dates = append(dates, str(o, "effectiveDateTime"))
			values = append(values, num(obj(o["valueQuantity"])["value"]))
		}
	}
	return dates, values
}

func (s storyRecord) conditionCodes() []string {
	var out []string
	for _, c := range s.byType["Condition"] {
		out = append(out, firstCode(c, "code"))
	}
	slices.Sort(out)
	return out
}

func (s storyRecord) medicineCodes() []string {
	var out []string
	for _, m := range s.byType["MedicationRequest"] {
		out = append(out, firstCode(m, "medicationCodeableConcept"))
	}
	slices.Sort(out)
	return out
}

func TestStories(t *testing.T) {
	g := mustNew(t, Config{Seed: 12345, Patients: 50})
	wantIDs := []string{"story-diabetes", "story-asthma-child", "story-copd-heart-failure", "story-penicillin-allergy", "story-deceased", "story-gp-change"}
	stories := Stories()
	if len(stories) != len(wantIDs) {
		t.Fatalf("%d stories, want %d", len(stories), len(wantIDs))
	}
	for i, s := range stories {
		if s.Index != i || s.ID != wantIDs[i] || !validNHSNumber(s.NHSNumber) || s.NHSNumber != nhsNumber(i) || s.Summary == "" {
			t.Errorf("story %d = %+v", i, s)
		}
		pat := decodeAll(t, g.Patient(i))[0]
		if pat.ID != s.ID || str(obj(list(pat.v, "identifier")[0]), "value") != s.NHSNumber {
			t.Errorf("Patient(%d) is %s, want %s with NHS number %s", i, pat.ID, s.ID, s.NHSNumber)
		}
	}
	if stories[0].NHSNumber != "9990000018" {
		t.Errorf("story-diabetes NHS number = %s, want 9990000018", stories[0].NHSNumber)
	}

	t.Run("diabetes with rising HbA1c", func(t *testing.T) {
		s := loadStory(t, g, 0)
		dates, values := s.obsValues("4548-4")
		if len(values) < 10 {
			t.Fatalf("%d HbA1c results, want at least 10", len(values))
		}
		recent := values[len(values)-10:]
		for k := 1; k < len(recent); k++ {
			if recent[k] <= recent[k-1] {
				t.Errorf("HbA1c not rising: %v on %v", values, dates)
				break
			}
		}
		if recent[0] != 52 || recent[9] != 78 {
			t.Errorf("HbA1c from %v to %v, want 52 to 78", recent[0], recent[9])
		}
		if got := s.conditionCodes(); !slices.Equal(got, []string{snomedHTN, snomedT2DM}) {
			t.Errorf("conditions %v", got)
		}
		if got := s.medicineCodes(); !slices.Equal(got, []string{"318902004", "320030001", "325278007"}) {
			t.Errorf("medicines %v", got)
		}
	})

	t.Run("child with asthma and a full immunisation record", func(t *testing.T) {
		s := loadStory(t, g, 1)
		pat := s.byType["Patient"][0]
		if str(pat, "birthDate") != "2017-05-02" {
			t.Errorf("birthDate %s", str(pat, "birthDate"))
		}
		given := map[string]int{}
		for _, im := range s.byType["Immunization"] {
			given[firstCode(im, "vaccineCode")]++
		}
		want := map[string]int{
			"34765811000001105": 3, // 6-in-1
			"34609911000001106": 2, // rotavirus
			"23584211000001109": 3, // MenB
			"16649411000001104": 2, // PCV
			"9903711000001109":  1, // Hib/MenC
			"13968211000001108": 2, // MMR
			"26267211000001100": 1, // 4-in-1
			"27114211000001105": 7, // nasal flu 2019–2025
		}
		for code, n := range want {
			if given[code] != n {
				t.Errorf("vaccine %s given %d times, want %d", code, given[code], n)
			}
		}
		if got := s.conditionCodes(); !slices.Equal(got, []string{snomedAsthma}) {
			t.Errorf("conditions %v", got)
		}
		if got := s.medicineCodes(); !slices.Equal(got, []string{"39113611000001102", "408063002"}) {
			t.Errorf("medicines %v", got)
		}
	})

	t.Run("older adult with COPD, heart failure and polypharmacy", func(t *testing.T) {
		s := loadStory(t, g, 2)
		for _, c := range []string{snomedCOPD, snomedHF, snomedAF, snomedHTN, snomedCKD3, snomedOA} {
			if !slices.Contains(s.conditionCodes(), c) {
				t.Errorf("missing condition %s", c)
			}
		}
		active := 0
		for _, m := range s.byType["MedicationRequest"] {
			if str(m, "status") == "active" {
				active++
			}
		}
		if active < 8 {
			t.Errorf("%d active medicines, want 8", active)
		}
		admitted := false
		for _, e := range s.byType["Encounter"] {
			admitted = admitted || str(obj(e["class"]), "code") == "IMP"
		}
		if !admitted {
			t.Error("no hospital admission")
		}
	})

	t.Run("penicillin allergy", func(t *testing.T) {
		s := loadStory(t, g, 3)
		al := s.byType["AllergyIntolerance"]
		if len(al) != 1 || firstCode(al[0], "code") != "764146007" || str(al[0], "criticality") != "high" {
			t.Fatalf("allergies %v", al)
		}
		m := obj(list(obj(list(al[0], "reaction")[0]), "manifestation")[0])
		if c := list(m, "coding"); len(c) != 1 || str(obj(c[0]), "code") != "126485001" {
			t.Errorf("reaction %v, want urticaria", m)
		}
	})

	t.Run("deceased patient", func(t *testing.T) {
		s := loadStory(t, g, 4)
		pat := s.byType["Patient"][0]
		if str(pat, "deceasedDateTime") != "2025-03-18T06:40:00Z" {
			t.Errorf("deceasedDateTime %q", str(pat, "deceasedDateTime"))
		}
		for _, m := range s.byType["MedicationRequest"] {
			if str(m, "status") != "stopped" {
				t.Errorf("medicine %s is %s", firstCode(m, "medicationCodeableConcept"), str(m, "status"))
			}
		}
		last := s.byType["Encounter"][len(s.byType["Encounter"])-1]
		if str(last, "period", "end") != "2025-03-18T06:40:00Z" || str(obj(last["class"]), "code") != "IMP" {
			t.Errorf("the last encounter is not the admission that ends with the death: %v", last["period"])
		}
	})

	t.Run("patient who changed GP practice", func(t *testing.T) {
		s := loadStory(t, g, 5)
		pat := s.byType["Patient"][0]
		current := str(obj(list(pat, "generalPractitioner")[0]), "reference")
		if !strings.HasPrefix(current, "Organization/ods-P87") {
			t.Errorf("generalPractitioner %s, want a Salford (P87) practice", current)
		}
		addrs := list(pat, "address")
		if len(addrs) != 2 || str(obj(addrs[1]), "use") != "old" || str(obj(addrs[1]), "period", "end") != "2023-06-30" {
			t.Errorf("addresses %v", addrs)
		}
		before, after := map[string]bool{}, map[string]bool{}
		for _, e := range s.byType["Encounter"] {
			sp := str(obj(e["serviceProvider"]), "reference")
			if str(obj(e["period"]), "start") < "2023-07-01" {
				before[sp] = true
			} else {
				after[sp] = true
			}
		}
		if len(before) != 1 || !strings.HasPrefix(firstKey(before), "Organization/ods-P82") {
			t.Errorf("encounters before the move at %v, want one Bolton (P82) practice", before)
		}
		if len(after) != 1 || !after[current] {
			t.Errorf("encounters after the move at %v, want %s", after, current)
		}
	})
}

func firstKey(m map[string]bool) string {
	for k := range m {
		return k
	}
	return ""
}
