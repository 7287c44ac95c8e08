package synth

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gm-lhcr/lhcr/openapi"
	"github.com/gm-lhcr/lhcr/openapi/api"
)

// apiType returns a new value of the generated model for a resource type.
func apiType(t string) any {
	switch t {
	case "Patient":
		return &api.Patient{}
	case "Practitioner":
		return &api.Practitioner{}
	case "Organization":
		return &api.Organization{}
	case "Encounter":
		return &api.Encounter{}
	case "Condition":
		return &api.Condition{}
	case "Observation":
		return &api.Observation{}
	case "MedicationRequest":
		return &api.MedicationRequest{}
	case "AllergyIntolerance":
		return &api.AllergyIntolerance{}
	case "Immunization":
		return &api.Immunization{}
	}
	return nil
}

// TestFHIRContract validates every resource of a population against the contract's schema for
// its type (kin-openapi), decodes it into the generated api type without unknown fields, and
// checks that re-encoding the api value loses no element.
func TestFHIRContract(t *testing.T) {
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	g := mustNew(t, Config{Seed: 7, Patients: 400})
	all := g.Shared()
	for _, res := range population(t, g, inOrder(g.Len()), 4) {
		all = append(all, res...)
	}
	seenTypes := map[string]int{}
	for _, r := range all {
		seenTypes[r.Type]++
		ref := doc.Components.Schemas[r.Type]
		if ref == nil || ref.Value == nil {
			t.Fatalf("the contract has no schema for %s", r.Type)
		}
		var generic any
		if err := json.Unmarshal(r.JSON, &generic); err != nil {
			t.Fatalf("%s/%s: %v", r.Type, r.ID, err)
		}
		if str(obj(generic), "resourceType") != r.Type || str(obj(generic), "id") != r.ID {
			t.Fatalf("%s/%s: resourceType/id do not match the Resource", r.Type, r.ID)
		}
		if err := ref.Value.VisitJSON(generic, openapi3.MultiErrors()); err != nil {
			t.Fatalf("%s/%s does not match the contract: %v\n%s", r.Type, r.ID, err, r.JSON)
		}

		model := apiType(r.Type)
		dec := json.NewDecoder(bytes.NewReader(r.JSON))
		dec.DisallowUnknownFields()
		if err := dec.Decode(model); err != nil {
			t.Fatalf("%s/%s does not decode into api.%s: %v", r.Type, r.ID, r.Type, err)
		}
		again, err := json.Marshal(model)
		if err != nil {
			t.Fatal(err)
		}
		var round any
		if err := json.Unmarshal(again, &round); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(generic, round) {
			t.Fatalf("%s/%s loses elements through api.%s:\n before %s\n after  %s", r.Type, r.ID, r.Type, r.JSON, again)
		}
	}
	for _, typ := range []string{"Patient", "Practitioner", "Organization", "Encounter", "Condition", "Observation", "MedicationRequest", "AllergyIntolerance", "Immunization"} {
		if seenTypes[typ] == 0 {
			t.Errorf("no %s in the population", typ)
		}
	}
}
