// Package openapi embeds the LHCR API contract, openapi/lhcr.yaml: the single source of truth
// from which the models, client and server interface in openapi/api are generated and against
// which the sandbox validates requests.
package openapi

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// YAML is the contract as written.
//
//go:embed lhcr.yaml
var YAML []byte

var loaded = sync.OnceValues(func() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(YAML)
	if err != nil {
		return nil, fmt.Errorf("openapi: load lhcr.yaml: %w", err)
	}
	return doc, nil
})

// Load returns the contract parsed by kin-openapi. It is parsed once per process and shared:
// callers must not modify the returned document.
func Load() (*openapi3.T, error) { return loaded() }
