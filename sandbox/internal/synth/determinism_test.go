package synth

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestDeterminism generates the same population with one and with two OS threads, in index
// order and by a worker pool in reverse order, and with a second Generator: every byte and id
// must match.
func TestDeterminism(t *testing.T) {
	const n = 300
	cfg := Config{Seed: 20260101, Patients: n}
	var serial, parallel [][]Resource
	var shared1, shared2 []Resource
	withGOMAXPROCS(1, func() {
		g := mustNew(t, cfg)
		shared1 = g.Shared()
		serial = population(t, g, inOrder(n), 1)
	})
	withGOMAXPROCS(2, func() {
		g := mustNew(t, cfg)
		shared2 = g.Shared()
		rev := inOrder(n)
		for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
			rev[i], rev[j] = rev[j], rev[i]
		}
		parallel = population(t, g, rev, 4)
	})
	assertSame(t, "shared", shared1, shared2)
	for i := range n {
		assertSame(t, "patient "+itoa(i), serial[i], parallel[i])
	}
	// Calling Patient twice on one generator gives the same result too.
	g := mustNew(t, cfg)
	assertSame(t, "patient 123 again", g.Patient(123), g.Patient(123))
}

func assertSame(t *testing.T, what string, a, b []Resource) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d resources vs %d", what, len(a), len(b))
	}
	for k := range a {
		if a[k].Type != b[k].Type || a[k].ID != b[k].ID || !bytes.Equal(a[k].JSON, b[k].JSON) {
			t.Fatalf("%s: resource %d differs: %s/%s vs %s/%s", what, k, a[k].Type, a[k].ID, b[k].Type, b[k].ID)
		}
	}
}

// TestSeedChangesPopulation checks that a different seed gives different people, while the
// shared resources and the story patients stay the same.
func TestSeedChangesPopulation(t *testing.T) {
	a, b := mustNew(t, Config{Seed: 1, Patients: 50}), mustNew(t, Config{Seed: 2, Patients: 50})
	assertSame(t, "shared", a.Shared(), b.Shared())
	for i := range len(Stories()) {
		assertSame(t, "story "+itoa(i), a.Patient(i), b.Patient(i))
	}
	same := 0
	for i := len(Stories()); i < 50; i++ {
		pa, pb := a.Patient(i), b.Patient(i)
		if pa[0].ID == pb[0].ID || bytes.Equal(pa[0].JSON, pb[0].JSON) {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d patients identical across seeds 1 and 2", same)
	}
}

// TestAsOfShiftsStories checks that the story patients move by whole years with AsOf.
func TestAsOfShiftsStories(t *testing.T) {
	a := mustNew(t, Config{Patients: 6})
	b := mustNew(t, Config{Patients: 6, AsOf: time.Date(2028, 3, 1, 0, 0, 0, 0, time.UTC)})
	pa := string(a.Patient(0)[0].JSON)
	pb := string(b.Patient(0)[0].JSON)
	if !strings.Contains(pa, `"birthDate":"1967-03-14"`) || !strings.Contains(pb, `"birthDate":"1969-03-14"`) {
		t.Errorf("story birth dates not shifted by two years:\n%s\n%s", pa, pb)
	}
}

// TestGolden pins the output of Version: if it changes, bump Version and run
// `go test ./sandbox/internal/synth/ -run TestGolden -update`.
func TestGolden(t *testing.T) {
	g := mustNew(t, Config{Patients: 200})
	h := sha256.New()
	add := func(res []Resource) {
		for _, r := range res {
			h.Write([]byte(r.Type + "/" + r.ID + "\n"))
			h.Write(r.JSON)
			h.Write([]byte("\n"))
		}
	}
	add(g.Shared())
	for i := range g.Len() {
		add(g.Patient(i))
	}
	got := "version " + Version + " sha256 " + hex.EncodeToString(h.Sum(nil)) + "\n"
	path := filepath.Join("testdata", "golden-seed1-200.txt")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("default population changed:\n got %s want %s"+
			"If the change is intended, bump Version and run with -update.", got, want)
	}
}

// TestGoldenStory pins one story patient's record as readable JSON.
func TestGoldenStory(t *testing.T) {
	g := mustNew(t, Config{Patients: 1})
	var b bytes.Buffer
	for _, r := range g.Patient(0) {
		b.Write(r.JSON)
		b.WriteByte('\n')
	}
	path := filepath.Join("testdata", "story-diabetes.ndjson")
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("story-diabetes changed; if intended, bump Version and run with -update")
	}
}
