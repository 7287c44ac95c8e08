package sdk_test

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gm-lhcr/lhcr/sandbox/sandboxtest"
	"github.com/gm-lhcr/lhcr/sdk"
)

func TestReadAny(t *testing.T) {
	_, c := readOnly(t)
	ctx := t.Context()
	tests := []struct {
		name, typ, id string
		wantErr       string
		notFound      bool
	}{
		{name: "patient", typ: "Patient", id: sandboxtest.StoryDiabetes},
		{name: "unknown type", typ: "Spaceship", id: "x", wantErr: "unknown resource type"},
		{name: "path in type", typ: "Patient/../x", id: "x", wantErr: "unknown resource type"},
		{name: "bad id", typ: "Patient", id: "a/b", wantErr: "not a FHIR id"},
		{name: "unknown id", typ: "Patient", id: "nope", notFound: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := c.Read(ctx, tt.typ, tt.id)
			switch {
			case tt.notFound:
				if !sdk.IsNotFound(err) {
					t.Fatalf("err = %v, want not found", err)
				}
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			default:
				var p sdk.Patient
				if r.ResourceType != tt.typ || r.ID != tt.id || r.Decode(&p) != nil || sdk.DisplayName(&p) == "" {
					t.Fatalf("got %s/%s %q", r.ResourceType, r.ID, sdk.DisplayName(&p))
				}
			}
		})
	}
}

func TestSearchValues(t *testing.T) {
	_, c := readOnly(t)
	ctx := t.Context()
	// Pages of 2 so that the walk follows next links.
	params := url.Values{"patient": {sandboxtest.StoryDiabetes}, "code": {"http://loinc.org|4548-4"}, "_count": {"2"}}
	n := 0
	for r, err := range c.SearchValues(ctx, "Observation", params) {
		if err != nil {
			t.Fatal(err)
		}
		var o sdk.Observation
		if err := r.Decode(&o); err != nil {
			t.Fatal(err)
		}
		if !sdk.HasCoding(&o.Code, sdk.SystemLOINC, "4548-4") {
			t.Fatalf("observation %s is not an HbA1c", r.ID)
		}
		n++
	}
	typed := 0
	for _, err := range c.Observations.Search(ctx, sdk.ObservationQuery{Patient: sandboxtest.StoryDiabetes, Code: sdk.LOINC("4548-4")}) {
		if err != nil {
			t.Fatal(err)
		}
		typed++
	}
	if n < 3 || n != typed {
		t.Fatalf("SearchValues found %d, the typed search %d (want equal, and more than one page)", n, typed)
	}

	for _, err := range c.SearchValues(ctx, "Observation", url.Values{"colour": {"blue"}}) {
		var fe *sdk.Error
		if !errors.As(err, &fe) || fe.Status != 400 || !strings.Contains(fe.Diagnostics(), "colour") {
			t.Fatalf("unknown parameter: err = %v, want a 400 naming it", err)
		}
		break
	}
	for _, err := range c.SearchValues(ctx, "Spaceship", nil) {
		if err == nil || !strings.Contains(err.Error(), "unknown resource type") {
			t.Fatalf("err = %v", err)
		}
	}
	if got := sdk.ResourceTypes(); !slices.Contains(got, "Patient") || !slices.IsSorted(got) {
		t.Fatalf("ResourceTypes() = %v", got)
	}
}
