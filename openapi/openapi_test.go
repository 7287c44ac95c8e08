package openapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gm-lhcr/lhcr/openapi"
)

// The FHIR resources the first wave serves, each with an example.
var resources = []string{"Patient", "Practitioner", "Organization", "Encounter", "Condition", "Observation",
	"MedicationRequest", "AllergyIntolerance", "Immunization", "Bundle", "OperationOutcome", "CapabilityStatement"}

func load(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestContractIsValid(t *testing.T) {
	doc := load(t)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the contract does not validate: %v", err)
	}
}

// Every operation is documented, tagged, and answers its 4xx errors in the shape its clients
// expect: an OperationOutcome (FHIR and developer API) or an RFC 6749 error (OAuth).
func TestEveryOperationIsComplete(t *testing.T) {
	doc := load(t)
	ids := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			t.Run(where, func(t *testing.T) {
				if op.OperationID == "" {
					t.Fatal("no operationId")
				}
				if prev, dup := ids[op.OperationID]; dup {
					t.Errorf("operationId %s also used by %s", op.OperationID, prev)
				}
				ids[op.OperationID] = where
				if strings.TrimSpace(op.Summary) == "" {
					t.Error("no summary")
				}
				if len(op.Tags) == 0 {
					t.Error("no tag")
				}
				want := "#/components/schemas/OperationOutcome"
				if strings.HasPrefix(path, "/oauth2/") {
					want = "#/components/schemas/OAuthError"
				}
				n4xx := 0
				for code, ref := range op.Responses.Map() {
					if !strings.HasPrefix(code, "4") {
						continue
					}
					n4xx++
					resp := ref.Value
					if resp == nil || len(resp.Content) == 0 {
						t.Errorf("%s response has no content", code)
						continue
					}
					for ct, mt := range resp.Content {
						if mt.Schema == nil || mt.Schema.Ref != want {
							t.Errorf("%s %s response schema is %v, want %s", code, ct, mt.Schema.Ref, want)
						}
					}
				}
				if n4xx == 0 {
					t.Error("no 4xx responses declared")
				}
			})
		}
	}
	if len(ids) < 60 {
		t.Errorf("%d operations, want at least 60", len(ids))
	}
}

// Every schema example validates against its schema, and every FHIR resource has one.
func TestExamplesValidate(t *testing.T) {
	doc := load(t)
	for _, name := range resources {
		ref := doc.Components.Schemas[name]
		if ref == nil || ref.Value == nil {
			t.Errorf("schema %s is missing", name)
			continue
		}
		if ref.Value.Example == nil {
			t.Errorf("schema %s has no example", name)
		}
	}
	names := make([]string, 0, len(doc.Components.Schemas))
	for name := range doc.Components.Schemas {
		names = append(names, name)
	}
	slices.Sort(names)
	n := 0
	for _, name := range names {
		s := doc.Components.Schemas[name].Value
		if s.Example == nil {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			// Round-trip through JSON so numbers and maps have the types a request body has.
			b, err := json.Marshal(s.Example)
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatal(err)
			}
			if err := s.VisitJSON(v); err != nil {
				t.Errorf("example does not validate: %v", err)
			}
		})
	}
	if n < len(resources) {
		t.Errorf("%d examples, want at least %d", n, len(resources))
	}
}

// A broken example must fail: the check above really checks.
func TestExampleValidationCatchesErrors(t *testing.T) {
	doc := load(t)
	patient := doc.Components.Schemas["Patient"].Value
	for _, bad := range []string{
		`{"resourceType":"Observation"}`,
		`{"resourceType":"Patient","birthDate":"12/04/1958"}`,
		`{"resourceType":"Patient","gender":"F"}`,
		`{"resourceType":"Patient","name":"Amelia Taylor"}`,
	} {
		var v any
		if err := json.Unmarshal([]byte(bad), &v); err != nil {
			t.Fatal(err)
		}
		if err := patient.VisitJSON(v); err == nil {
			t.Errorf("%s validated as a Patient", bad)
		}
	}
}

// Array items are named components (so generated code has named types), and numbers are not
// left to the float32 default.
func TestSchemasAreNamed(t *testing.T) {
	doc := load(t)
	for name, ref := range doc.Components.Schemas {
		for prop, p := range ref.Value.Properties {
			if p.Value == nil || p.Value.Type == nil || !p.Value.Type.Is("array") {
				continue
			}
			items := p.Value.Items
			if items == nil {
				t.Errorf("%s.%s: array without items", name, prop)
				continue
			}
			if items.Ref == "" && items.Value.Type != nil && items.Value.Type.Is("object") {
				t.Errorf("%s.%s: inline object items; make them a component", name, prop)
			}
		}
	}
}

func ExampleLoad() {
	doc, err := openapi.Load()
	if err != nil {
		panic(err)
	}
	op := doc.Paths.Find("/fhir/R4/Patient/{id}").Get
	fmt.Println(op.OperationID, "-", op.Summary)
	// Output: readPatient - Read a Patient by id
}
