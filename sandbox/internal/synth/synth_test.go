package synth

import (
	"errors"
	"regexp"
	"testing"
	"time"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name         string
		cfg          Config
		wantErr      bool
		wantPatients int
		wantSeed     int64
		wantAsOf     time.Time
	}{
		{"zero values are defaults", Config{}, false, DefaultPatients, DefaultSeed, DefaultAsOf},
		{"explicit values", Config{Seed: -7, Patients: 12, AsOf: time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)}, false, 12, -7, time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)},
		{"maximum population", Config{Patients: MaxPatients}, false, MaxPatients, DefaultSeed, DefaultAsOf},
		{"negative population", Config{Patients: -1}, true, 0, 0, time.Time{}},
		{"too large a population", Config{Patients: MaxPatients + 1}, true, 0, 0, time.Time{}},
		{"AsOf too early", Config{AsOf: time.Date(1989, 12, 31, 0, 0, 0, 0, time.UTC)}, true, 0, 0, time.Time{}},
		{"AsOf too late", Config{AsOf: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}, true, 0, 0, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := New(tt.cfg)
			if tt.wantErr {
				if err == nil || !errors.Is(err, ErrConfig) {
					t.Fatalf("New(%+v) error = %v, want an ErrConfig", tt.cfg, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g.Len() != tt.wantPatients || g.Seed() != tt.wantSeed || !g.AsOf().Equal(tt.wantAsOf) {
				t.Errorf("got Len %d Seed %d AsOf %s, want %d %d %s", g.Len(), g.Seed(), g.AsOf(), tt.wantPatients, tt.wantSeed, tt.wantAsOf)
			}
		})
	}
}

func TestPatientOutOfRange(t *testing.T) {
	g := mustNew(t, Config{Patients: 10})
	for _, i := range []int{-1, 10, 1 << 40} {
		if res := g.Patient(i); res != nil {
			t.Errorf("Patient(%d) = %d resources, want nil", i, len(res))
		}
	}
}

func TestNHSNumber(t *testing.T) {
	tests := []struct {
		number string
		valid  bool
	}{
		{"9990000018", true},
		{"9434765919", true}, // a real-format number outside the test range
		{"9990000019", false},
		{"9990000000", false}, // check digit would be 10
		{"999000001", false},
		{"99900000180", false},
		{"999000001X", false},
	}
	for _, tt := range tests {
		if got := validNHSNumber(tt.number); got != tt.valid {
			t.Errorf("validNHSNumber(%q) = %v, want %v", tt.number, got, tt.valid)
		}
	}
	if got := nhsNumber(0); got != "9990000018" {
		t.Errorf("nhsNumber(0) = %s, want 9990000018", got)
	}
	// Every index of the largest population gets its own valid test-range number.
	seen := make(map[string]bool, MaxPatients)
	for i := range MaxPatients {
		n := nhsNumber(i)
		if !validNHSNumber(n) || n[:3] != "999" {
			t.Fatalf("nhsNumber(%d) = %s: not a valid 999-range number", i, n)
		}
		if seen[n] {
			t.Fatalf("nhsNumber(%d) = %s: duplicate", i, n)
		}
		seen[n] = true
	}
}

func TestPatientIDs(t *testing.T) {
	idRE := regexp.MustCompile(`^[A-Za-z0-9\-\.]{1,64}$`)
	seen := map[string]int{}
	for i := range 200_000 {
		id := patientID(splitmix(42), i)
		if !idRE.MatchString(id) {
			t.Fatalf("patientID(%d) = %q: not a FHIR id", i, id)
		}
		if j, dup := seen[id]; dup {
			t.Fatalf("patientID(%d) = patientID(%d) = %s", i, j, id)
		}
		seen[id] = i
	}
	if patientID(splitmix(1), 7) == patientID(splitmix(2), 7) {
		t.Error("patient ids do not depend on the seed")
	}
}

func TestDates(t *testing.T) {
	for day := daysFromCivil(1890, 1, 1); day < daysFromCivil(2110, 1, 1); day++ {
		y, m, d := civil(day)
		if daysFromCivil(y, m, d) != day {
			t.Fatalf("civil(%d) = %d-%d-%d does not round-trip", day, y, m, d)
		}
		if want := time.Unix(int64(day)*86400, 0).UTC().Format(time.DateOnly); dateString(day) != want {
			t.Fatalf("dateString(%d) = %s, want %s", day, dateString(day), want)
		}
	}
	tests := []struct {
		birth, on string
		age       int
	}{
		{"2000-02-29", "2001-02-28", 0},
		{"2000-02-29", "2001-03-01", 1},
		{"1967-03-14", "2025-12-31", 58},
		{"1967-03-14", "2025-03-13", 57},
	}
	parse := func(s string) int {
		tm, _ := time.Parse(time.DateOnly, s)
		return daysFromCivil(tm.Year(), int(tm.Month()), tm.Day())
	}
	for _, tt := range tests {
		if got := ageOn(parse(tt.birth), parse(tt.on)); got != tt.age {
			t.Errorf("ageOn(%s, %s) = %d, want %d", tt.birth, tt.on, got, tt.age)
		}
	}
}
