package sandbox

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/gm-lhcr/lhcr/sandbox/internal/progress"
	"github.com/gm-lhcr/lhcr/sandbox/internal/store"
	"github.com/gm-lhcr/lhcr/sandbox/internal/synth"
)

// Seeding defaults.
const (
	DefaultPatients = 1000
	DefaultSeed     = 1
	// MaxPatients bounds --patients: the NHS number test range holds about 909,000 valid numbers.
	MaxPatients = synth.MaxPatients
)

// DefaultAsOf is the pinned reference date of the synthetic clinical histories, so that the
// data does not change from day to day.
var DefaultAsOf = synth.DefaultAsOf

// SeedInfo says how the database was seeded.
type SeedInfo struct {
	Seeded    bool // false when the database held data already and was left alone
	Patients  int
	Seed      int64
	AsOf      time.Time
	Resources int
	Elapsed   time.Duration
}

const (
	settingSeed     = "seed"
	settingPatients = "seed.patients"
	settingAsOf     = "seed.as_of"
	settingVersion  = "seed.generator_version"
	// settingSeeding is there while a seeding runs: found at start-up, the seeding was
	// interrupted (the process stopped) and the partial population is replaced.
	settingSeeding = "seed.in_progress"
)

// progressFrom is the population from which seeding reports its progress.
const progressFrom = 5000

// seedBatch is how many patients one transaction imports.
const seedBatch = 200

// seed fills an empty database with the synthetic population (or reports how an existing one
// was seeded). With reset it first removes everything.
func seed(ctx context.Context, st store.Store, cfg Config, out io.Writer) (SeedInfo, error) {
	reset := cfg.Reset
	if _, interrupted, err := st.Setting(ctx, settingSeeding); err != nil {
		return SeedInfo{}, err
	} else if interrupted && cfg.Patients > 0 && !reset {
		if out != nil {
			fmt.Fprintln(out, "an earlier seeding did not finish: seeding again from the start")
		}
		reset = true
	}
	if reset {
		if err := st.Reset(ctx); err != nil {
			return SeedInfo{}, fmt.Errorf("reset: %w", err)
		}
	}
	n, err := st.Count(ctx, "")
	if err != nil {
		return SeedInfo{}, err
	}
	if n > 0 || cfg.Patients == 0 {
		info := SeedInfo{Resources: n}
		if v, ok, _ := st.Setting(ctx, settingPatients); ok {
			info.Patients, _ = strconv.Atoi(v)
		}
		if v, ok, _ := st.Setting(ctx, settingSeed); ok {
			info.Seed, _ = strconv.ParseInt(v, 10, 64)
		}
		if v, ok, _ := st.Setting(ctx, settingAsOf); ok {
			info.AsOf, _ = time.Parse(time.DateOnly, v)
		}
		return info, nil
	}
	gen, err := synth.New(synth.Config{Seed: cfg.Seed, Patients: cfg.Patients, AsOf: cfg.AsOf})
	if err != nil {
		return SeedInfo{}, err
	}
	start := time.Now()
	info := SeedInfo{Seeded: true, Patients: gen.Len(), Seed: cfg.Seed, AsOf: cfg.AsOf}
	if err := st.SetSetting(ctx, settingSeeding, "1"); err != nil {
		return info, err
	}
	err = st.BulkLoad(ctx, func(ctx context.Context) error {
		var err error
		info.Resources, err = importPopulation(ctx, st, gen, cfg.AsOf, out)
		if err == nil && out != nil && gen.Len() >= progressFrom {
			// BulkLoad builds the indexes next: about a fifth of a large seeding's time.
			fmt.Fprintln(out, "seeding: building the search indexes")
		}
		return err
	})
	if err != nil {
		return info, err
	}
	for k, v := range map[string]string{
		settingSeed:     strconv.FormatInt(cfg.Seed, 10),
		settingPatients: strconv.Itoa(gen.Len()),
		settingAsOf:     cfg.AsOf.Format(time.DateOnly),
		settingVersion:  synth.Version,
	} {
		if err := st.SetSetting(ctx, k, v); err != nil {
			return info, err
		}
	}
	if err := st.DeleteSetting(ctx, settingSeeding); err != nil {
		return info, err
	}
	info.Elapsed = time.Since(start)
	return info, nil
}

// importPopulation generates, prepares and imports the population of gen (on all cores, in
// order) and returns how many resources it imported.
func importPopulation(ctx context.Context, st store.Store, gen *synth.Generator, at time.Time, out io.Writer) (int, error) {
	shared, err := prepare(gen.Shared(), at)
	if err != nil {
		return 0, err
	}
	if err := st.Import(ctx, shared); err != nil {
		return 0, err
	}
	resources := len(shared)

	var meter *progress.Meter
	if gen.Len() >= progressFrom {
		meter = progress.New(out, "patients", gen.Len())
	}
	// Generate batches in parallel, import them in order: the database comes out the same
	// (same rows in the same order) whatever the number of cores.
	batches := (gen.Len() + seedBatch - 1) / seedBatch
	workers := max(1, runtime.GOMAXPROCS(0))
	type batch struct {
		rs  []store.Prepared
		err error
	}
	results := make([]chan batch, batches)
	for i := range results {
		results[i] = make(chan batch, 1)
	}
	genCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range next {
				var out batch
				for i := b * seedBatch; i < min((b+1)*seedBatch, gen.Len()) && out.err == nil; i++ {
					var rs []store.Prepared
					rs, out.err = prepare(gen.Patient(i), at)
					out.rs = append(out.rs, rs...)
				}
				results[b] <- out
			}
		}()
	}
	// window bounds how far generation runs ahead of the writer: 2×workers batches.
	window := make(chan struct{}, 2*workers)
	go func() {
		defer close(next)
		for b := 0; b < batches; b++ {
			select {
			case window <- struct{}{}:
			case <-genCtx.Done():
				return
			}
			select {
			case next <- b:
			case <-genCtx.Done():
				return
			}
		}
	}()
	var importErr error
	for b := 0; b < batches && importErr == nil; b++ {
		var got batch
		select {
		case got = <-results[b]:
		case <-ctx.Done():
			importErr = ctx.Err()
			continue
		}
		if got.err != nil {
			importErr = got.err
			continue
		}
		if importErr = st.Import(ctx, got.rs); importErr == nil {
			resources += len(got.rs)
			meter.Add(min(seedBatch, gen.Len()-b*seedBatch))
		}
		<-window
	}
	cancel()
	wg.Wait()
	meter.Finish()
	if importErr != nil {
		return resources, fmt.Errorf("seeding: %w", importErr)
	}
	return resources, nil
}

// prepare stamps the generated resources and extracts their index entries (CPU work, done by
// the generating goroutines).
func prepare(rs []synth.Resource, at time.Time) ([]store.Prepared, error) {
	out := make([]store.Prepared, len(rs))
	for i, r := range rs {
		p, err := store.Prepare(r.Type, r.ID, r.JSON, at)
		if err != nil {
			return nil, fmt.Errorf("seeding %s/%s: %w", r.Type, r.ID, err)
		}
		out[i] = p
	}
	return out, nil
}
