package search

import (
	"strings"
	"testing"
	"time"
)

func TestNormalizeString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"taylor", "taylor"},
		{"Taylor", "taylor"},
		{"  O'Brien   SMITH\t\n", "o'brien smith"},
		{"José María", "jose maria"},
		{"  JOSÉ\u00a0MARÍA ", "jose maria"}, // no-break space is whitespace
		{"Zoë Brontë", "zoe bronte"},
		{"Ångström", "angstrom"},
		{"Jose\u0301", "jose"},           // decomposed accent
		{"Łukasz Øster", "łukasz øster"}, // no canonical decomposition: kept
		{"İstanbul", "istanbul"},         // dotted capital I lowers to i + combining dot
		{"Straße", "straße"},
		{"M3 5JZ", "m3 5jz"},
		{"\u0301", ""},
		{"a\xffb", "a\ufffdb"}, // invalid UTF-8 is replaced, never kept
	}
	for _, tt := range tests {
		got := NormalizeString(tt.in)
		if got != tt.want {
			t.Errorf("NormalizeString(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := NormalizeString(got); again != got {
			t.Errorf("NormalizeString is not idempotent on %q: %q then %q", tt.in, got, again)
		}
	}
}

func TestParseDateRange(t *testing.T) {
	tests := []struct {
		in        string
		low, high string // RFC 3339, UTC
	}{
		{"2024", "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"},
		{"2024-02", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"},
		{"2024-12", "2024-12-01T00:00:00Z", "2025-01-01T00:00:00Z"},
		{"2024-02-29", "2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z"},
		{"2024-03-01T09:30", "2024-03-01T09:30:00Z", "2024-03-01T09:31:00Z"},
		{"2024-03-01T09:30Z", "2024-03-01T09:30:00Z", "2024-03-01T09:31:00Z"},
		{"2024-03-01T09:30:00Z", "2024-03-01T09:30:00Z", "2024-03-01T09:30:01Z"},
		{"2024-03-01T09:30:00", "2024-03-01T09:30:00Z", "2024-03-01T09:30:01Z"},
		{"2024-03-01T09:30:00+01:00", "2024-03-01T08:30:00Z", "2024-03-01T08:30:01Z"},
		{"2024-03-01T00:30:00-05:30", "2024-03-01T06:00:00Z", "2024-03-01T06:00:01Z"},
		{"2024-03-01T09:30:00.5Z", "2024-03-01T09:30:00.5Z", "2024-03-01T09:30:00.501Z"},
		{"2024-03-01T09:30:00.123456789Z", "2024-03-01T09:30:00.123Z", "2024-03-01T09:30:00.124Z"},
		{"2016-12-31T23:59:60Z", "2017-01-01T00:00:00Z", "2017-01-01T00:00:01Z"},
		{"0001", "0001-01-01T00:00:00Z", "0002-01-01T00:00:00Z"},
		{"9999", "9999-01-01T00:00:00Z", "10000-01-01T00:00:00Z"},
		{"9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z", "10000-01-01T00:00:00Z"},
		{"2024-01-01T00:00:00+14:00", "2023-12-31T10:00:00Z", "2023-12-31T10:00:01Z"},
	}
	for _, tt := range tests {
		low, high, err := ParseDateRange(tt.in)
		if err != nil {
			t.Errorf("ParseDateRange(%q): %v", tt.in, err)
			continue
		}
		if got := low.Format(time.RFC3339Nano); got != tt.low {
			t.Errorf("ParseDateRange(%q) low = %s, want %s", tt.in, got, tt.low)
		}
		if got := high.Format(time.RFC3339Nano); got != tt.high {
			t.Errorf("ParseDateRange(%q) high = %s, want %s", tt.in, got, tt.high)
		}
		if low.Location() != time.UTC || high.Location() != time.UTC {
			t.Errorf("ParseDateRange(%q) is not in UTC", tt.in)
		}
		// formatDate writes the range back as a value that parses to the same range.
		l2, h2, err := ParseDateRange(formatDate(low, high))
		if err != nil || !l2.Equal(low) || !h2.Equal(high) {
			t.Errorf("formatDate(ParseDateRange(%q)) = %q does not round-trip", tt.in, formatDate(low, high))
		}
	}

	bad := []struct{ in, want string }{
		{"", "empty"},
		{"2024-13", "month must be 01-12"},
		{"2024-00", "month must be 01-12"},
		{"2024-02-30", "day must be 01-29"},
		{"2023-02-29", "day must be 01-28"},
		{"2024-04-31", "day must be 01-30"},
		{"2024-01-00", "day must be 01-31"},
		{"0000", "year must be 0001-9999"},
		{"20245", "year must be 4 digits"},
		{"2024/01", "year must be 4 digits"},
		{"2024-01-01 10:00", "a time follows a 'T'"},
		{"2024-01-01T24:00:00Z", "hour must be 00-23"},
		{"2024-01-01T10:00:61Z", "seconds must be 00-59"},
		{"2024-01-01T10:00:0Z", "seconds must be 2 digits"},
		{"2024-01-01T10:00:00+1:00", "zone must be"},
		{"2024-01-01T10:00:00+14:30", "zone offset"},
		{"2024-01-01T10:00:00z", `unexpected "z"`},
		{"2024-01-01T", "hh:mm"},
		{"0001-01-01T00:00:00+01:00", "0001-9999"},
		{"9999-12-31T23:59:59-01:00", "0001-9999"},
		{"２０２４", "4 digits"},
	}
	for _, tt := range bad {
		_, _, err := ParseDateRange(tt.in)
		if err == nil {
			t.Errorf("ParseDateRange(%q) succeeded, want an error", tt.in)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.in) {
			t.Errorf("ParseDateRange(%q) error %q does not name the value and say %q", tt.in, err, tt.want)
		}
	}
}
