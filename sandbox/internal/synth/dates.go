package synth

// Dates are handled as day numbers (days since 1970-01-01, proleptic Gregorian, UTC) and
// minutes after midnight: cheap integer arithmetic, formatted by hand.

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// daysFromCivil returns the day number of y-m-d (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civil returns the calendar date of day number z.
func civil(z int) (y, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// addYears moves a day by whole years, mapping 29 February to 28 February in common years.
func addYears(day, n int) int {
	y, m, d := civil(day)
	y += n
	if m == 2 && d == 29 && !isLeap(y) {
		d = 28
	}
	return daysFromCivil(y, m, d)
}

// addMonths moves a day by whole months, clamping the day of month.
func addMonths(day, n int) int {
	y, m, d := civil(day)
	t := y*12 + (m - 1) + n
	y, m = floorDiv(t, 12), t-floorDiv(t, 12)*12+1
	if dm := daysInMonth(y, m); d > dm {
		d = dm
	}
	return daysFromCivil(y, m, d)
}

func daysInMonth(y, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// ageOn returns the age in completed years on day of someone born on birth.
func ageOn(birth, day int) int {
	by, bm, bd := civil(birth)
	y, m, d := civil(day)
	a := y - by
	if m < bm || (m == bm && d < bd) {
		a--
	}
	return a
}

// yearOf returns the calendar year of a day.
func yearOf(day int) int { y, _, _ := civil(day); return y }

func append2(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }

func append4(b []byte, v int) []byte {
	return append(b, byte('0'+v/1000), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

// appendDate appends a FHIR date (YYYY-MM-DD).
func appendDate(b []byte, day int) []byte {
	y, m, d := civil(day)
	b = append4(b, y)
	b = append(b, '-')
	b = append2(b, m)
	b = append(b, '-')
	return append2(b, d)
}

// appendDateTime appends a FHIR dateTime in UTC (YYYY-MM-DDThh:mm:00Z).
func appendDateTime(b []byte, day, minute int) []byte {
	b = appendDate(b, day)
	b = append(b, 'T')
	b = append2(b, minute/60%24)
	b = append(b, ':')
	b = append2(b, minute%60)
	return append(b, ":00Z"...)
}

// dateString formats a day as YYYY-MM-DD.
func dateString(day int) string { return string(appendDate(nil, day)) }
