package search

import (
	"strings"
	"time"
)

// MatchesDate reports whether the date entry e matches the date value v, with FHIR's prefix
// semantics on ranges (https://hl7.org/fhir/R4/search.html#prefix). Both are half-open ranges
// [Low, High); these are the reference semantics the store's SQL mirrors, with e the indexed
// columns (low, high) and v the searched range [vLow, vHigh):
//
//	prefix  FHIR                                                 condition
//	eq      the value's range fully contains the entry's         low >= vLow AND high <= vHigh
//	ne      not eq                                               low < vLow OR high > vHigh
//	gt      the range above the value overlaps the entry's       high > vHigh
//	lt      the range below the value overlaps the entry's       low < vLow
//	ge      gt or eq                                             low >= vLow OR high > vHigh
//	le      lt or eq                                             low < vLow OR high <= vHigh
//	sa      the entry starts after the value ends (no overlap)   low >= vHigh
//	eb      the entry ends before the value starts (no overlap)  high <= vLow
//
// (ge is "gt or eq": high > vHigh OR (low >= vLow AND high <= vHigh), which simplifies to the
// condition shown; le likewise.) So an entry that starts before the value and ends inside it
// matches neither ge nor gt, as the specification says. An empty prefix is eq.
func (v Value) MatchesDate(e Entry) bool {
	eq := !e.Low.Before(v.Low) && !e.High.After(v.High)
	switch v.Prefix {
	case EQ, "":
		return eq
	case NE:
		return !eq
	case GT:
		return e.High.After(v.High)
	case LT:
		return e.Low.Before(v.Low)
	case GE:
		return !e.Low.Before(v.Low) || e.High.After(v.High)
	case LE:
		return e.Low.Before(v.Low) || !e.High.After(v.High)
	case SA:
		return !e.Low.Before(v.High)
	case EB:
		return !e.High.After(v.Low)
	}
	return false
}

// MatchesInstant reports whether the instant t (such as meta.lastUpdated) matches the date value
// v; t is taken as the range of its millisecond, [t, t+1ms), and compared as MatchesDate does.
func (v Value) MatchesInstant(t time.Time) bool {
	low := t.UTC().Truncate(time.Millisecond)
	return v.MatchesDate(Entry{Low: low, High: low.Add(time.Millisecond)})
}

// MatchesToken reports whether the token entry e matches the token value v: "code" matches the
// code in any system, "|code" the code with no system, "system|code" both, and "system|" any code
// in the system. Codes and systems compare exactly (case-sensitive).
//
// SQL: code = ? [AND system = ?]; for "system|", system = ? alone.
func (v Value) MatchesToken(e Entry) bool {
	switch {
	case !v.HasSystem:
		return e.Code == v.Code
	case v.Code == "":
		return e.System == v.System
	}
	return e.System == v.System && e.Code == v.Code
}

// MatchesString reports whether the string entry e matches the string value v under the
// modifier mod: by default e.Text starts with v.Text (both normalised), with :contains e.Text
// contains it, and with :exact e.Exact equals v.Text.
//
// SQL: by default text >= ? AND text < ? || char(0x10FFFF) (or text LIKE 'v%' ESCAPE '\' with %
// and _ escaped); :contains text LIKE '%v%' ESCAPE '\'; :exact exact = ?.
func (v Value) MatchesString(mod Modifier, e Entry) bool {
	switch mod {
	case Exact:
		return e.Exact == v.Text
	case Contains:
		return strings.Contains(e.Text, v.Text)
	}
	return strings.HasPrefix(e.Text, v.Text)
}

// MatchesReference reports whether the reference entry e matches the reference value v: the ids
// must be equal, and the types too unless v is a bare id (any target type).
//
// SQL: ref_id = ? [AND ref_type = ?].
func (v Value) MatchesReference(e Entry) bool {
	return e.RefID == v.RefID && (v.RefType == "" || e.RefType == v.RefType)
}
