// Package search says what a FHIR search parameter means, on both sides of a search: it parses
// and validates the parameters of a search request into a Query, and it extracts from a stored
// resource the index entries that such a Query is matched against. Both sides share one table of
// parameter definitions and one normalisation of values, so a value indexed and a value searched
// for always compare alike.
package search

import "time"

// Type is a FHIR search parameter type.
type Type int

// The search parameter types the sandbox supports.
const (
	Token Type = iota + 1
	String
	Date
	Reference
)

// String returns the FHIR name of the type ("token", "string", "date", "reference").
func (t Type) String() string {
	switch t {
	case Token:
		return "token"
	case String:
		return "string"
	case Date:
		return "date"
	case Reference:
		return "reference"
	}
	return "unknown"
}

// Def defines one search parameter of one resource type.
type Def struct {
	Name string // the parameter's name in the URL, e.g. "birthdate"
	Type Type
	// Paths are the elements the parameter indexes, as dotted element paths from the resource
	// root (e.g. "name.family", "identifier", "effectiveDateTime", "effectivePeriod").
	Paths []string
	// Targets are the resource types a reference parameter may point to.
	Targets []string
	// Doc is a one-line description for the CapabilityStatement.
	Doc string
}

// Prefix is a comparison prefix on a date value.
type Prefix string

// The FHIR comparison prefixes.
const (
	EQ Prefix = "eq"
	NE Prefix = "ne"
	GT Prefix = "gt"
	LT Prefix = "lt"
	GE Prefix = "ge"
	LE Prefix = "le"
	SA Prefix = "sa"
	EB Prefix = "eb"
)

// Modifier is a search parameter modifier (the part after ':' in "family:exact").
type Modifier string

// The modifiers the sandbox supports.
const (
	NoModifier Modifier = ""
	Exact      Modifier = "exact"    // strings: whole value, case- and accent-sensitive
	Contains   Modifier = "contains" // strings: substring, case- and accent-insensitive
)

// Value is one value of a search parameter, already normalised for comparison with index
// entries. Which fields are set depends on the parameter's Type.
type Value struct {
	// Date: the comparison and the value's implicit range [Low, High): "2024-03" is all of
	// March 2024. Times are UTC.
	Prefix    Prefix
	Low, High time.Time

	// Token: "system|code" sets HasSystem and both fields; "|code" sets HasSystem with an
	// empty System (a code with no system); "code" leaves HasSystem false (any system);
	// "system|" sets HasSystem and System with an empty Code (any code in the system).
	System    string
	HasSystem bool
	Code      string

	// String: Text is the value as given for Exact, or normalised (NormalizeString) otherwise.
	Text string

	// Reference: the target type (empty when the value is a bare id) and id; an absolute URL
	// is reduced to its type and id.
	RefType string
	RefID   string
}

// Clause is one parameter of a query: its values are alternatives (OR, from a comma list).
type Clause struct {
	Def      Def
	Modifier Modifier
	Values   []Value
}

// SortKey is one key of _sort.
type SortKey struct {
	Param      string // a date parameter's name, or "_lastUpdated"
	Descending bool
}

// Summary is the _summary mode.
type Summary string

// The supported _summary modes.
const (
	SummaryNone  Summary = ""
	SummaryCount Summary = "count"
)

// Query is a parsed, validated search.
type Query struct {
	ResourceType string
	// Clauses must all match (AND: one per occurrence of a parameter in the request).
	Clauses []Clause
	// IDs from _id (OR), LastUpdated from _lastUpdated (AND).
	IDs         []string
	LastUpdated []Value
	Count       int // page size, already defaulted and capped
	Sort        []SortKey
	Summary     Summary
	Total       string // "", "none", "estimate" or "accurate"
	Cursor      string // opaque; decoded by the store
	// Ignored lists the parameters that were not understood and (without strict handling)
	// ignored; they are left out of the self link.
	Ignored []string
}

// Page-size limits.
const (
	DefaultCount = 50
	MaxCount     = 1000
)

// Entry is one index entry extracted from a resource: one value of one search parameter.
// A resource has as many entries per parameter as it has values for it.
type Entry struct {
	Param string
	Type  Type
	// Token
	System, Code string
	// String: Text normalised with NormalizeString; Exact is the value as it stands.
	Text, Exact string
	// Date: the element's range [Low, High), UTC.
	Low, High time.Time
	// Reference
	RefType, RefID string
}
