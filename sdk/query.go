package sdk

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Code systems and identifier systems used in UK Core.
const (
	SystemSNOMED    = "http://snomed.info/sct"
	SystemLOINC     = "http://loinc.org"
	SystemDMD       = "https://dmd.nhs.uk"
	SystemUCUM      = "http://unitsofmeasure.org"
	SystemNHSNumber = "https://fhir.nhs.uk/Id/nhs-number"
	SystemODSCode   = "https://fhir.nhs.uk/Id/ods-organization-code"
)

// Token is the value of a token search parameter (a code, status or identifier): one or more
// system|code pairs, any of which matches. Make one with Code, LOINC, SNOMED, DMD,
// NHSNumberIdentifier or ODSCode, and combine alternatives with Or. The zero Token means "no
// condition".
type Token struct{ alts []string }

// Code is the token code in system; an empty system matches the code in any system.
func Code(system, code string) Token {
	if system == "" {
		return Token{alts: []string{escape(code)}}
	}
	return Token{alts: []string{escape(system) + "|" + escape(code)}}
}

// LOINC is a LOINC code, such as "4548-4" (HbA1c).
func LOINC(code string) Token { return Code(SystemLOINC, code) }

// SNOMED is a SNOMED CT code, such as "44054006" (type 2 diabetes).
func SNOMED(code string) Token { return Code(SystemSNOMED, code) }

// DMD is a dm+d (Dictionary of medicines and devices) code.
func DMD(code string) Token { return Code(SystemDMD, code) }

// NHSNumberIdentifier is an NHS number, as a Patient identifier.
func NHSNumberIdentifier(nhsNumber string) Token { return Code(SystemNHSNumber, nhsNumber) }

// ODSCode is an ODS organisation code, as an Organization identifier.
func ODSCode(code string) Token { return Code(SystemODSCode, code) }

// Or returns a token that matches t or any of more.
func (t Token) Or(more ...Token) Token {
	out := Token{alts: append([]string(nil), t.alts...)}
	for _, m := range more {
		out.alts = append(out.alts, m.alts...)
	}
	return out
}

// IsZero reports whether t sets no condition.
func (t Token) IsZero() bool { return len(t.alts) == 0 }

// String is the token as sent: system|code, alternatives joined by commas.
func (t Token) String() string { return strings.Join(t.alts, ",") }

// escape escapes FHIR search's special characters in one value.
func escape(s string) string {
	if !strings.ContainsAny(s, `\,|$`) {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `,`, `\,`, `|`, `\|`, `$`, `\$`)
	return r.Replace(s)
}

// tokenParam is t as a generated parameter value (nil when unset).
func tokenParam(t Token) []string {
	if t.IsZero() {
		return nil
	}
	return []string{t.String()}
}

// stringParam is s as a generated parameter value (nil when empty).
func stringParam(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// idsParam is a list of ids, ORed.
func idsParam(ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	return []string{strings.Join(ids, ",")}
}

// DatePrefix compares a date search parameter with a value.
type DatePrefix string

// Date comparisons, as FHIR defines them.
const (
	DateEQ DatePrefix = "eq" // within the value's period
	DateNE DatePrefix = "ne" // outside it
	DateGT DatePrefix = "gt" // after it
	DateLT DatePrefix = "lt" // before it
	DateGE DatePrefix = "ge" // in it or after
	DateLE DatePrefix = "le" // in it or before
	DateSA DatePrefix = "sa" // starts after it
	DateEB DatePrefix = "eb" // ends before it
)

// DateFilter is the value of a date search parameter: one or more conditions, all of which must
// hold. Make one with On, Since, After, Before, Until, Between or DateIs, and add conditions with
// And. The zero DateFilter means "no condition".
//
// A time at midnight (in its location) is sent as a date, which covers the whole day;
// any other time is sent as a dateTime with its zone.
type DateFilter struct{ conds []string }

// DateIs is the condition "prefix t" (DateIs(DateGE, t) is "on or after t").
func DateIs(prefix DatePrefix, t time.Time) DateFilter {
	return DateFilter{conds: []string{string(prefix) + fhirDate(t)}}
}

// On matches the day (or instant) t.
func On(t time.Time) DateFilter { return DateIs(DateEQ, t) }

// Since matches t and later.
func Since(t time.Time) DateFilter { return DateIs(DateGE, t) }

// After matches later than t (after the whole day, for a date).
func After(t time.Time) DateFilter { return DateIs(DateGT, t) }

// Before matches earlier than t.
func Before(t time.Time) DateFilter { return DateIs(DateLT, t) }

// Until matches t and earlier.
func Until(t time.Time) DateFilter { return DateIs(DateLE, t) }

// Between matches from (inclusive) to to (exclusive).
func Between(from, to time.Time) DateFilter { return Since(from).And(Before(to)) }

// And returns a filter with the conditions of f and of more.
func (f DateFilter) And(more ...DateFilter) DateFilter {
	out := DateFilter{conds: append([]string(nil), f.conds...)}
	for _, m := range more {
		out.conds = append(out.conds, m.conds...)
	}
	return out
}

// IsZero reports whether f sets no condition.
func (f DateFilter) IsZero() bool { return len(f.conds) == 0 }

// String is the filter's conditions as sent, separated by "&".
func (f DateFilter) String() string { return strings.Join(f.conds, "&") }

// param is f as a generated (repeated) parameter value.
func (f DateFilter) param() []string {
	if f.IsZero() {
		return nil
	}
	return append([]string(nil), f.conds...)
}

func fhirDate(t time.Time) string {
	h, m, s := t.Clock()
	if h == 0 && m == 0 && s == 0 && t.Nanosecond() == 0 {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}

// SortOrder is a search's _sort: the search parameter to sort by, "-" first for descending.
// Each query type documents the parameters it can sort by.
type SortOrder string

// Ascending sorts by the search parameter param (such as "date" or "_lastUpdated").
func Ascending(param string) SortOrder { return SortOrder(param) }

// Descending sorts by the search parameter param, newest or largest first.
func Descending(param string) SortOrder { return SortOrder("-" + param) }

// Sort orders every resource type can use.
const (
	SortLastUpdated     SortOrder = "_lastUpdated"  // least recently changed first
	SortRecentlyUpdated SortOrder = "-_lastUpdated" // most recently changed first
	SortDefault         SortOrder = ""              // the server's stable order
)

// TotalMode is a search's _total: whether each page carries Bundle.total.
type TotalMode string

// Total modes.
const (
	TotalDefault  TotalMode = ""         // given when cheap
	TotalAccurate TotalMode = "accurate" // on every page
	TotalEstimate TotalMode = "estimate" // an estimate is enough
	TotalNone     TotalMode = "none"     // never
)

// ptr returns a pointer to v, or nil for v's zero value.
func ptr[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// countParam is a page size as a generated parameter (nil for the server's default).
func countParam(n int) *int32 {
	if n <= 0 {
		return nil
	}
	c := int32(min(n, 1000))
	return &c
}

// valuesServer is a placeholder server for building a query's URL in Values.
const valuesServer = "http://query.invalid/"

// queryValues returns the query of a request the generated client built.
func queryValues(req *http.Request, err error) url.Values {
	if err != nil {
		return url.Values{}
	}
	return req.URL.Query()
}
