package search

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// Extract returns the index entries of a resource of resourceType, given as FHIR JSON: for each
// search parameter of the type, one Entry per distinct value found at the parameter's Paths
// (arrays at any level are flattened). Entries come grouped by parameter, in the order of Defs.
//
//   - token: an Identifier gives (system, value), a Coding (system, code), a CodeableConcept
//     each of its codings (its text is not indexed), a plain code string (no system, code);
//     values without a code are skipped;
//   - string: each non-empty string, with Text normalised (NormalizeString) and Exact as it is;
//   - date: a date or dateTime gives its implicit range (ParseDateRange); a Period gives
//     [start's low, end's high), from FarPast without a start and up to FarFuture without an
//     end (ongoing);
//   - reference: Reference.reference as "Type/id", or an absolute URL ending in it (a version
//     "/_history/n" is dropped), when Type is one of the parameter's Targets; references
//     without one (only an identifier or display, contained "#id", "urn:uuid:") are skipped.
//
// An element of an unexpected shape or an unparsable value is skipped. The error is for JSON
// that does not parse, is not an object, or has a resourceType other than resourceType.
func Extract(resourceType string, resource []byte) ([]Entry, error) {
	rd, ok := byType[resourceType]
	if !ok {
		return nil, fmt.Errorf("search: no search parameters for resource type %q", resourceType)
	}
	var root map[string]any
	// Numbers stay json.Number: a decimal beyond float64's range is legal JSON, not an error.
	dec := json.NewDecoder(bytes.NewReader(resource))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("search: decoding %s: %w", resourceType, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("search: decoding %s: data after the resource", resourceType)
	}
	if root == nil {
		return nil, fmt.Errorf("search: decoding %s: not a JSON object", resourceType)
	}
	if rt, ok := root["resourceType"]; ok && rt != resourceType {
		return nil, fmt.Errorf("search: resourceType is %v, want %s", rt, resourceType)
	}
	x := extractor{entries: make([]Entry, 0, rd.entries.Load())}
	for _, cd := range rd.list {
		x.def, x.start = cd, len(x.entries)
		for _, segs := range cd.segs {
			x.walk(root[segs[0]], segs[1:])
		}
	}
	if n := int32(min(len(x.entries), maxEntriesHint)); n > rd.entries.Load() {
		rd.entries.Store(n) // a race may lose a larger hint: harmless
	}
	if len(x.entries) == 0 {
		return nil, nil
	}
	return x.entries, nil
}

// extractor collects the entries of one resource.
type extractor struct {
	entries []Entry
	def     *compiledDef
	start   int // the index in entries of the current def's first entry
}

// walk visits the elements at path segs below node, flattening arrays.
func (x *extractor) walk(node any, segs []string) {
	switch n := node.(type) {
	case nil:
	case []any:
		for _, elem := range n {
			x.walk(elem, segs)
		}
	case map[string]any:
		if len(segs) > 0 {
			x.walk(n[segs[0]], segs[1:])
			return
		}
		x.leaf(node)
	default:
		if len(segs) == 0 {
			x.leaf(node)
		}
	}
}

// leaf turns one element at the end of a path into entries of the current def.
func (x *extractor) leaf(node any) {
	switch x.def.Type {
	case Token:
		switch n := node.(type) {
		case string:
			x.add(Entry{Code: n})
		case map[string]any:
			if codings, ok := n["coding"]; ok { // CodeableConcept
				x.codings(codings)
			} else if value, ok := n["value"].(string); ok { // Identifier
				x.add(Entry{System: str(n["system"]), Code: value})
			} else { // Coding
				x.add(Entry{System: str(n["system"]), Code: str(n["code"])})
			}
		}
	case String:
		if s, ok := node.(string); ok && s != "" {
			x.add(Entry{Text: NormalizeString(s), Exact: s})
		}
	case Date:
		switch n := node.(type) {
		case string:
			if low, high, reason := parseDate(n); reason == "" {
				x.add(Entry{Low: low, High: high})
			}
		case map[string]any: // Period
			start, hasStart := n["start"].(string)
			end, hasEnd := n["end"].(string)
			if !hasStart && !hasEnd {
				return
			}
			e := Entry{Low: FarPast, High: FarFuture}
			var reason string
			if hasStart {
				if e.Low, _, reason = parseDate(start); reason != "" {
					return
				}
			}
			if hasEnd {
				if _, e.High, reason = parseDate(end); reason != "" {
					return
				}
			}
			if e.Low.Before(e.High) {
				x.add(e)
			}
		}
	case Reference:
		if n, ok := node.(map[string]any); ok {
			if ref, ok := n["reference"].(string); ok {
				if typ, id, reason := parseRef(ref, x.def.Targets, true); reason == "" {
					x.add(Entry{RefType: typ, RefID: id})
				}
			}
		}
	}
}

// codings adds the entries of a CodeableConcept's coding array.
func (x *extractor) codings(node any) {
	switch n := node.(type) {
	case []any:
		for _, c := range n {
			x.codings(c)
		}
	case map[string]any:
		x.add(Entry{System: str(n["system"]), Code: str(n["code"])})
	}
}

// add appends e as an entry of the current def unless it is empty or already there.
func (x *extractor) add(e Entry) {
	if x.def.Type == Token && e.Code == "" {
		return
	}
	e.Param, e.Type = x.def.Name, x.def.Type
	for _, prev := range x.entries[x.start:] {
		if prev == e {
			return
		}
	}
	x.entries = append(x.entries, e)
}

// str returns v if it is a string, and "" otherwise.
func str(v any) string {
	s, _ := v.(string)
	return s
}
