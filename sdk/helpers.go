package sdk

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Helpers for the fiddly parts of FHIR resources. They are functions, not methods
// (p.NHSNumber()), because the resource types are aliases of the generated package's types and
// Go allows no methods on another package's types; a wrapper type instead would make every
// resource need converting to and from the generated one. They accept nil and return zero values
// for absent elements, so they can be called on anything a search returned.

// NHSNumber returns the patient's NHS number (the identifier with system
// https://fhir.nhs.uk/Id/nhs-number), or "".
func NHSNumber(p *Patient) string {
	if p == nil {
		return ""
	}
	return IdentifierValue(p.Identifier, SystemNHSNumber)
}

// IdentifierValue returns the value of the first identifier in system, or "".
func IdentifierValue(ids []Identifier, system string) string {
	for _, id := range ids {
		if id.System != nil && *id.System == system && id.Value != nil {
			return *id.Value
		}
	}
	return ""
}

// DisplayName returns the patient's name as people read it ("Tariq Mahmood"): the official
// (else usual, else first) name's text, or its given names then family name; "" if none.
func DisplayName(p *Patient) string {
	if p == nil {
		return ""
	}
	return NameText(p.Name)
}

// PractitionerName is DisplayName for a Practitioner, with the prefix ("Dr Amira Khan").
func PractitionerName(p *Practitioner) string {
	if p == nil {
		return ""
	}
	n := preferredName(p.Name)
	if n == nil {
		return ""
	}
	if n.Text != nil && *n.Text != "" {
		return *n.Text
	}
	return strings.Join(append(append([]string(nil), n.Prefix...), formatName(n)), " ")
}

// NameText formats the preferred of names (official, else usual, else the first).
func NameText(names []HumanName) string {
	n := preferredName(names)
	if n == nil {
		return ""
	}
	if n.Text != nil && *n.Text != "" {
		return *n.Text
	}
	return formatName(n)
}

func formatName(n *HumanName) string {
	parts := append([]string(nil), n.Given...)
	if n.Family != nil && *n.Family != "" {
		parts = append(parts, *n.Family)
	}
	return strings.Join(parts, " ")
}

func preferredName(names []HumanName) *HumanName {
	for _, use := range []string{"official", "usual"} {
		for i := range names {
			if names[i].Use != nil && string(*names[i].Use) == use {
				return &names[i]
			}
		}
	}
	if len(names) > 0 {
		return &names[0]
	}
	return nil
}

// ObservationValue returns a numeric observation's value and unit (valueQuantity, or
// valueInteger with no unit): 78, "mmol/mol", true for an HbA1c. ok is false when the
// observation has no numeric value.
func ObservationValue(o *Observation) (value float64, unit string, ok bool) {
	if o == nil {
		return 0, "", false
	}
	if q := o.ValueQuantity; q != nil && q.Value != nil {
		v, err := q.Value.Float64()
		if err != nil {
			return 0, "", false
		}
		switch {
		case q.Unit != nil:
			unit = *q.Unit
		case q.Code != nil:
			unit = *q.Code
		}
		return v, unit, true
	}
	if o.ValueInteger != nil {
		return float64(*o.ValueInteger), "", true
	}
	return 0, "", false
}

// ObservationValueText returns an observation's value as text, whatever its type: "78 mmol/mol",
// a coded value's display, a string or a boolean; "" when it has none. Decimals keep the
// precision the server sent.
func ObservationValueText(o *Observation) string {
	switch {
	case o == nil:
		return ""
	case o.ValueQuantity != nil && o.ValueQuantity.Value != nil:
		q := o.ValueQuantity
		s := q.Value.String()
		if q.Comparator != nil {
			s = string(*q.Comparator) + s
		}
		if q.Unit != nil {
			s += " " + *q.Unit
		} else if q.Code != nil {
			s += " " + *q.Code
		}
		return s
	case o.ValueInteger != nil:
		return strconv.Itoa(int(*o.ValueInteger))
	case o.ValueString != nil:
		return *o.ValueString
	case o.ValueBoolean != nil:
		return strconv.FormatBool(*o.ValueBoolean)
	case o.ValueCodeableConcept != nil:
		return ConceptText(o.ValueCodeableConcept)
	}
	return ""
}

// ObservationTime returns when the observation was made: effectiveDateTime, or the start of
// effectivePeriod (ok false if neither, or unparseable).
func ObservationTime(o *Observation) (time.Time, bool) {
	if o == nil {
		return time.Time{}, false
	}
	var s string
	switch {
	case o.EffectiveDateTime != nil:
		s = *o.EffectiveDateTime
	case o.EffectivePeriod != nil && o.EffectivePeriod.Start != nil:
		s = *o.EffectivePeriod.Start
	default:
		return time.Time{}, false
	}
	t, err := ParseDateTime(s)
	return t, err == nil
}

// ParseDateTime parses a FHIR date or dateTime, partial ones included: "2024", "2024-03",
// "2024-03-01" (midnight UTC at the start of the period) or "2024-03-01T09:30:00Z".
func ParseDateTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly, "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("sdk: %q is not a FHIR date or dateTime", s)
}

// ConceptText returns a CodeableConcept as people read it: its text, else its first coding's
// display, else its first code.
func ConceptText(cc *CodeableConcept) string {
	if cc == nil {
		return ""
	}
	if cc.Text != nil && *cc.Text != "" {
		return *cc.Text
	}
	for _, c := range cc.Coding {
		if c.Display != nil && *c.Display != "" {
			return *c.Display
		}
	}
	for _, c := range cc.Coding {
		if c.Code != nil {
			return *c.Code
		}
	}
	return ""
}

// HasCoding reports whether cc has a coding with this system and code (any system if system is
// "").
func HasCoding(cc *CodeableConcept, system, code string) bool {
	if cc == nil {
		return false
	}
	for _, c := range cc.Coding {
		if c.Code != nil && *c.Code == code && (system == "" || c.System != nil && *c.System == system) {
			return true
		}
	}
	return false
}

// Ref returns a reference to the resource typ/id ("Patient", "story-diabetes").
func Ref(typ, id string) *Reference {
	s := typ + "/" + id
	return &Reference{Reference: &s}
}

// RefID splits a relative reference ("Patient/story-diabetes") into its type and id; ok is false
// for a reference that has none, or is absolute or contained.
func RefID(r *Reference) (typ, id string, ok bool) {
	if r == nil || r.Reference == nil {
		return "", "", false
	}
	typ, id, ok = strings.Cut(*r.Reference, "/")
	if !ok || typ == "" || id == "" || strings.Contains(id, "/") || strings.HasPrefix(*r.Reference, "#") {
		return "", "", false
	}
	return typ, id, true
}

// String returns a pointer to s, for the many optional fields of the FHIR models.
func String(s string) *string { return &s }

// Deref returns *p, or the zero value for nil: Deref(p.ID).
func Deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
