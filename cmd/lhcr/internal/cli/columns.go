package cli

import (
	"strings"

	"github.com/gm-lhcr/lhcr/sdk"
)

// A view is how the table output shows one resource type: its columns, and a resource's cells.
type view struct {
	header []string
	cells  func(r *sdk.AnyResource) ([]string, error)
}

// views are the table columns per resource type; any other type shows its type and id.
var views = map[string]view{
	"Patient": {[]string{"ID", "NAME", "NHS NUMBER", "GENDER", "BIRTH DATE", "POSTCODE"}, func(r *sdk.AnyResource) ([]string, error) {
		var p sdk.Patient
		err := r.Decode(&p)
		postcode := ""
		if len(p.Address) > 0 {
			postcode = sdk.Deref(p.Address[0].PostalCode)
		}
		return []string{r.ID, sdk.DisplayName(&p), sdk.NHSNumber(&p), string(sdk.Deref(p.Gender)), sdk.Deref(p.BirthDate), postcode}, err
	}},
	"Observation": {[]string{"ID", "PATIENT", "DATE", "CODE", "VALUE", "STATUS"}, func(r *sdk.AnyResource) ([]string, error) {
		var o sdk.Observation
		err := r.Decode(&o)
		date := sdk.Deref(o.EffectiveDateTime)
		if date == "" && o.EffectivePeriod != nil {
			date = sdk.Deref(o.EffectivePeriod.Start)
		}
		return []string{r.ID, refID(o.Subject), date, sdk.ConceptText(&o.Code), sdk.ObservationValueText(&o), string(o.Status)}, err
	}},
	"Condition": {[]string{"ID", "PATIENT", "ONSET", "CODE", "CLINICAL STATUS"}, func(r *sdk.AnyResource) ([]string, error) {
		var c sdk.Condition
		err := r.Decode(&c)
		return []string{r.ID, refID(&c.Subject), sdk.Deref(c.OnsetDateTime), sdk.ConceptText(c.Code), sdk.ConceptText(c.ClinicalStatus)}, err
	}},
	"MedicationRequest": {[]string{"ID", "PATIENT", "AUTHORED", "MEDICATION", "STATUS"}, func(r *sdk.AnyResource) ([]string, error) {
		var m sdk.MedicationRequest
		err := r.Decode(&m)
		return []string{r.ID, refID(&m.Subject), sdk.Deref(m.AuthoredOn), sdk.ConceptText(m.MedicationCodeableConcept), string(m.Status)}, err
	}},
	"AllergyIntolerance": {[]string{"ID", "PATIENT", "SUBSTANCE", "CRITICALITY", "CLINICAL STATUS"}, func(r *sdk.AnyResource) ([]string, error) {
		var ai sdk.AllergyIntolerance
		err := r.Decode(&ai)
		return []string{r.ID, refID(&ai.Patient), sdk.ConceptText(ai.Code), string(sdk.Deref(ai.Criticality)), sdk.ConceptText(ai.ClinicalStatus)}, err
	}},
	"Immunization": {[]string{"ID", "PATIENT", "DATE", "VACCINE", "STATUS"}, func(r *sdk.AnyResource) ([]string, error) {
		var im sdk.Immunization
		err := r.Decode(&im)
		return []string{r.ID, refID(&im.Patient), sdk.Deref(im.OccurrenceDateTime), sdk.ConceptText(&im.VaccineCode), string(im.Status)}, err
	}},
	"Encounter": {[]string{"ID", "PATIENT", "START", "CLASS", "TYPE", "STATUS"}, func(r *sdk.AnyResource) ([]string, error) {
		var e sdk.Encounter
		err := r.Decode(&e)
		start, typ := "", ""
		if e.Period != nil {
			start = sdk.Deref(e.Period.Start)
		}
		if len(e.Type) > 0 {
			typ = sdk.ConceptText(&e.Type[0])
		}
		class := sdk.Deref(e.Class.Display)
		if class == "" {
			class = sdk.Deref(e.Class.Code)
		}
		return []string{r.ID, refID(e.Subject), start, class, typ, string(e.Status)}, err
	}},
	"Organization": {[]string{"ID", "ODS CODE", "NAME"}, func(r *sdk.AnyResource) ([]string, error) {
		var o sdk.Organization
		err := r.Decode(&o)
		return []string{r.ID, sdk.IdentifierValue(o.Identifier, sdk.SystemODSCode), sdk.Deref(o.Name)}, err
	}},
	"Practitioner": {[]string{"ID", "NAME", "GENDER"}, func(r *sdk.AnyResource) ([]string, error) {
		var p sdk.Practitioner
		err := r.Decode(&p)
		return []string{r.ID, sdk.PractitionerName(&p), string(sdk.Deref(p.Gender))}, err
	}},
}

// viewOf returns the view of a resource type.
func viewOf(typ string) view {
	if v, ok := views[typ]; ok {
		return v
	}
	return view{[]string{"TYPE", "ID"}, func(r *sdk.AnyResource) ([]string, error) { return []string{r.ResourceType, r.ID}, nil }}
}

// mixedHeader and mixedCells show resources of several types in one table ($everything): the
// type, then the type's own cells after its id (without the patient, which is the same for all).
var mixedHeader = []string{"TYPE", "ID", "DETAILS"}

func mixedCells(r *sdk.AnyResource) ([]string, error) {
	v := viewOf(r.ResourceType)
	cells, err := v.cells(r)
	var details []string
	for i := 1; i < len(cells) && i < len(v.header); i++ {
		if v.header[i] == "PATIENT" || cells[i] == "" {
			continue
		}
		details = append(details, cells[i])
	}
	return []string{r.ResourceType, r.ID, strings.Join(details, " · ")}, err
}

// refID is the id of a reference ("Patient/x" gives "x"), or the reference as it is.
func refID(ref *sdk.Reference) string {
	if ref == nil {
		return ""
	}
	if _, id, ok := sdk.RefID(ref); ok {
		return id
	}
	return sdk.Deref(ref.Reference)
}
