package search

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NormalizeString returns s as string search compares it: lower-cased, with accents and other
// diacritics removed (canonical decomposition, then combining marks dropped), inner runs of
// whitespace collapsed to one space, and trimmed. "  José  MARÍA " becomes "jose maria".
//
// FHIR's default string search is a case- and accent-insensitive prefix match on normalised
// values, ":contains" a substring match on them, and ":exact" compares the values as they stand.
// NormalizeString is idempotent.
func NormalizeString(s string) string {
	if isASCII(s) {
		return normalizeASCII(s)
	}
	s = strings.ToLower(s) // also replaces invalid UTF-8 with U+FFFD
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(norm.NFC.String(b.String())), " ")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// normalizeASCII is NormalizeString for ASCII input, in one pass and at most one allocation.
func normalizeASCII(s string) string {
	clean := true // already lower-case, trimmed and single-spaced?
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
			clean = false
		case isASCIISpace(c):
			if c != ' ' || i == 0 || i == len(s)-1 || s[i+1] == ' ' {
				clean = false
			}
		}
		if !clean {
			break
		}
	}
	if clean {
		return s
	}
	b := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isASCIISpace(c) {
			space = len(b) > 0
			continue
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// FarPast and FarFuture bound the ranges of the package: every range from ParseDateRange lies
// within [FarPast, FarFuture]. A Period without a start indexes from FarPast, one without an end
// (ongoing) up to FarFuture. Both are whole milliseconds, so they survive a UnixMilli round trip.
var (
	FarPast   = time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)     // the start of year 0001
	FarFuture = time.Date(10000, time.January, 1, 0, 0, 0, 0, time.UTC) // the end of year 9999
)

// dateHelp is the advice appended to every date error.
const dateHelp = "use YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss with a zone (Z or +01:00)"

// ParseDateRange parses a FHIR date, dateTime or instant of any precision and returns the range
// it implicitly covers, [low, high), in UTC: "2024" is [2024-01-01, 2025-01-01), "2024-03" all
// of March, "2024-03-01T09:30Z" one minute, "2024-03-01T09:30:00Z" one second. Accepted forms:
// YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DDThh:mm and YYYY-MM-DDThh:mm:ss[.fff], the two time forms
// with an optional zone (Z, +hh:mm or -hh:mm); without a zone the time is taken as UTC.
// Fractional seconds are kept to the millisecond and cover one millisecond, so every bound is a
// whole millisecond. Impossible dates (2024-02-30, month 13, hour 24) are errors.
func ParseDateRange(s string) (low, high time.Time, err error) {
	low, high, reason := parseDate(s)
	if reason != "" {
		return time.Time{}, time.Time{}, fmt.Errorf("invalid date %q: %s; %s", s, reason, dateHelp)
	}
	return low, high, nil
}

// parseDate is ParseDateRange with the reason for a failure, "" on success.
func parseDate(s string) (low, high time.Time, reason string) {
	num := func(i, n int) (int, bool) { // the n digits at s[i:]
		if i+n > len(s) {
			return 0, false
		}
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	sep := func(i int, c byte) bool { return i < len(s) && s[i] == c }

	if s == "" {
		return low, high, "the date is empty"
	}
	year, ok := num(0, 4)
	if !ok || (len(s) > 4 && s[4] != '-') {
		return low, high, "the year must be 4 digits"
	}
	if year == 0 {
		return low, high, "the year must be 0001-9999"
	}
	if len(s) == 4 {
		low = time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC)
		return low, low.AddDate(1, 0, 0), ""
	}
	month, ok := num(5, 2)
	if !ok || (len(s) > 7 && s[7] != '-') {
		return low, high, "the month must be 2 digits"
	}
	if month < 1 || month > 12 {
		return low, high, "the month must be 01-12"
	}
	if len(s) == 7 {
		low = time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC)
		return low, low.AddDate(0, 1, 0), ""
	}
	day, ok := num(8, 2)
	if !ok || (len(s) > 10 && s[10] != 'T') {
		return low, high, "the day must be 2 digits (a time follows a 'T')"
	}
	if last := daysIn(year, month); day < 1 || day > last {
		return low, high, fmt.Sprintf("the day must be 01-%02d in %04d-%02d", last, year, month)
	}
	if len(s) == 10 {
		low = time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
		return low, low.AddDate(0, 0, 1), ""
	}

	// The time: hh:mm[:ss[.fff]] then an optional zone.
	hour, ok1 := num(11, 2)
	minute, ok2 := num(14, 2)
	if !ok1 || !ok2 || !sep(13, ':') {
		return low, high, "the time must be hh:mm or hh:mm:ss"
	}
	if hour > 23 {
		return low, high, "the hour must be 00-23"
	}
	if minute > 59 {
		return low, high, "the minutes must be 00-59"
	}
	i, width := 16, time.Minute
	second, nsec := 0, 0
	if sep(i, ':') {
		if second, ok = num(i+1, 2); !ok {
			return low, high, "the seconds must be 2 digits"
		}
		if second > 60 { // 60: a leap second, as FHIR's dateTime allows
			return low, high, "the seconds must be 00-59"
		}
		i, width = i+3, time.Second
		if sep(i, '.') {
			i++
			start := i
			for i < len(s) && '0' <= s[i] && s[i] <= '9' {
				if i-start < 3 {
					nsec = nsec*10 + int(s[i]-'0')
				}
				i++
			}
			if i == start {
				return low, high, "a '.' must be followed by the fraction of a second"
			}
			for n := i - start; n < 3; n++ {
				nsec *= 10
			}
			nsec *= int(time.Millisecond)
			width = time.Millisecond
		}
	}
	var offset time.Duration
	switch {
	case i == len(s):
	case s[i] == 'Z' && i+1 == len(s):
	case (s[i] == '+' || s[i] == '-') && i+6 == len(s) && s[i+3] == ':':
		oh, ok1 := num(i+1, 2)
		om, ok2 := num(i+4, 2)
		if !ok1 || !ok2 || oh > 14 || om > 59 || (oh == 14 && om > 0) {
			return low, high, "the zone offset must be between -14:00 and +14:00"
		}
		offset = time.Duration(oh)*time.Hour + time.Duration(om)*time.Minute
		if s[i] == '-' {
			offset = -offset
		}
	default:
		return low, high, fmt.Sprintf("unexpected %q after the time; the zone must be Z, +hh:mm or -hh:mm", s[i:])
	}
	low = time.Date(year, time.Month(month), day, hour, minute, second, nsec, time.UTC).Add(-offset)
	if low.Before(FarPast) || low.Add(width).After(FarFuture) {
		return time.Time{}, time.Time{}, "the date must be within the years 0001-9999"
	}
	return low, low.Add(width), ""
}

// daysIn returns the number of days in the month of the year.
func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// formatDate writes the range [low, high) back as the FHIR value it was parsed from (in UTC),
// at the precision its width shows. A range of no standard width is written as its low bound
// to the millisecond.
func formatDate(low, high time.Time) string {
	low, high = low.UTC(), high.UTC()
	midnight := low.Hour() == 0 && low.Minute() == 0 && low.Second() == 0 && low.Nanosecond() == 0
	switch {
	case midnight && low.YearDay() == 1 && high.Equal(low.AddDate(1, 0, 0)):
		return low.Format("2006")
	case midnight && low.Day() == 1 && high.Equal(low.AddDate(0, 1, 0)):
		return low.Format("2006-01")
	case midnight && high.Equal(low.AddDate(0, 0, 1)):
		return low.Format("2006-01-02")
	case low.Second() == 0 && low.Nanosecond() == 0 && high.Sub(low) == time.Minute:
		return low.Format("2006-01-02T15:04Z07:00")
	case low.Nanosecond() == 0 && high.Sub(low) == time.Second:
		return low.Format("2006-01-02T15:04:05Z07:00")
	}
	return low.Format("2006-01-02T15:04:05.000Z07:00")
}
