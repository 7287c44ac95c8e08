package synth_test

import (
	"fmt"

	"github.com/gm-lhcr/lhcr/sandbox/internal/synth"
)

func ExampleStories() {
	for _, s := range synth.Stories() {
		fmt.Println(s.Index, s.ID, s.NHSNumber)
	}
	// Output:
	// 0 story-diabetes 9990000018
	// 1 story-asthma-child 9990000026
	// 2 story-copd-heart-failure 9990000034
	// 3 story-penicillin-allergy 9990000042
	// 4 story-deceased 9990000050
	// 5 story-gp-change 9990000069
}

func ExampleGenerator_Patient() {
	g, err := synth.New(synth.Config{Seed: 1, Patients: 10})
	if err != nil {
		panic(err)
	}
	shared := g.Shared() // write these first: patients reference them
	fmt.Println(shared[0].Type, shared[0].ID)
	for _, r := range g.Patient(0)[:2] {
		fmt.Println(r.Type, r.ID)
	}
	// Output:
	// Organization ods-QOP
	// Patient story-diabetes
	// Encounter story-diabetes-enc-1
}
