package search

import (
	"strings"
	"testing"
	"time"
)

// dateEntry is the index entry of a date or dateTime value, or of a Period "start/end" (either
// side may be empty).
func dateEntry(t *testing.T, s string) Entry {
	t.Helper()
	e := Entry{Type: Date, Low: FarPast, High: FarFuture}
	start, end, isPeriod := strings.Cut(s, "/")
	if !isPeriod {
		end = start
	}
	var err error
	if start != "" {
		if e.Low, _, err = ParseDateRange(start); err != nil {
			t.Fatal(err)
		}
	}
	if end != "" {
		if _, e.High, err = ParseDateRange(end); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func dateValue(t *testing.T, s string) Value {
	t.Helper()
	v, reason := parseDateValue(s)
	if reason != "" {
		t.Fatalf("%q: %s", s, reason)
	}
	return v
}

func TestMatchesDate(t *testing.T) {
	tests := []struct {
		value string
		entry string // a date, a dateTime, or a period start/end
		want  bool
	}{
		// eq: the value's range contains the entry's.
		{"2024", "2024-03-05", true},
		{"2024", "2024-12-31T23:59:59Z", true},
		{"2024", "2025-01-01", false},
		{"2024", "2023-12-31", false},
		{"2024-03", "2024-03-01T09:30:00Z", true},
		{"eq2024-03-05", "2024-03-05", true},
		{"2024-03-05", "2024-03", false}, // the entry is coarser than the value
		{"2024-03-05", "2024-03-05T23:59:59+01:00", true},
		{"2024-03-05", "2024-03-05T00:30:00+01:00", false}, // 2024-03-04T23:30Z
		{"2024", "2024-03-01/2024-03-02", true},
		{"2024", "2023-12-01/2024-03-02", false},
		{"2024", "2024-03-01/", false}, // ongoing
		// ne
		{"ne2024", "2024-03-05", false},
		{"ne2024", "2025-03-05", true},
		{"ne2024", "2023-12-01/2024-03-02", true},
		// gt: the entry goes beyond the value's end.
		{"gt2024", "2025-01-01", true},
		{"gt2024", "2024-12-31", false},
		{"gt2024-03-05", "2024-03-06", true},
		{"gt2024-03-05", "2024-03-05T12:00:00Z", false},
		{"gt2024", "2024-06-01/", true}, // ongoing
		{"gt2024", "2023-01-01/2025-06-01", true},
		{"gt2024", "2023-01-01/2024-06-01", false},
		// lt: the entry starts before the value's start.
		{"lt2024", "2023-12-31", true},
		{"lt2024", "2024-01-01", false},
		{"lt2024-03", "2024-02-29T23:59:59Z", true},
		{"lt2024", "/2024-06-01", true}, // no start
		{"lt2024", "2023-12-01/2024-06-01", true},
		// ge: gt or eq.
		{"ge2024", "2024-01-01", true},
		{"ge2024", "2024-12-31", true},
		{"ge2024", "2030-01-01", true},
		{"ge2024", "2023-12-31", false},
		{"ge2024-01-01", "2024-01-01T00:00:00Z", true},
		{"ge2024-01-01", "2023-12-31T23:59:59Z", false},
		{"ge2024", "2023-06-01/2024-06-01", false}, // starts before, ends inside: neither gt nor eq
		{"ge2024", "2023-06-01/2025-06-01", true},  // gt
		{"ge2024", "2023-06-01/", true},            // ongoing: gt
		{"ge1950", "1958-04-12", true},
		// le: lt or eq.
		{"le2024", "2024-12-31", true},
		{"le2024", "2023-01-01", true},
		{"le2024", "2025-01-01", false},
		{"le2024", "2024-06-01/2025-06-01", false}, // starts inside, ends after
		{"le2024", "2023-06-01/2025-06-01", true},  // lt
		{"le2024-03-05", "2024-03-05T23:00:00Z", true},
		// sa: the entry starts at or after the value's end.
		{"sa2024", "2025-01-01", true},
		{"sa2024", "2024-12-31", false},
		{"sa2024", "2025-01-01/", true},
		{"sa2024", "2024-12-01/2025-06-01", false},
		// eb: the entry ends at or before the value's start.
		{"eb2024", "2023-12-31", true},
		{"eb2024", "2024-01-01", false},
		{"eb2024", "/2023-12-31", true},
		{"eb2024", "2023-06-01/2024-01-02", false},
		{"eb2024-03-05T10:00:00Z", "2024-03-05T09:59:59Z", true},
	}
	for _, tt := range tests {
		v, e := dateValue(t, tt.value), dateEntry(t, tt.entry)
		if got := v.MatchesDate(e); got != tt.want {
			t.Errorf("%s matches %s = %v, want %v", tt.value, tt.entry, got, tt.want)
		}
	}
}

// TestMatchesDateSpec checks MatchesDate's conditions against the specification's definitions,
// transcribed literally, on every arrangement of two ranges over a small grid.
func TestMatchesDateSpec(t *testing.T) {
	at := func(i int) time.Time { return time.Date(2024, 1, 1+i, 0, 0, 0, 0, time.UTC) }
	contains := func(v Value, e Entry) bool { return !e.Low.Before(v.Low) && !e.High.After(v.High) }
	overlaps := func(lo, hi time.Time, e Entry) bool { return e.Low.Before(hi) && e.High.After(lo) }
	spec := map[Prefix]func(v Value, e Entry) bool{
		EQ: contains,
		NE: func(v Value, e Entry) bool { return !contains(v, e) },
		GT: func(v Value, e Entry) bool { return overlaps(v.High, FarFuture, e) },
		LT: func(v Value, e Entry) bool { return overlaps(FarPast, v.Low, e) },
		GE: func(v Value, e Entry) bool { return overlaps(v.High, FarFuture, e) || contains(v, e) },
		LE: func(v Value, e Entry) bool { return overlaps(FarPast, v.Low, e) || contains(v, e) },
		SA: func(v Value, e Entry) bool { return !overlaps(v.Low, v.High, e) && !e.Low.Before(v.High) },
		EB: func(v Value, e Entry) bool { return !overlaps(v.Low, v.High, e) && !e.High.After(v.Low) },
	}
	const n = 6
	for vl := range n {
		for vh := vl + 1; vh < n; vh++ {
			for el := range n {
				for eh := el + 1; eh < n; eh++ {
					e := Entry{Low: at(el), High: at(eh)}
					for p, want := range spec {
						v := Value{Prefix: p, Low: at(vl), High: at(vh)}
						if got := v.MatchesDate(e); got != want(v, e) {
							t.Errorf("%s[%d,%d) on [%d,%d) = %v, spec says %v", p, vl, vh, el, eh, got, want(v, e))
						}
					}
				}
			}
		}
	}
}

func TestMatchesInstant(t *testing.T) {
	ts := time.Date(2024, 3, 1, 9, 30, 0, 123456789, time.FixedZone("", 3600))
	tests := []struct {
		value string
		want  bool
	}{
		{"2024-03-01", true},
		{"2024-03-01T08:30:00Z", true},
		{"2024-03-01T08:30:00.123Z", true},
		{"2024-03-01T08:30:00.124Z", false},
		{"ge2024-03-01T08:30:00.123Z", true},
		{"gt2024-03-01T08:30:00.123Z", false},
		{"lt2024-03-01T08:30:00.124Z", true},
		{"lt2024-03-01T08:30:00.123Z", false},
	}
	for _, tt := range tests {
		if got := dateValue(t, tt.value).MatchesInstant(ts); got != tt.want {
			t.Errorf("%s matches %s = %v, want %v", tt.value, ts, got, tt.want)
		}
	}
}

func TestMatchesToken(t *testing.T) {
	snomed := Entry{Type: Token, System: "http://snomed.info/sct", Code: "44054006"}
	plain := Entry{Type: Token, Code: "female"}
	tests := []struct {
		value Value
		entry Entry
		want  bool
	}{
		{Value{Code: "44054006"}, snomed, true},
		{Value{Code: "44054007"}, snomed, false},
		{Value{HasSystem: true, System: "http://snomed.info/sct", Code: "44054006"}, snomed, true},
		{Value{HasSystem: true, System: "http://loinc.org", Code: "44054006"}, snomed, false},
		{Value{HasSystem: true, Code: "44054006"}, snomed, false},
		{Value{HasSystem: true, System: "http://snomed.info/sct"}, snomed, true},
		{Value{HasSystem: true, System: "http://loinc.org"}, snomed, false},
		{Value{Code: "female"}, plain, true},
		{Value{HasSystem: true, Code: "female"}, plain, true},
		{Value{Code: "Female"}, plain, false},
	}
	for _, tt := range tests {
		if got := tt.value.MatchesToken(tt.entry); got != tt.want {
			t.Errorf("%+v matches %+v = %v, want %v", tt.value, tt.entry, got, tt.want)
		}
	}
}

func TestMatchesString(t *testing.T) {
	entry := func(s string) Entry { return Entry{Type: String, Text: NormalizeString(s), Exact: s} }
	tests := []struct {
		mod   Modifier
		value string // as in the URL
		entry string // as in the resource
		want  bool
	}{
		{NoModifier, "tay", "Taylor", true},
		{NoModifier, "TAYLOR", "Taylor", true},
		{NoModifier, "aylor", "Taylor", false},
		{NoModifier, "jose", "José", true},
		{NoModifier, "José", "Jose", true},
		{NoModifier, "taylors", "Taylor", false},
		{NoModifier, "m3 5", "M3  5JZ", true},
		{Contains, "AYL", "Taylor", true},
		{Contains, "rie", "Marié", true},
		{Contains, "xyz", "Taylor", false},
		{Exact, "Taylor", "Taylor", true},
		{Exact, "taylor", "Taylor", false},
		{Exact, "José", "Jose", false},
		{Exact, "Tay", "Taylor", false},
	}
	for _, tt := range tests {
		v, reason := parseValue(byType["Patient"].byName["family"], tt.mod, tt.value)
		if reason != "" {
			t.Fatal(reason)
		}
		if got := v.MatchesString(tt.mod, entry(tt.entry)); got != tt.want {
			t.Errorf("family:%s=%s matches %q = %v, want %v", tt.mod, tt.value, tt.entry, got, tt.want)
		}
	}
}

func TestMatchesReference(t *testing.T) {
	e := Entry{Type: Reference, RefType: "Organization", RefID: "ods-P84001"}
	tests := []struct {
		value Value
		want  bool
	}{
		{Value{RefType: "Organization", RefID: "ods-P84001"}, true},
		{Value{RefID: "ods-P84001"}, true},
		{Value{RefType: "Practitioner", RefID: "ods-P84001"}, false},
		{Value{RefType: "Organization", RefID: "ods-P84002"}, false},
		{Value{RefID: "ODS-P84001"}, false},
	}
	for _, tt := range tests {
		if got := tt.value.MatchesReference(e); got != tt.want {
			t.Errorf("%+v matches %+v = %v, want %v", tt.value, e, got, tt.want)
		}
	}
}
