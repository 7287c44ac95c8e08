package search

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t, err = time.Parse("2006-01-02", s)
	}
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func mustParseQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatalf("ParseQuery(%q): %v", raw, err)
	}
	return v
}

// TestParse checks good requests through their canonical encoding (the self link) and, where
// it matters, the parsed values themselves.
func TestParse(t *testing.T) {
	tests := []struct {
		rt, query string
		want      string // Encode().Encode()
		check     func(t *testing.T, q *Query)
	}{
		// Patient: every parameter.
		{rt: "Patient", query: "", want: "_count=50"},
		{rt: "Patient", query: "identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018",
			want: "_count=50&identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9990000018",
			check: func(t *testing.T, q *Query) {
				want := Value{HasSystem: true, System: "https://fhir.nhs.uk/Id/nhs-number", Code: "9990000018"}
				if got := q.Clauses[0].Values[0]; got != want {
					t.Errorf("value = %+v, want %+v", got, want)
				}
			}},
		{rt: "Patient", query: "identifier=|9990000018", want: "_count=50&identifier=%7C9990000018",
			check: func(t *testing.T, q *Query) {
				if v := q.Clauses[0].Values[0]; !v.HasSystem || v.System != "" || v.Code != "9990000018" {
					t.Errorf("value = %+v", v)
				}
			}},
		{rt: "Patient", query: "identifier=9990000018", want: "_count=50&identifier=9990000018",
			check: func(t *testing.T, q *Query) {
				if v := q.Clauses[0].Values[0]; v.HasSystem || v.Code != "9990000018" {
					t.Errorf("value = %+v", v)
				}
			}},
		{rt: "Patient", query: "identifier=https://fhir.nhs.uk/Id/nhs-number|",
			want: "_count=50&identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C",
			check: func(t *testing.T, q *Query) {
				if v := q.Clauses[0].Values[0]; !v.HasSystem || v.System != "https://fhir.nhs.uk/Id/nhs-number" || v.Code != "" {
					t.Errorf("value = %+v", v)
				}
			}},
		{rt: "Patient", query: "family=Taylor", want: "_count=50&family=taylor"},
		{rt: "Patient", query: "family=%20%20Jos%C3%A9%20%20MAR%C3%8DA%20", want: "_count=50&family=jose+maria"},
		{rt: "Patient", query: "family:exact=Jos%C3%A9", want: "_count=50&family%3Aexact=Jos%C3%A9",
			check: func(t *testing.T, q *Query) {
				if c := q.Clauses[0]; c.Modifier != Exact || c.Values[0].Text != "José" {
					t.Errorf("clause = %+v", c)
				}
			}},
		{rt: "Patient", query: "family:contains=AYL", want: "_count=50&family%3Acontains=ayl"},
		{rt: "Patient", query: "given=amelia,rose", want: "_count=50&given=amelia%2Crose",
			check: func(t *testing.T, q *Query) {
				if len(q.Clauses) != 1 || len(q.Clauses[0].Values) != 2 {
					t.Errorf("want one clause of two values, got %+v", q.Clauses)
				}
			}},
		{rt: "Patient", query: "given=amelia&given=rose", want: "_count=50&given=amelia&given=rose",
			check: func(t *testing.T, q *Query) {
				if len(q.Clauses) != 2 {
					t.Errorf("want two clauses (AND), got %+v", q.Clauses)
				}
			}},
		{rt: "Patient", query: "name=Smith%5C,John", want: "_count=50&name=smith%5C%2Cjohn",
			check: func(t *testing.T, q *Query) {
				if vs := q.Clauses[0].Values; len(vs) != 1 || vs[0].Text != "smith,john" {
					t.Errorf("escaped comma: values = %+v", vs)
				}
			}},
		{rt: "Patient", query: `name:exact=a%5C%5Cb%5C%7Cc%5C%24d%5Cx`, want: "_count=50&name%3Aexact=a%5C%5Cb%7Cc%24d%5C%5Cx",
			check: func(t *testing.T, q *Query) {
				if got := q.Clauses[0].Values[0].Text; got != `a\b|c$d\x` {
					t.Errorf("unescaped = %q", got)
				}
			}},
		{rt: "Patient", query: "birthdate=1958-04-12", want: "_count=50&birthdate=1958-04-12",
			check: func(t *testing.T, q *Query) {
				want := Value{Prefix: EQ, Low: day("1958-04-12"), High: day("1958-04-13")}
				if got := q.Clauses[0].Values[0]; !reflect.DeepEqual(got, want) {
					t.Errorf("value = %+v, want %+v", got, want)
				}
			}},
		{rt: "Patient", query: "birthdate=eq1958", want: "_count=50&birthdate=1958"},
		{rt: "Patient", query: "birthdate=ne1958-04", want: "_count=50&birthdate=ne1958-04"},
		{rt: "Patient", query: "birthdate=gt1950&birthdate=lt1960-06", want: "_count=50&birthdate=gt1950&birthdate=lt1960-06"},
		{rt: "Patient", query: "birthdate=ge1950-01-01,le1940", want: "_count=50&birthdate=ge1950-01-01%2Cle1940"},
		{rt: "Patient", query: "birthdate=sa2000&birthdate=eb2001", want: "_count=50&birthdate=sa2000&birthdate=eb2001"},
		{rt: "Patient", query: "gender=female", want: "_count=50&gender=female"},
		{rt: "Patient", query: "address-postalcode=m3%205jz", want: "_count=50&address-postalcode=m3+5jz"},
		{rt: "Patient", query: "general-practitioner=Organization/ods-P84001", want: "_count=50&general-practitioner=Organization%2Fods-P84001"},
		{rt: "Patient", query: "general-practitioner=Practitioner/gmc-7012345,ods-P84001", want: "_count=50&general-practitioner=Practitioner%2Fgmc-7012345%2Cods-P84001",
			check: func(t *testing.T, q *Query) {
				vs := q.Clauses[0].Values
				if vs[0].RefType != "Practitioner" || vs[0].RefID != "gmc-7012345" || vs[1].RefType != "" || vs[1].RefID != "ods-P84001" {
					t.Errorf("values = %+v", vs)
				}
			}},
		{rt: "Patient", query: "general-practitioner=https://example.org/fhir/R4/Organization/ods-P84001", want: "_count=50&general-practitioner=Organization%2Fods-P84001"},
		{rt: "Patient", query: "death-date=2024-03-01T09:30:00Z", want: "_count=50&death-date=2024-03-01T09%3A30%3A00Z",
			check: func(t *testing.T, q *Query) {
				v := q.Clauses[0].Values[0]
				if !v.Low.Equal(day("2024-03-01T09:30:00Z")) || v.High.Sub(v.Low) != time.Second {
					t.Errorf("value = %+v", v)
				}
			}},
		{rt: "Patient", query: "death-date=le2024-03-01T10:30:00.25%2B01:00", want: "_count=50&death-date=le2024-03-01T09%3A30%3A00.250Z"},
		{rt: "Patient", query: "death-date=2024-03-01T09:30", want: "_count=50&death-date=2024-03-01T09%3A30Z"},
		// Practitioner, Organization.
		{rt: "Practitioner", query: "identifier=https://fhir.hl7.org.uk/Id/gmc-number|7012345&name=okafor",
			want: "_count=50&identifier=https%3A%2F%2Ffhir.hl7.org.uk%2FId%2Fgmc-number%7C7012345&name=okafor"},
		{rt: "Organization", query: "identifier=R0A&name=Manchester%20University&type=http://terminology.hl7.org/CodeSystem/organization-type|prov",
			want: "_count=50&identifier=R0A&name=manchester+university&type=http%3A%2F%2Fterminology.hl7.org%2FCodeSystem%2Forganization-type%7Cprov"},
		// Encounter.
		{rt: "Encounter", query: "patient=Patient/p1&subject=p1&date=ge2024-03&class=AMB&status=finished,cancelled&_sort=-date",
			want: "_count=50&_sort=-date&class=AMB&date=ge2024-03&patient=Patient%2Fp1&status=finished%2Ccancelled&subject=p1"},
		// Condition.
		{rt: "Condition", query: "patient=p1&subject=Patient/p1&code=http://snomed.info/sct|44054006&clinical-status=active&onset-date=lt2017",
			want: "_count=50&clinical-status=active&code=http%3A%2F%2Fsnomed.info%2Fsct%7C44054006&onset-date=lt2017&patient=p1&subject=Patient%2Fp1"},
		// Observation.
		{rt: "Observation", query: "patient=p1&subject=p1&code=http://loinc.org|4548-4&category=laboratory&date=ge2024-01-01&date=lt2024-07-01&status=final&_sort=-date,_lastUpdated",
			want: "_count=50&_sort=-date%2C_lastUpdated&category=laboratory&code=http%3A%2F%2Floinc.org%7C4548-4&date=ge2024-01-01&date=lt2024-07-01&patient=p1&status=final&subject=p1"},
		// MedicationRequest.
		{rt: "MedicationRequest", query: "patient=p1&subject=p1&status=active&authoredon=2024-01&code=https://dmd.nhs.uk|39113611000001102&_sort=authoredon",
			want: "_count=50&_sort=authoredon&authoredon=2024-01&code=https%3A%2F%2Fdmd.nhs.uk%7C39113611000001102&patient=p1&status=active&subject=p1"},
		// AllergyIntolerance.
		{rt: "AllergyIntolerance", query: "patient=Patient/p1&clinical-status=active&code=764146007",
			want: "_count=50&clinical-status=active&code=764146007&patient=Patient%2Fp1"},
		// Immunization.
		{rt: "Immunization", query: "patient=p1&date=2020&vaccine-code=http://snomed.info/sct|38598009&_sort=-date",
			want: "_count=50&_sort=-date&date=2020&patient=p1&vaccine-code=http%3A%2F%2Fsnomed.info%2Fsct%7C38598009"},
		// The common parameters.
		{rt: "Patient", query: "_id=a,b.c,a", want: "_count=50&_id=a%2Cb.c",
			check: func(t *testing.T, q *Query) {
				if !reflect.DeepEqual(q.IDs, []string{"a", "b.c"}) {
					t.Errorf("IDs = %v", q.IDs)
				}
			}},
		{rt: "Patient", query: "_lastUpdated=ge2024-01-01&_lastUpdated=lt2024-02-01T00:00:00Z",
			want: "_count=50&_lastUpdated=ge2024-01-01&_lastUpdated=lt2024-02-01T00%3A00%3A00Z"},
		{rt: "Patient", query: "_count=0", want: "_count=0"},
		{rt: "Patient", query: "_count=10", want: "_count=10"},
		{rt: "Patient", query: "_count=5000", want: "_count=1000"},
		{rt: "Patient", query: "_count=99999999999999999999999", want: "_count=1000"},
		{rt: "Patient", query: "_sort=birthdate,-_lastUpdated", want: "_count=50&_sort=birthdate%2C-_lastUpdated",
			check: func(t *testing.T, q *Query) {
				want := []SortKey{{Param: "birthdate"}, {Param: "_lastUpdated", Descending: true}}
				if !reflect.DeepEqual(q.Sort, want) {
					t.Errorf("Sort = %+v", q.Sort)
				}
			}},
		{rt: "Practitioner", query: "_sort=-_lastUpdated", want: "_count=50&_sort=-_lastUpdated"},
		{rt: "Patient", query: "_summary=count", want: "_count=50&_summary=count"},
		{rt: "Patient", query: "_summary=false", want: "_count=50"},
		{rt: "Patient", query: "_total=accurate", want: "_count=50&_total=accurate"},
		{rt: "Patient", query: "_total=none&_cursor=eyJrIjoiMTIzIn0", want: "_count=50&_total=none",
			check: func(t *testing.T, q *Query) {
				if q.Cursor != "eyJrIjoiMTIzIn0" {
					t.Errorf("Cursor = %q", q.Cursor)
				}
			}},
		{rt: "Patient", query: "_format=json&_format=&family=x", want: "_count=50&family=x",
			check: func(t *testing.T, q *Query) {
				if len(q.Ignored) != 0 {
					t.Errorf("Ignored = %v, want none (_format is understood)", q.Ignored)
				}
			}},
		// Unknown parameters, leniently.
		{rt: "Patient", query: "_include=Patient:general-practitioner&foo=1&_elements=&foo=2&family=x&bar:baz=3",
			want: "_count=50&family=x",
			check: func(t *testing.T, q *Query) {
				if want := []string{"_elements", "_include", "bar:baz", "foo"}; !reflect.DeepEqual(q.Ignored, want) {
					t.Errorf("Ignored = %v, want %v", q.Ignored, want)
				}
			}},
		{rt: "Observation", query: "family=x", want: "_count=50",
			check: func(t *testing.T, q *Query) {
				if !reflect.DeepEqual(q.Ignored, []string{"family"}) {
					t.Errorf("Ignored = %v", q.Ignored)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.rt+"?"+tt.query, func(t *testing.T) {
			q, err := Parse(tt.rt, mustParseQuery(t, tt.query), false)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := q.Encode().Encode(); got != tt.want {
				t.Errorf("Encode() = %s\n                want %s", got, tt.want)
			}
			if tt.check != nil {
				tt.check(t, q)
			}
			assertRoundTrip(t, q)
		})
	}
}

// assertRoundTrip checks that Parse(q.Encode()) gives q again (less the cursor and ignored
// parameters, which Encode leaves out).
func assertRoundTrip(t *testing.T, q *Query) {
	t.Helper()
	enc := q.Encode()
	q2, err := Parse(q.ResourceType, enc, true)
	if err != nil {
		t.Fatalf("re-parsing %s: %v", enc.Encode(), err)
	}
	want := *q
	want.Cursor, want.Ignored = "", nil
	if !reflect.DeepEqual(q2, &want) {
		t.Errorf("round trip through %s:\n got %+v\nwant %+v", enc.Encode(), q2, &want)
	}
}

// TestParseEveryParameter parses the example value of every parameter of every resource type,
// with and without strict handling.
func TestParseEveryParameter(t *testing.T) {
	for _, rt := range ResourceTypes() {
		rd := byType[rt]
		for _, cd := range rd.list {
			for _, strict := range []bool{false, true} {
				q, err := Parse(rt, url.Values{cd.Name: {cd.example}}, strict)
				if err != nil {
					t.Errorf("%s?%s=%s: %v", rt, cd.Name, cd.example, err)
					continue
				}
				if len(q.Clauses) != 1 || q.Clauses[0].Def.Name != cd.Name || len(q.Clauses[0].Values) != 1 {
					t.Errorf("%s?%s=%s: clauses = %+v", rt, cd.Name, cd.example, q.Clauses)
				}
				assertRoundTrip(t, q)
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		rt, query    string
		strict       bool
		param        string
		want         []string // substrings of the diagnostics
		notSupported bool
	}{
		{rt: "Bundle", query: "", want: []string{`"Bundle"`, "Patient, Practitioner"}, notSupported: true},
		{rt: "Patient", query: "birthdate=2024-13-01", param: "birthdate",
			want: []string{`invalid date "2024-13-01" in birthdate: the month must be 01-12`, "ge1950-01-01"}},
		{rt: "Patient", query: "birthdate=2024-02-30", param: "birthdate", want: []string{"the day must be 01-29 in 2024-02"}},
		{rt: "Patient", query: "birthdate=2023-02-29", param: "birthdate", want: []string{"the day must be 01-28"}},
		{rt: "Patient", query: "birthdate=0000", param: "birthdate", want: []string{"0001-9999"}},
		{rt: "Patient", query: "birthdate=24-01-01", param: "birthdate", want: []string{"year must be 4 digits"}},
		{rt: "Patient", query: "birthdate=2024-1", param: "birthdate", want: []string{"month must be 2 digits"}},
		{rt: "Patient", query: "birthdate=2024-01-01T25:00:00Z", param: "birthdate", want: []string{"hour must be 00-23"}},
		{rt: "Patient", query: "birthdate=2024-01-01T10:61Z", param: "birthdate", want: []string{"minutes must be 00-59"}},
		{rt: "Patient", query: "birthdate=2024-01-01T10:00:00%2B15:00", param: "birthdate", want: []string{"zone offset"}},
		{rt: "Patient", query: "birthdate=2024-01-01T10:00:00X", param: "birthdate", want: []string{`unexpected "X"`}},
		{rt: "Patient", query: "birthdate=2024-01-01T10", param: "birthdate", want: []string{"hh:mm"}},
		{rt: "Patient", query: "birthdate=2024-01-01T10:00:00.Z", param: "birthdate", want: []string{"fraction"}},
		{rt: "Patient", query: "birthdate=xx2020", param: "birthdate", want: []string{`unknown prefix "xx"`, "eq, ne, gt"}},
		{rt: "Patient", query: "birthdate=GE2020", param: "birthdate", want: []string{`unknown prefix "GE"`}},
		{rt: "Patient", query: "birthdate=ge", param: "birthdate", want: []string{"a date must follow the prefix"}},
		{rt: "Patient", query: "birthdate=2020,", param: "birthdate", want: []string{"birthdate=2020, has an empty item"}},
		{rt: "Patient", query: "family:exact=a,,b", param: "family:exact", want: []string{"empty item"}},
		{rt: "Patient", query: "_count=abc", param: "_count", want: []string{`invalid _count "abc"`, "_count=50"}},
		{rt: "Patient", query: "_count=-1", param: "_count", want: []string{"0 or more"}},
		{rt: "Patient", query: "_count=1.5", param: "_count", want: []string{"whole number"}},
		{rt: "Patient", query: "_count=%2B5", param: "_count", want: []string{"whole number"}},
		{rt: "Patient", query: "_count=1&_count=2", param: "_count", want: []string{"given 2 times"}},
		{rt: "Patient", query: "family:foo=x", param: "family:foo", want: []string{`":foo" is not supported on family`, ":exact and :contains"}, notSupported: true},
		{rt: "Patient", query: "family:missing=true", param: "family:missing", notSupported: true},
		{rt: "Patient", query: "family:=x", param: "family:", notSupported: true},
		{rt: "Patient", query: "gender:exact=female", param: "gender:exact", want: []string{"a token parameter", "gender=female"}, notSupported: true},
		{rt: "Patient", query: "gender:text=female", param: "gender:text", notSupported: true},
		{rt: "Patient", query: "general-practitioner:Organization=ods-1", param: "general-practitioner:Organization",
			want: []string{"general-practitioner=Organization/ID"}, notSupported: true},
		{rt: "Patient", query: "birthdate:missing=true", param: "birthdate:missing", notSupported: true},
		{rt: "Patient", query: "_id:exact=a", param: "_id:exact", notSupported: true},
		{rt: "Patient", query: "family=", param: "family", want: []string{"empty value", "family=taylor"}},
		{rt: "Patient", query: "family=%20%20", param: "family", want: []string{"blank"}},
		{rt: "Patient", query: "gender=", param: "gender", want: []string{"empty value"}},
		{rt: "Patient", query: "_id=", param: "_id", want: []string{"empty value"}},
		{rt: "Patient", query: "_sort=", param: "_sort", want: []string{"empty value"}},
		{rt: "Patient", query: "identifier=|", param: "identifier", want: []string{"give a code"}},
		{rt: "Patient", query: "foo=1", strict: true, param: "foo", want: []string{`"foo"`, "Patient", "identifier, family, given"}, notSupported: true},
		{rt: "Patient", query: "_include=Patient:general-practitioner", strict: true, param: "_include", notSupported: true},
		{rt: "Patient", query: "_elements=id", strict: true, param: "_elements", notSupported: true},
		{rt: "Patient", query: "_sort=family", param: "_sort", want: []string{`invalid _sort key "family"`, "birthdate"}},
		{rt: "Practitioner", query: "_sort=birthdate", param: "_sort", want: []string{"_lastUpdated"}},
		{rt: "Patient", query: "_sort=birthdate,-birthdate", param: "_sort", want: []string{"twice"}},
		{rt: "Patient", query: "_sort=birthdate,", param: "_sort", want: []string{`""`}},
		{rt: "Patient", query: "_summary=true", param: "_summary", notSupported: true},
		{rt: "Patient", query: "_summary=bogus", param: "_summary", want: []string{`invalid _summary "bogus"`}},
		{rt: "Patient", query: "_total=all", param: "_total", want: []string{"none, estimate or accurate"}},
		{rt: "Patient", query: "_cursor=" + strings.Repeat("a", 513), param: "_cursor", want: []string{"513"}},
		{rt: "Patient", query: "_lastUpdated=ge2024,lt2025", param: "_lastUpdated", want: []string{"one date per occurrence"}},
		{rt: "Patient", query: "_lastUpdated=2024-99", param: "_lastUpdated", want: []string{"month must be 01-12"}},
		{rt: "Patient", query: "_id=a_b", param: "_id", want: []string{`invalid id "a_b"`}},
		{rt: "Patient", query: "_id=" + strings.Repeat("a", 65), param: "_id"},
		{rt: "Patient", query: "_id=a&_id=b", param: "_id", want: []string{"once"}},
		{rt: "Patient", query: "general-practitioner=Patient/1", param: "general-practitioner",
			want: []string{"one of Organization, Practitioner", `"Patient"`, "Organization/ods-P84001"}},
		{rt: "Observation", query: "patient=Group/1", param: "patient", want: []string{"must refer to a Patient"}},
		{rt: "Observation", query: "patient=Patient/a_b", param: "patient", want: []string{`"a_b" is not a valid id`}},
		{rt: "Observation", query: "patient=a%20b", param: "patient", want: []string{"1-64 characters"}},
		{rt: "Patient", query: "_sort=bogus", param: "_sort", want: []string{"e.g. _sort=-birthdate"}},
		{rt: "Observation", query: "patient=Patient/1/_history/2", param: "patient", want: []string{"Type/ID"}},
		{rt: "Observation", query: "patient=urn:uuid:1234", param: "patient"},
		{rt: "Observation", query: "patient=ftp://x/y/z/Patient/1", param: "patient"},
		{rt: "Observation", query: "patient=Patient/", param: "patient"},
	}
	for _, tt := range tests {
		t.Run(tt.rt+"?"+tt.query, func(t *testing.T) {
			q, err := Parse(tt.rt, mustParseQuery(t, tt.query), tt.strict)
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", q)
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not *Error: %v", err, err)
			}
			t.Log(se.Error())
			if se.Param != tt.param {
				t.Errorf("Param = %q, want %q", se.Param, tt.param)
			}
			if se.NotSupported != tt.notSupported {
				t.Errorf("NotSupported = %v, want %v", se.NotSupported, tt.notSupported)
			}
			for _, w := range tt.want {
				if !strings.Contains(se.Error(), w) {
					t.Errorf("diagnostics %q do not contain %q", se.Error(), w)
				}
			}
		})
	}
}

// TestParseDeterministic checks that clauses come in a stable order whatever the map order.
func TestParseDeterministic(t *testing.T) {
	params := mustParseQuery(t, "given=b&family=a&name=c&family:exact=A&birthdate=2000")
	first, err := Parse("Patient", params, false)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		q, _ := Parse("Patient", params, false)
		if !reflect.DeepEqual(q, first) {
			t.Fatalf("Parse is not deterministic: %+v vs %+v", q, first)
		}
	}
	var names []string
	for _, c := range first.Clauses {
		names = append(names, c.Def.Name+":"+string(c.Modifier))
	}
	if want := "birthdate: family: family:exact given: name:"; strings.Join(names, " ") != want {
		t.Errorf("clause order = %v, want %s", names, want)
	}
}
