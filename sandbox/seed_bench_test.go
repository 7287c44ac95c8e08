package sandbox

import (
	"context"
	"testing"
	"time"

	"github.com/gm-lhcr/lhcr/sandbox/internal/store"
	"github.com/gm-lhcr/lhcr/sandbox/internal/synth"
)

// BenchmarkSeed seeds 1,000 synthetic patients into a fresh SQLite database: generation,
// stamping, index extraction and the inserts, as `lhcr-sandbox` does on first start.
func BenchmarkSeed(b *testing.B) {
	const patients = 1000
	var resources int
	var elapsed time.Duration
	for b.Loop() {
		b.StopTimer()
		st, err := store.OpenSQLite(context.Background(), store.Options{Path: b.TempDir() + "/seed.db"})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		info, err := seed(context.Background(), st, Config{Patients: patients, Seed: DefaultSeed, AsOf: DefaultAsOf}, nil)
		elapsed += time.Since(t0)
		if err != nil {
			b.Fatal(err)
		}
		resources = info.Resources
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(patients*b.N)/elapsed.Seconds(), "patients/s")
	b.ReportMetric(float64(resources*b.N)/elapsed.Seconds(), "resources/s")
}

// BenchmarkSeedBaselineRawInsert is B3, the baseline of BenchmarkSeed: the same rows (the same
// 1,000 patients, already generated, stamped and indexed) inserted in one transaction, with
// nothing else to do, and the search indexes built at the end as seeding builds them (a bulk
// load). Seeding's rate over this rate is the share of the database's insert speed that
// seeding achieves.
func BenchmarkSeedBaselineRawInsert(b *testing.B) {
	const patients = 1000
	gen, err := synth.New(synth.Config{Seed: DefaultSeed, Patients: patients, AsOf: DefaultAsOf})
	if err != nil {
		b.Fatal(err)
	}
	all, err := prepare(gen.Shared(), DefaultAsOf)
	if err != nil {
		b.Fatal(err)
	}
	for i := range patients {
		p, err := prepare(gen.Patient(i), DefaultAsOf)
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, p...)
	}
	var elapsed time.Duration
	for b.Loop() {
		b.StopTimer()
		st, err := store.OpenSQLite(context.Background(), store.Options{Path: b.TempDir() + "/raw.db"})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		if err := st.BulkLoad(context.Background(), func(ctx context.Context) error { return st.Import(ctx, all) }); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(t0)
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(patients*b.N)/elapsed.Seconds(), "patients/s")
	b.ReportMetric(float64(len(all)*b.N)/elapsed.Seconds(), "resources/s")
}
