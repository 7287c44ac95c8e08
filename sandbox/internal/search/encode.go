package search

import (
	"iter"
	"net/url"
	"strconv"
	"strings"
)

// Encode returns the query as understood, as canonical search parameters: the value of the
// Bundle's self link. Every understood parameter is written back (with its modifier; dates at
// their precision, in UTC; strings normalised unless :exact; references as Type/id), _count
// always, and _sort, _summary and _total when set. The cursor and the ignored parameters are
// left out. url.Values.Encode writes the result in a deterministic order, and Parse of the
// result gives an equivalent Query.
func (q *Query) Encode() url.Values {
	out := url.Values{}
	if len(q.IDs) > 0 {
		ids := make([]string, len(q.IDs))
		for i, id := range q.IDs {
			ids[i] = escape(id, false)
		}
		out.Set(paramID, strings.Join(ids, ","))
	}
	for _, v := range q.LastUpdated {
		out.Add(paramLastUpdated, encodeDate(v))
	}
	for _, c := range q.Clauses {
		key := c.Def.Name
		if c.Modifier != NoModifier {
			key += ":" + string(c.Modifier)
		}
		vals := make([]string, len(c.Values))
		for i, v := range c.Values {
			vals[i] = encodeValue(c.Def.Type, v)
		}
		out.Add(key, strings.Join(vals, ","))
	}
	out.Set(paramCount, strconv.Itoa(q.Count))
	if len(q.Sort) > 0 {
		keys := make([]string, len(q.Sort))
		for i, k := range q.Sort {
			keys[i] = k.Param
			if k.Descending {
				keys[i] = "-" + k.Param
			}
		}
		out.Set(paramSort, strings.Join(keys, ","))
	}
	if q.Summary != SummaryNone {
		out.Set(paramSummary, string(q.Summary))
	}
	if q.Total != "" {
		out.Set(paramTotal, q.Total)
	}
	return out
}

// encodeValue writes one value of a parameter of type t, escaped for a comma list.
func encodeValue(t Type, v Value) string {
	switch t {
	case Date:
		return encodeDate(v)
	case Token:
		if !v.HasSystem {
			return escape(v.Code, true)
		}
		return escape(v.System, true) + "|" + escape(v.Code, true)
	case Reference:
		if v.RefType == "" {
			return v.RefID
		}
		return v.RefType + "/" + v.RefID
	}
	return escape(v.Text, false)
}

// encodeDate writes a date value: its prefix (none for eq) and its range.
func encodeDate(v Value) string {
	s := formatDate(v.Low, v.High)
	if v.Prefix != EQ && v.Prefix != "" {
		s = string(v.Prefix) + s
	}
	return s
}

// escape escapes '\' and ',' (and '|' when pipe) with a backslash, as FHIR search values require.
func escape(s string, pipe bool) string {
	special := `\,`
	if pipe {
		special = `\,|`
	}
	if !strings.ContainsAny(s, special) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(special, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// unescape undoes FHIR search escaping: "\," "\|" "\$" and "\\" become the character escaped;
// any other backslash is kept as it stands.
func unescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`,|$\`, s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// splitEscaped yields the parts of s between the separators sep that are not escaped with a
// backslash; the parts keep their escapes.
func splitEscaped(s string, sep byte) iter.Seq[string] {
	return func(yield func(string) bool) {
		for {
			before, after, found := cutEscaped(s, sep)
			if !yield(before) || !found {
				return
			}
			s = after
		}
	}
}

// cutEscaped is strings.Cut on the first separator sep not escaped with a backslash.
func cutEscaped(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++ // skip the escaped character
		case sep:
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
