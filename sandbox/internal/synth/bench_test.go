package synth

import (
	"encoding/json"
	"sync/atomic"
	"testing"
)

// BenchmarkGenerate measures generation (including JSON encoding) on one goroutine: the
// per-core rate the seeder can count on.
func BenchmarkGenerate(b *testing.B) {
	g := mustNew(b, Config{Patients: MaxPatients})
	var patients, resources, bytes int
	i := len(Stories()) // generated patients, not the hand-written stories
	for b.Loop() {
		res := g.Patient(i)
		patients++
		resources += len(res)
		for _, r := range res {
			bytes += len(r.JSON)
		}
		i++
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(patients)/sec, "patients/s")
	b.ReportMetric(float64(resources)/sec, "resources/s")
	b.ReportMetric(float64(resources)/float64(patients), "resources/patient")
	b.SetBytes(int64(bytes / max(patients, 1)))
}

// BenchmarkGenerateParallel measures generation with GOMAXPROCS goroutines, as the seeder's
// worker pool runs it.
func BenchmarkGenerateParallel(b *testing.B) {
	g := mustNew(b, Config{Patients: MaxPatients})
	var next, resources atomic.Int64
	next.Store(int64(len(Stories())))
	b.RunParallel(func(pb *testing.PB) {
		n := 0
		for pb.Next() {
			n += len(g.Patient(int(next.Add(1)) % MaxPatients))
		}
		resources.Add(int64(n))
	})
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)/sec, "patients/s")
	b.ReportMetric(float64(resources.Load())/sec, "resources/s")
}

// BenchmarkEncodeStdlib is the baseline that justified the hand-written encoder: encoding the
// same resources from the generated api structs with encoding/json.
func BenchmarkEncodeStdlib(b *testing.B) {
	g := mustNew(b, Config{Patients: 1000})
	var models []any
	for i := len(Stories()); i < 200; i++ {
		for _, r := range g.Patient(i) {
			m := apiType(r.Type)
			if err := json.Unmarshal(r.JSON, m); err != nil {
				b.Fatal(err)
			}
			models = append(models, m)
		}
	}
	k := 0
	for b.Loop() {
		if _, err := json.Marshal(models[k%len(models)]); err != nil {
			b.Fatal(err)
		}
		k++
	}
	b.ReportMetric(float64(k)/b.Elapsed().Seconds(), "resources/s")
}
