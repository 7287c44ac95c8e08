package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/gm-lhcr/lhcr/cmd/lhcr/internal/cli"
)

// TestReferenceUpToDate fails when docs/cli.md is not what the commands generate (run
// go generate ./cmd/lhcr), and when generation is not deterministic.
func TestReferenceUpToDate(t *testing.T) {
	got, err := generate(cli.NewRootCmd())
	if err != nil {
		t.Fatal(err)
	}
	again, _ := generate(cli.NewRootCmd())
	if !bytes.Equal(got, again) {
		t.Fatal("two generations differ")
	}
	want, err := os.ReadFile("../../../../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("docs/cli.md is stale: run go generate ./cmd/lhcr")
	}
}
