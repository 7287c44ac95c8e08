package openapi_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// drifted reports whether committed generated code differs from a fresh generation.
func drifted(committed, fresh []byte) bool { return !bytes.Equal(committed, fresh) }

// TestGeneratedCodeIsCurrent regenerates openapi/api from the contract with the pinned
// oapi-codegen and compares it with the committed file: a hand edit, or a contract change
// without `go generate ./...`, fails here (and in .ci/run's drift check).
func TestGeneratedCodeIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping regeneration (it builds oapi-codegen)")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "api.gen.go")
	cfg, err := os.ReadFile("api/cfg.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg = bytes.Replace(cfg, []byte("output: api.gen.go"), []byte("output: "+out), 1)
	cfgPath := filepath.Join(dir, "cfg.yaml")
	if err := os.WriteFile(cfgPath, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "tool", "oapi-codegen", "-config", cfgPath, "../lhcr.yaml")
	cmd.Dir = "api"
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("oapi-codegen: %v\n%s", err, msg)
	}
	fresh, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("api/api.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if drifted(committed, fresh) {
		t.Fatal("openapi/api/api.gen.go is not what the contract generates: run `go generate ./...` and never edit generated files by hand")
	}
	// The check is not vacuous: a one-line hand edit is caught.
	edited := bytes.Replace(committed, []byte("package api"), []byte("package api // edited by hand"), 1)
	if !drifted(edited, fresh) {
		t.Fatal("a hand edit went unnoticed")
	}
}

// TestGeneratedPackageIsClientSafe: SMEs import the generated models and client through the SDK,
// so openapi/api must pull in no server-only dependency.
func TestGeneratedPackageIsClientSafe(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/gm-lhcr/lhcr/openapi/api").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/ory/fosite", "modernc.org/sqlite", "github.com/gm-lhcr/lhcr/sandbox", "github.com/getkin/kin-openapi"} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("openapi/api depends on %s", dep)
			}
		}
	}
}
