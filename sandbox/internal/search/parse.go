package search

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Error is a search request that cannot be answered: an unknown resource type, a malformed
// value, an unsupported modifier or (under strict handling) an unknown parameter. Diagnostics is
// written for the developer who sent the request: it names the parameter and the bad value and
// shows a correct example. The FHIR API answers it with 400 and an OperationOutcome.
type Error struct {
	Param       string // the parameter as given, with any modifier ("family:foo"); "" for the request as a whole
	Value       string // the offending value, if any
	Diagnostics string // the full explanation; also what Error returns
	// NotSupported is set when the request is valid FHIR that this server does not support
	// (an unknown or unsupported parameter or modifier); the OperationOutcome issue code is then
	// "not-supported" rather than "invalid".
	NotSupported bool
}

// Error returns the diagnostics.
func (e *Error) Error() string { return e.Diagnostics }

// The parameters every search accepts, besides those of its resource type.
const (
	paramID          = "_id"
	paramLastUpdated = "_lastUpdated"
	paramCount       = "_count"
	paramSort        = "_sort"
	paramSummary     = "_summary"
	paramTotal       = "_total"
	paramCursor      = "_cursor"
	paramFormat      = "_format"
)

// maxCursor is the longest _cursor accepted, as the contract says.
const maxCursor = 512

// Parse parses and validates the parameters of a search of resourceType (the query string of a
// GET, or the form body of a POST to _search) into a Query.
//
// Each occurrence of a parameter is one Clause (repeats are AND); its comma-separated values are
// alternatives (OR). "\," is a literal comma, and likewise "\|", "\$" and "\\". String
// parameters accept the modifiers :exact and :contains; any other modifier is an error, as FHIR
// requires. _id, _lastUpdated, _count (defaulted and capped), _sort, _summary (count|false),
// _total (none|estimate|accurate) and _cursor are understood; _format is accepted and left to
// the caller. Any other parameter is listed in Query.Ignored, or is an error when strict (the
// client sent "Prefer: handling=strict"). Every error is an *Error.
func Parse(resourceType string, params url.Values, strict bool) (*Query, error) {
	rd, ok := byType[resourceType]
	if !ok {
		return nil, &Error{
			Diagnostics:  fmt.Sprintf("search is not supported on %q; the searchable resource types are %s", resourceType, strings.Join(resourceTypes, ", ")),
			NotSupported: true,
		}
	}
	q := &Query{ResourceType: resourceType, Count: DefaultCount}
	for _, key := range slices.Sorted(maps.Keys(params)) {
		vals := params[key]
		if len(vals) == 0 {
			continue
		}
		name, mod, hasMod := strings.Cut(key, ":")
		if name == paramFormat {
			continue // content negotiation is the caller's
		}
		cd, isDef := rd.byName[name]
		if !isDef && !isSpecial(name) {
			if strict {
				return nil, &Error{
					Param:        key,
					Diagnostics:  fmt.Sprintf("unknown or unsupported search parameter %q for %s; the supported parameters are %s", key, resourceType, rd.supported()),
					NotSupported: true,
				}
			}
			if key != "" {
				q.Ignored = append(q.Ignored, key)
			}
			continue
		}
		for _, v := range vals {
			if v == "" {
				return nil, &Error{Param: key, Diagnostics: fmt.Sprintf("%s has an empty value; give a value, e.g. %s", key, rd.example(name))}
			}
		}
		if !isDef {
			if hasMod {
				return nil, &Error{
					Param:        key,
					Diagnostics:  fmt.Sprintf("modifiers are not supported on %s; use %s", name, rd.example(name)),
					NotSupported: true,
				}
			}
			if err := q.parseSpecial(rd, name, vals); err != nil {
				return nil, err
			}
			continue
		}
		modifier, err := checkModifier(cd, key, mod, hasMod)
		if err != nil {
			return nil, err
		}
		for _, v := range vals {
			c := Clause{Def: cd.Def, Modifier: modifier}
			for part := range splitEscaped(v, ',') {
				if part == "" {
					return nil, &Error{Param: key, Value: v, Diagnostics: fmt.Sprintf("%s=%s has an empty item in its comma-separated list; e.g. %s", key, v, rd.example(name))}
				}
				val, reason := parseValue(cd, modifier, part)
				if reason != "" {
					return nil, &Error{Param: key, Value: part, Diagnostics: reason}
				}
				c.Values = append(c.Values, val)
			}
			q.Clauses = append(q.Clauses, c)
		}
	}
	return q, nil
}

func isSpecial(name string) bool {
	switch name {
	case paramID, paramLastUpdated, paramCount, paramSort, paramSummary, paramTotal, paramCursor:
		return true
	}
	return false
}

// supported lists the parameters a search of the resource type accepts, for messages.
func (rd *resourceDefs) supported() string {
	names := []string{paramID, paramLastUpdated}
	for _, cd := range rd.list {
		names = append(names, cd.Name)
	}
	names = append(names, paramSort, paramCount, paramSummary, paramTotal, paramCursor, paramFormat)
	return strings.Join(names, ", ")
}

// example returns a correct name=value for the parameter, for messages.
func (rd *resourceDefs) example(name string) string {
	if cd, ok := rd.byName[name]; ok {
		return name + "=" + cd.example
	}
	switch name {
	case paramID:
		return "_id=9a1b2c3d-0000-4000-8000-000000000001"
	case paramLastUpdated:
		return "_lastUpdated=ge2024-01-01"
	case paramCount:
		return "_count=50"
	case paramSort:
		return "_sort=-" + rd.sorts[min(1, len(rd.sorts)-1)]
	case paramSummary:
		return "_summary=count"
	case paramTotal:
		return "_total=accurate"
	}
	return name + "=…"
}

// checkModifier validates the modifier of a parameter of the resource type.
func checkModifier(cd *compiledDef, key, mod string, hasMod bool) (Modifier, error) {
	if !hasMod {
		return NoModifier, nil
	}
	if cd.Type == String {
		switch Modifier(mod) {
		case Exact, Contains:
			return Modifier(mod), nil
		}
		return "", &Error{
			Param:        key,
			Diagnostics:  fmt.Sprintf("modifier %q is not supported on %s; string parameters accept :exact and :contains, e.g. %s:exact=%s", ":"+mod, cd.Name, cd.Name, strings.ToUpper(cd.example[:1])+cd.example[1:]),
			NotSupported: true,
		}
	}
	hint := fmt.Sprintf("use %s=%s", cd.Name, cd.example)
	if cd.Type == Reference && slices.Contains(cd.Targets, mod) {
		hint = fmt.Sprintf("give the type in the value instead: %s=%s/ID", cd.Name, mod)
	}
	return "", &Error{
		Param:        key,
		Diagnostics:  fmt.Sprintf("modifier %q is not supported on %s (a %s parameter); %s", ":"+mod, cd.Name, cd.Type, hint),
		NotSupported: true,
	}
}

// parseValue parses one (comma-separated) value of a parameter; reason is "" on success and
// otherwise the full diagnostics.
func parseValue(cd *compiledDef, mod Modifier, raw string) (Value, string) {
	bad := func(what string) string {
		return fmt.Sprintf("invalid %s %q in %s: %s", cd.Type, raw, cd.Name, what)
	}
	switch cd.Type {
	case Date:
		v, reason := parseDateValue(unescape(raw))
		if reason != "" {
			return Value{}, fmt.Sprintf("invalid date %q in %s: %s; use YYYY, YYYY-MM or YYYY-MM-DD (or a dateTime such as 2024-03-01T09:30:00Z) with an optional prefix such as %s=%s", raw, cd.Name, reason, cd.Name, cd.example)
		}
		return v, ""
	case Token:
		sys, code, hasSys := cutEscaped(raw, '|')
		v := Value{HasSystem: hasSys, System: unescape(sys), Code: unescape(code)}
		if !hasSys {
			v.Code, v.System = v.System, ""
		}
		if v.System == "" && v.Code == "" {
			return Value{}, bad(fmt.Sprintf("give a code; use system|code, |code (no system), code (any system) or system| (any code), e.g. %s=%s", cd.Name, cd.example))
		}
		return v, ""
	case Reference:
		typ, id, reason := parseRef(unescape(raw), cd.Targets, false)
		if reason != "" {
			return Value{}, bad(fmt.Sprintf("%s; e.g. %s=%s", reason, cd.Name, cd.example))
		}
		return Value{RefType: typ, RefID: id}, ""
	case String:
		s := unescape(raw)
		if mod == Exact {
			return Value{Text: s}, ""
		}
		if s = NormalizeString(s); s == "" {
			return Value{}, bad(fmt.Sprintf("the value is blank; e.g. %s=%s", cd.Name, cd.example))
		}
		return Value{Text: s}, ""
	}
	return Value{}, bad("unsupported parameter type")
}

// parseDateValue parses [prefix]date; reason is "" on success.
func parseDateValue(s string) (Value, string) {
	v := Value{Prefix: EQ}
	if len(s) >= 2 && isLetter(s[0]) && isLetter(s[1]) {
		switch p := Prefix(s[:2]); p {
		case EQ, NE, GT, LT, GE, LE, SA, EB:
			v.Prefix = p
		default:
			return Value{}, fmt.Sprintf("unknown prefix %q (the prefixes are eq, ne, gt, lt, ge, le, sa and eb)", s[:2])
		}
		if s = s[2:]; s == "" {
			return Value{}, "a date must follow the prefix"
		}
	}
	low, high, reason := parseDate(s)
	if reason != "" {
		return Value{}, reason
	}
	v.Low, v.High = low, high
	return v, ""
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// parseSpecial parses one of the parameters every search accepts, with all its occurrences.
func (q *Query) parseSpecial(rd *resourceDefs, name string, vals []string) error {
	bad := func(v, format string, args ...any) error {
		return &Error{Param: name, Value: v, Diagnostics: fmt.Sprintf(format, args...)}
	}
	if name != paramLastUpdated && len(vals) > 1 {
		return bad("", "%s is given %d times; give it once (e.g. %s)", name, len(vals), rd.example(name))
	}
	v := vals[0]
	switch name {
	case paramID:
		for part := range splitEscaped(v, ',') {
			id := unescape(part)
			if !validID(id) {
				return bad(part, "invalid id %q in _id: an id is 1-64 characters from A-Z, a-z, 0-9, '-' and '.'; separate several with commas, e.g. _id=pat-1,pat-2", id)
			}
			if !slices.Contains(q.IDs, id) {
				q.IDs = append(q.IDs, id)
			}
		}
	case paramLastUpdated:
		for _, v := range vals {
			if _, _, found := cutEscaped(v, ','); found {
				return bad(v, "_lastUpdated takes one date per occurrence; repeat it for a range, e.g. _lastUpdated=ge2024-01-01&_lastUpdated=lt2024-02-01")
			}
			val, reason := parseDateValue(unescape(v))
			if reason != "" {
				return bad(v, "invalid date %q in _lastUpdated: %s; use YYYY, YYYY-MM, YYYY-MM-DD or an instant such as 2024-03-01T09:30:00Z, with an optional prefix such as _lastUpdated=ge2024-01-01", v, reason)
			}
			q.LastUpdated = append(q.LastUpdated, val)
		}
	case paramCount:
		if strings.Trim(v, "0123456789") != "" {
			if n, err := strconv.Atoi(v); err == nil && n < 0 {
				return bad(v, "invalid _count %q: it must be 0 or more (0 returns only the total), e.g. _count=50", v)
			}
			return bad(v, "invalid _count %q: it must be a whole number from 0 to %d, e.g. _count=50", v, MaxCount)
		}
		n, err := strconv.Atoi(v)
		if err != nil || n > MaxCount {
			n = MaxCount // too many digits for an int is still "more than the cap"
		}
		q.Count = n
	case paramSort:
		for part := range splitEscaped(v, ',') {
			key := SortKey{Param: strings.TrimPrefix(part, "-"), Descending: strings.HasPrefix(part, "-")}
			if !slices.Contains(rd.sorts, key.Param) {
				return bad(part, "invalid _sort key %q for %s: the sort keys are %s, each with an optional '-' for descending, e.g. %s", part, q.ResourceType, strings.Join(rd.sorts, ", "), rd.example(paramSort))
			}
			if slices.ContainsFunc(q.Sort, func(k SortKey) bool { return k.Param == key.Param }) {
				return bad(part, "_sort lists %q twice; give each key once", key.Param)
			}
			q.Sort = append(q.Sort, key)
		}
	case paramSummary:
		switch v {
		case "count":
			q.Summary = SummaryCount
		case "false":
			q.Summary = SummaryNone
		case "true", "text", "data":
			e := bad(v, "_summary=%s is not supported; use _summary=count for only the total, or _summary=false (the default) for whole resources", v)
			e.(*Error).NotSupported = true
			return e
		default:
			return bad(v, "invalid _summary %q: use _summary=count for only the total, or _summary=false (the default) for whole resources", v)
		}
	case paramTotal:
		switch v {
		case "none", "estimate", "accurate":
			q.Total = v
		default:
			return bad(v, "invalid _total %q: use none, estimate or accurate, e.g. _total=accurate", v)
		}
	case paramCursor:
		if len(v) > maxCursor {
			return bad("", "_cursor is %d characters long, more than %d; use the next or previous link of a search result as it is", len(v), maxCursor)
		}
		q.Cursor = v
	}
	return nil
}

// validID reports whether s is a FHIR logical id: 1-64 of A-Z, a-z, 0-9, '-' and '.'.
func validID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isLetter(c) || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// parseRef parses a reference: "Type/id", an absolute URL ending in "Type/id", or (when not
// fromResource) a bare id. A version ("Type/id/_history/2") is dropped when fromResource and an
// error otherwise. The type must be one of targets. reason is "" on success.
func parseRef(s string, targets []string, fromResource bool) (typ, id, reason string) {
	if !strings.Contains(s, "/") {
		if fromResource {
			return "", "", "not a Type/id reference"
		}
		if !validID(s) {
			return "", "", "use Type/ID or just ID, an ID being 1-64 characters from A-Z, a-z, 0-9, '-' and '.'"
		}
		return "", s, ""
	}
	segs := strings.Split(s, "/")
	if fromResource && len(segs) >= 4 && segs[len(segs)-2] == "_history" {
		segs = segs[:len(segs)-2]
	}
	switch {
	case len(segs) == 2:
	case len(segs) >= 5 && (strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")) && !strings.ContainsAny(s, "?#"):
		segs = segs[len(segs)-2:]
	default:
		return "", "", "use Type/ID, an absolute URL ending in Type/ID, or just ID"
	}
	typ, id = segs[0], segs[1]
	if !slices.Contains(targets, typ) {
		if len(targets) == 1 {
			return "", "", fmt.Sprintf("it must refer to a %s, not a %q", targets[0], typ)
		}
		return "", "", fmt.Sprintf("it must refer to one of %s, not a %q", strings.Join(targets, ", "), typ)
	}
	if !validID(id) {
		return "", "", fmt.Sprintf("%q is not a valid id (1-64 characters from A-Z, a-z, 0-9, '-' and '.')", id)
	}
	return typ, id, ""
}
