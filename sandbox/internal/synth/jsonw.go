package synth

import "strconv"

// jw is a small append-only JSON writer. Resources are written directly as bytes: encoding
// the generated api structs with encoding/json costs about 2.5µs per resource (measured), which
// alone would cap generation near 13,000 patients/s/core; this writer is several times faster.
// Elements are written in FHIR's documented order with resourceType first. Tests decode every
// resource into its api type and validate it against the contract, so the writer cannot drift
// from the schema unnoticed.
type jw struct {
	b   []byte
	pid string // the patient whose record is being written, for local ids
}

// sep writes a comma unless the previous byte opened an object or array.
func (w *jw) sep() {
	if n := len(w.b); n > 0 {
		if c := w.b[n-1]; c != '{' && c != '[' && c != ':' {
			w.b = append(w.b, ',')
		}
	}
}

func (w *jw) key(k string) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
}

func (w *jw) quote(s string) {
	w.b = append(w.b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		w.b = append(w.b, s[start:i]...)
		switch c {
		case '"', '\\':
			w.b = append(w.b, '\\', c)
		case '\n':
			w.b = append(w.b, '\\', 'n')
		case '\t':
			w.b = append(w.b, '\\', 't')
		default:
			w.b = append(w.b, `\u00`...)
			w.b = append(w.b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
		}
		start = i + 1
	}
	w.b = append(w.b, s[start:]...)
	w.b = append(w.b, '"')
}

// str writes "k":"v".
func (w *jw) str(k, v string) { w.key(k); w.quote(v) }

// optStr writes "k":"v" when v is not empty.
func (w *jw) optStr(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}

// integer writes "k":v.
func (w *jw) integer(k string, v int) { w.key(k); w.b = strconv.AppendInt(w.b, int64(v), 10) }

// boolean writes "k":true|false.
func (w *jw) boolean(k string, v bool) { w.key(k); w.b = strconv.AppendBool(w.b, v) }

// decimal writes "k":v/10^scale with exactly scale decimals (e.g. 274, 1 → 27.4).
func (w *jw) decimal(k string, v, scale int) {
	w.key(k)
	if scale == 0 {
		w.b = strconv.AppendInt(w.b, int64(v), 10)
		return
	}
	if v < 0 {
		w.b = append(w.b, '-')
		v = -v
	}
	p := 1
	for range scale {
		p *= 10
	}
	w.b = strconv.AppendInt(w.b, int64(v/p), 10)
	w.b = append(w.b, '.')
	frac := strconv.AppendInt(nil, int64(v%p+p), 10) // leading 1 keeps the zeros
	w.b = append(w.b, frac[1:]...)
}

// date writes "k":"YYYY-MM-DD".
func (w *jw) date(k string, day int) {
	w.key(k)
	w.b = append(w.b, '"')
	w.b = appendDate(w.b, day)
	w.b = append(w.b, '"')
}

// dateTime writes "k":"YYYY-MM-DDThh:mm:00Z".
func (w *jw) dateTime(k string, day, minute int) {
	w.key(k)
	w.b = append(w.b, '"')
	w.b = appendDateTime(w.b, day, minute)
	w.b = append(w.b, '"')
}

func (w *jw) obj(k string)     { w.key(k); w.b = append(w.b, '{') }
func (w *jw) arr(k string)     { w.key(k); w.b = append(w.b, '[') }
func (w *jw) elem()            { w.sep(); w.b = append(w.b, '{') }
func (w *jw) end()             { w.b = append(w.b, '}') }
func (w *jw) endArr()          { w.b = append(w.b, ']') }
func (w *jw) elemStr(s string) { w.sep(); w.quote(s) }

// ---------------------------------------------------------------- FHIR datatypes

// coding is one terminology concept.
type coding struct{ system, code, display string }

// codingElem writes a Coding as an array element.
func (w *jw) codingElem(c coding) {
	w.elem()
	w.str("system", c.system)
	w.str("code", c.code)
	w.str("display", c.display)
	w.end()
}

// concept writes "k":{"coding":[c],"text":text} (text omitted when empty).
func (w *jw) concept(k string, c coding, text string) {
	w.obj(k)
	w.conceptBody(c, text)
	w.end()
}

// conceptElem writes a CodeableConcept as an array element.
func (w *jw) conceptElem(c coding, text string) {
	w.elem()
	w.conceptBody(c, text)
	w.end()
}

func (w *jw) conceptBody(c coding, text string) {
	w.arr("coding")
	w.codingElem(c)
	w.endArr()
	w.optStr("text", text)
}

// conceptList writes "k":[{"coding":[c]}] (a one-element CodeableConcept array).
func (w *jw) conceptList(k string, c coding) {
	w.arr(k)
	w.conceptElem(c, "")
	w.endArr()
}

// ref writes "k":{"reference":"Type/id","display":display}.
func (w *jw) ref(k, typ, id, display string) {
	w.obj(k)
	w.refBody(typ, id, display)
	w.end()
}

func (w *jw) refElem(typ, id, display string) {
	w.elem()
	w.refBody(typ, id, display)
	w.end()
}

func (w *jw) refBody(typ, id, display string) {
	w.key("reference")
	w.b = append(w.b, '"')
	w.b = append(w.b, typ...)
	w.b = append(w.b, '/')
	w.b = append(w.b, id...)
	w.b = append(w.b, '"')
	w.optStr("display", display)
}

// quantity writes "k":{"value":v,"unit":unit,"system":UCUM,"code":ucum}; v is scaled by 10^scale.
func (w *jw) quantity(k string, v, scale int, unit, ucum string) {
	w.obj(k)
	w.quantityBody(v, scale, unit, ucum)
	w.end()
}

func (w *jw) quantityBody(v, scale int, unit, ucum string) {
	w.decimal("value", v, scale)
	w.str("unit", unit)
	if ucum != "" {
		w.str("system", sysUCUM)
		w.str("code", ucum)
	}
}

// header opens a resource: {"resourceType":rt,"id":id,"meta":{"profile":[profile]}.
func (w *jw) header(rt, id, profile string) {
	w.b = append(w.b, '{')
	w.str("resourceType", rt)
	w.str("id", id)
	w.obj("meta")
	w.arr("profile")
	w.elemStr(profile)
	w.endArr()
	w.end()
}

// appendLocal appends "-kind-n", the suffix of a patient-local id.
func appendLocal(b []byte, kind string, n int) []byte {
	b = append(b, '-')
	b = append(b, kind...)
	b = append(b, '-')
	return strconv.AppendInt(b, int64(n), 10)
}

// headerLocal is header for a patient-local id (<patient id>-<kind>-<n>).
func (w *jw) headerLocal(rt, kind string, n int, profile string) {
	w.b = append(w.b, '{')
	w.str("resourceType", rt)
	w.key("id")
	w.b = append(w.b, '"')
	w.b = append(w.b, w.pid...)
	w.b = appendLocal(w.b, kind, n)
	w.b = append(w.b, '"')
	w.obj("meta")
	w.arr("profile")
	w.elemStr(profile)
	w.endArr()
	w.end()
}

// refLocal writes a Reference to a patient-local resource.
func (w *jw) refLocal(k, typ, kind string, n int, display string) {
	w.obj(k)
	w.refLocalBody(typ, kind, n, display)
	w.end()
}

func (w *jw) refLocalBody(typ, kind string, n int, display string) {
	w.key("reference")
	w.b = append(w.b, '"')
	w.b = append(w.b, typ...)
	w.b = append(w.b, '/')
	w.b = append(w.b, w.pid...)
	w.b = appendLocal(w.b, kind, n)
	w.b = append(w.b, '"')
	w.optStr("display", display)
}

// addressParts writes the members every Greater Manchester address has, in FHIR's order:
// line, city, district, postalCode, country.
func (w *jw) addressParts(line []string, city, postcode string) {
	w.arr("line")
	for _, l := range line {
		w.elemStr(l)
	}
	w.endArr()
	w.str("city", city)
	w.str("district", "Greater Manchester")
	w.str("postalCode", postcode)
	w.str("country", "GB")
}
