package sandbox

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gm-lhcr/lhcr/sandbox/internal/store"
	"github.com/gm-lhcr/lhcr/sandbox/internal/synth"
)

// TestSeedInterrupted: a seeding that never finished (the process stopped) is found at the next
// start and done again from the start, rather than serving a partial population as if it
// were whole; a finished seeding is left alone.
func TestSeedInterrupted(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "seed.db")
	st, err := store.OpenSQLite(ctx, store.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := Config{Patients: 20, Seed: DefaultSeed, AsOf: DefaultAsOf}
	whole, err := seed(ctx, st, cfg, nil)
	if err != nil || !whole.Seeded {
		t.Fatalf("first seeding: %+v, %v", whole, err)
	}
	if _, ok, _ := st.Setting(ctx, settingSeeding); ok {
		t.Fatal("a finished seeding left its in-progress mark")
	}

	// Again on the seeded database: nothing to do.
	again, err := seed(ctx, st, cfg, nil)
	if err != nil || again.Seeded || again.Resources != whole.Resources || again.Patients != 20 {
		t.Fatalf("second start: %+v, %v; want the existing %d resources left alone", again, err, whole.Resources)
	}

	// A partial population with the in-progress mark, as a killed seeding leaves it.
	if err := st.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.SetSetting(ctx, settingSeeding, "1"); err != nil {
		t.Fatal(err)
	}
	partial, err := prepare(mustGen(t, cfg).Shared(), cfg.AsOf)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Import(ctx, partial); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	redone, err := seed(ctx, st, cfg, &out)
	if err != nil {
		t.Fatal(err)
	}
	if !redone.Seeded || redone.Resources != whole.Resources {
		t.Errorf("after an interrupted seeding: %+v; want a fresh seeding of %d resources", redone, whole.Resources)
	}
	if n, _ := st.Count(ctx, ""); n != whole.Resources {
		t.Errorf("%d resources stored, want %d", n, whole.Resources)
	}
	if !strings.Contains(out.String(), "did not finish") {
		t.Errorf("progress output %q does not say why it seeds again", out.String())
	}
	if err := st.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
}

func mustGen(t *testing.T, cfg Config) *synth.Generator {
	t.Helper()
	gen, err := synth.New(synth.Config{Seed: cfg.Seed, Patients: cfg.Patients, AsOf: cfg.AsOf})
	if err != nil {
		t.Fatal(err)
	}
	return gen
}
