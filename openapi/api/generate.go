// Package api holds the code oapi-codegen generates from the LHCR contract (openapi/lhcr.yaml):
// the FHIR R4 models, the HTTP client and the server interface. It is generated only: change the
// contract and run `go generate ./...`.
package api

//go:generate go tool oapi-codegen -config cfg.yaml ../lhcr.yaml
