// Package synth generates the sandbox's synthetic Greater Manchester population: patients with
// clinically coherent histories (conditions, medications, observations, allergies,
// immunisations and the encounters that tie them together), the GP practices they are
// registered with, the NHS trusts that treat them, and the practitioners who see them.
//
// Output is deterministic: the same Config and Version give byte-identical FHIR R4 JSON and the
// same ids on any machine, whatever GOMAXPROCS or call order. Patient i depends only on
// (Seed, AsOf, i), so callers may generate patients from many goroutines in any order.
//
// The data is synthetic. It is shaped to look like a UK GP and hospital record, coded with
// SNOMED CT, dm+d and LOINC, but it is not a clinical model: never draw clinical conclusions
// from it. See docs/sandbox-data.md.
package synth

import (
	"errors"
	"fmt"
	"time"
)

// Version identifies the generator's output. It changes whenever the same Config would produce
// different resources, so a store seeded by an older version can tell that it should re-seed.
const Version = "1"

// MaxPatients is the largest population New accepts. NHS numbers come from the 999 test range,
// which holds about 909,000 valid numbers; each patient index maps to its own number.
const MaxPatients = 900_000

// DefaultAsOf is the pinned "today" of the default population: every record ends the day before
// it. It is fixed (not time.Now) so that the default sandbox data never drifts.
var DefaultAsOf = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Defaults applied to zero Config fields.
const (
	DefaultSeed     int64 = 1
	DefaultPatients       = 1000
)

// Limits on Config.AsOf.
var (
	minAsOf = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	maxAsOf = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// ErrConfig is wrapped by every error New returns for an invalid Config.
var ErrConfig = errors.New("synth: invalid config")

// Config says which population to generate. Zero values are defaults: Seed 1, Patients 1000,
// AsOf DefaultAsOf.
type Config struct {
	// Seed selects the population. Different seeds give different people; the shared
	// organisations and practitioners and the story patients are the same for every seed.
	Seed int64
	// Patients is the population size, story patients included (0 means DefaultPatients).
	Patients int
	// AsOf is the generated world's "now": no event is recorded on or after its date (UTC).
	AsOf time.Time
}

// Resource is one generated FHIR resource.
type Resource struct {
	// Type is the FHIR resource type, e.g. "Patient".
	Type string
	// ID is the resource's logical id (valid FHIR id syntax).
	ID string
	// JSON is the compact FHIR JSON of the resource, with resourceType, id and meta.profile
	// set (meta.versionId and meta.lastUpdated are left to the store).
	JSON []byte
}

// Generator produces a population. It is immutable after New and safe for concurrent use.
type Generator struct {
	seed     int64
	seedKey  uint64
	patients int
	asOf     time.Time
	asOfDay  int // days since 1970-01-01 of AsOf's UTC date
	lastDay  int // the last day on which events may happen (asOfDay-1)
	world    *world
}

// New validates cfg, applies defaults and returns a Generator.
func New(cfg Config) (*Generator, error) {
	if cfg.Seed == 0 {
		cfg.Seed = DefaultSeed
	}
	switch {
	case cfg.Patients < 0:
		return nil, fmt.Errorf("%w: Patients must be >= 0, got %d", ErrConfig, cfg.Patients)
	case cfg.Patients == 0:
		cfg.Patients = DefaultPatients
	case cfg.Patients > MaxPatients:
		return nil, fmt.Errorf("%w: Patients must be <= %d (the size of the NHS number test range), got %d",
			ErrConfig, MaxPatients, cfg.Patients)
	}
	if cfg.AsOf.IsZero() {
		cfg.AsOf = DefaultAsOf
	}
	if cfg.AsOf.Before(minAsOf) || !cfg.AsOf.Before(maxAsOf) {
		return nil, fmt.Errorf("%w: AsOf must be on or after %s and before %s, got %s",
			ErrConfig, minAsOf.Format(time.DateOnly), maxAsOf.Format(time.DateOnly), cfg.AsOf.Format(time.RFC3339))
	}
	asOf := cfg.AsOf.UTC()
	day := daysFromCivil(asOf.Year(), int(asOf.Month()), asOf.Day())
	return &Generator{
		seed:     cfg.Seed,
		seedKey:  splitmix(uint64(cfg.Seed) ^ 0x6c68637273796e74), // "lhcrsynt"
		patients: cfg.Patients,
		asOf:     asOf,
		asOfDay:  day,
		lastDay:  day - 1,
		world:    theWorld(),
	}, nil
}

// Len is the number of patients: Patient accepts 0 <= i < Len().
func (g *Generator) Len() int { return g.patients }

// Seed is the seed in use (after defaults).
func (g *Generator) Seed() int64 { return g.seed }

// AsOf is the as-of instant in use (after defaults), in UTC.
func (g *Generator) AsOf() time.Time { return g.asOf }

// Shared returns the resources every patient may reference: the NHS Greater Manchester ICB, the
// GM NHS trusts (real public ODS codes), the GP practices (fictional, well-formed ODS codes) and
// their practitioners. They are the same for every Config. Write them before any patient.
func (g *Generator) Shared() []Resource { return g.world.resources() }

// Patient returns patient i's Patient resource followed by all resources of their record. It
// depends only on (Seed, AsOf, i). It returns nil when i is out of range.
func (g *Generator) Patient(i int) []Resource {
	if i < 0 || i >= g.patients {
		return nil
	}
	var rec *record
	if i < len(storyBuilders) {
		rec = g.story(i)
	} else {
		rec = g.generated(i)
	}
	return rec.emit()
}
