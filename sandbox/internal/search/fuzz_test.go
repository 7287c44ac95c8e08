package search

import (
	"errors"
	"net/url"
	"reflect"
	"testing"
)

// FuzzParse parses arbitrary query strings for a few resource types, strictly and leniently.
// Parse must never panic, must fail only with an *Error, and a query it accepts must survive the
// round trip through its self link (Encode) unchanged.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"",
		"identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018&family=Taylor&_count=10",
		"family:exact=Jos%C3%A9&given:contains=ROSE,amelia&name=a%5C,b",
		"birthdate=ge1950-01-01&birthdate=lt1960-06&death-date=2024-03-01T09:30:00%2B01:00",
		"general-practitioner=Organization/ods-P84001,https://x.org/fhir/Practitioner/p1,p2",
		"_id=a,b&_lastUpdated=gt2024-01-01T00:00:00.5Z&_sort=-birthdate,_lastUpdated&_summary=count&_total=accurate&_cursor=abc",
		"date=sa2024&date=eb2025-01&code=http://loinc.org|4548-4&category=|laboratory&status=final&patient=p1",
		"_include=Patient:x&foo:bar=1&_format=json&_count=5000",
		"identifier=a%5C|b|c%5C%5C&name:exact=%5C",
		"birthdate=2016-12-31T23:59:60Z&birthdate=9999&birthdate=0001-01-01T00:00:00.999999Z",
	} {
		f.Add(s)
	}
	types := []string{"Patient", "Observation", "Encounter"}
	f.Fuzz(func(t *testing.T, raw string) {
		params, _ := url.ParseQuery(raw) // keep what parsed, as a server would reject the rest
		for _, rt := range types {
			for _, strict := range []bool{false, true} {
				q, err := Parse(rt, params, strict)
				if err != nil {
					var se *Error
					if !errors.As(err, &se) || se.Diagnostics == "" {
						t.Fatalf("Parse(%s, %q) error %T %v is not a *Error with diagnostics", rt, raw, err, err)
					}
					continue
				}
				if q.Count < 0 || q.Count > MaxCount {
					t.Fatalf("Count = %d", q.Count)
				}
				enc := q.Encode()
				q2, err := Parse(rt, enc, true)
				if err != nil {
					t.Fatalf("Parse(%s, %q) = %+v; its encoding %q does not parse: %v", rt, raw, q, enc.Encode(), err)
				}
				want := *q
				want.Cursor, want.Ignored = "", nil
				if !reflect.DeepEqual(q2, &want) {
					t.Fatalf("round trip of %q through %q:\n got %+v\nwant %+v", raw, enc.Encode(), q2, &want)
				}
			}
		}
	})
}

// FuzzExtract extracts index entries from arbitrary bytes as every resource type. It must never
// panic, and every entry it returns must be well formed.
func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		patientJSON, patient2JSON, practitionerJSON, organizationJSON, encounterJSON, conditionJSON,
		observationJSON, observation2JSON, medicationRequestJSON, allergyJSON, immunizationJSON,
		`{"name":[null,3,{"family":["x"]}],"identifier":"x","period":{"start":"2024","end":"2023"}}`,
		`{"subject":{"reference":"https://a/b/Patient/1/_history/2"},"effectivePeriod":{"end":"2024-02-29T23:59:60+14:00"}}`,
		`[]`, `null`, `{"resourceType":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, rt := range ResourceTypes() {
			entries, err := Extract(rt, data)
			if err != nil {
				continue
			}
			for _, e := range entries {
				d, ok := Lookup(rt, e.Param)
				if !ok || d.Type != e.Type {
					t.Fatalf("%s: entry %+v is not of a parameter of the type", rt, e)
				}
				switch e.Type {
				case Token:
					if e.Code == "" {
						t.Fatalf("%s: token entry without a code: %+v", rt, e)
					}
				case String:
					if e.Exact == "" || NormalizeString(e.Exact) != e.Text {
						t.Fatalf("%s: bad string entry %+v", rt, e)
					}
				case Date:
					if !e.Low.Before(e.High) || e.Low.Before(FarPast) || e.High.After(FarFuture) {
						t.Fatalf("%s: bad date range %+v", rt, e)
					}
				case Reference:
					if e.RefType == "" || !validID(e.RefID) {
						t.Fatalf("%s: bad reference %+v", rt, e)
					}
				}
			}
		}
	})
}

// FuzzNormalizeString checks that NormalizeString is idempotent, so that a normalised value
// searched for and a normalised value indexed always compare alike.
func FuzzNormalizeString(f *testing.F) {
	for _, s := range []string{"José  MARÍA", "İstanbul", "ᾼ", "a\u0301\u0BC6\u0BBE", "\xff", "Ǆ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeString(s)
		if again := NormalizeString(n); again != n {
			t.Fatalf("NormalizeString(%q) = %q, then %q", s, n, again)
		}
	})
}

// FuzzParseDateRange checks that every accepted date is a non-empty range within bounds, that
// formatDate writes it back as a value of the same range, and that failures are errors.
func FuzzParseDateRange(f *testing.F) {
	for _, s := range []string{"2024", "2024-02", "2024-02-29", "2024-03-01T09:30", "2024-03-01T09:30:00.5+01:00", "9999-12-31T23:59:60Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		low, high, err := ParseDateRange(s)
		if err != nil {
			return
		}
		if !low.Before(high) || low.Before(FarPast) || high.After(FarFuture) {
			t.Fatalf("ParseDateRange(%q) = [%v, %v)", s, low, high)
		}
		w := formatDate(low, high)
		l2, h2, err := ParseDateRange(w)
		if err != nil || !l2.Equal(low) || !h2.Equal(high) {
			t.Fatalf("ParseDateRange(%q) = [%v, %v), written %q, read back [%v, %v) %v", s, low, high, w, l2, h2, err)
		}
	})
}
