package synth

import "sync"

// The world is what every patient may reference: the ICB, the trusts, the GP practices and
// their practitioners. It does not depend on Config, so story patients can name their practice
// and every seed shares the same organisations. It is built once per process from a fixed seed.

// org is an Organization.
type org struct {
	id, ods, name string
	kind          orgKind
	borough       int
	line          []string
	city, pc      string
	phone         string
	staff         []*prac // GPs of a practice, consultants of a trust
}

type orgKind int

const (
	orgICB orgKind = iota
	orgTrust
	orgPractice
)

// prac is a Practitioner.
type prac struct {
	id, gmc   string
	name      personName
	display   string // name.text()
	female    bool
	role      coding
	specialty string
	org       *org
}

type world struct {
	icb       *org
	trusts    []*org
	practices [][]*org // by borough
	pracs     []*prac
	res       []Resource
}

var theWorld = sync.OnceValue(buildWorld)

// worldSeed fixes the shared organisations and practitioners for every Config.
const worldSeed = 0x474d4c484352 // "GMLHCR"

func buildWorld() *world {
	r := newRNG(worldSeed, 0)
	w := &world{}
	w.icb = &org{id: "ods-" + icbODS, ods: icbODS, name: icbName, kind: orgICB, borough: -1}
	gmc := 9900000
	newPrac := func(o *org, role coding, specialty string) *prac {
		gmc++
		female := r.percent(52)
		birthYear := 1960 + r.intn(35)
		n := newName(r, female, birthYear, 40)
		n.prefix = "Dr"
		p := &prac{id: "gmc-" + itoa(gmc), gmc: itoa(gmc), name: n, display: n.text(), female: female, role: role, specialty: specialty, org: o}
		o.staff = append(o.staff, p)
		w.pracs = append(w.pracs, p)
		return p
	}
	for _, t := range trusts {
		o := &org{id: "ods-" + t.ods, ods: t.ods, name: t.name, kind: orgTrust, borough: -1, line: t.line, city: t.city, pc: t.pc}
		w.trusts = append(w.trusts, o)
		if t.acute {
			for _, s := range acuteSpecialties {
				newPrac(o, codePhysician, s)
			}
		} else {
			newPrac(o, codePhysician, t.specialty)
		}
	}
	phone := 0
	suffixes := []string{"Medical Centre", "Surgery", "Medical Practice", "Health Centre", "Family Practice"}
	used := map[string]bool{} // only consulted, never iterated
	w.practices = make([][]*org, len(boroughs))
	for b, bo := range boroughs {
		for k := range bo.practices {
			t := bo.towns[k%len(bo.towns)]
			var street, name string
			for name == "" || used[name] {
				street = pick(r, streets)
				switch suffix := pick(r, suffixes); suffix {
				case "Health Centre", "Family Practice":
					name = t.name + " " + suffix
					if t.name == "Manchester" {
						name = street + " " + suffix
					}
				default:
					name = street + " " + suffix
				}
			}
			used[name] = true
			code := bo.odsPrefix + itoa(901+k)
			phone++
			o := &org{
				id: "ods-" + code, ods: code, name: name, kind: orgPractice, borough: b,
				line: []string{itoa(r.between(1, 180)) + " " + street}, city: t.name,
				pc: postcode(r, pick(r, t.districts)), phone: "0161 496 0" + pad3(phone),
			}
			for range 2 {
				newPrac(o, codeGP, "General practice")
			}
			w.practices[b] = append(w.practices[b], o)
		}
	}
	w.res = w.encode()
	return w
}

func pad3(v int) string {
	s := itoa(v % 1000)
	for len(s) < 3 {
		s = "0" + s
	}
	return s
}

// trust returns the trust with the given ODS code.
func (w *world) trust(ods string) *org {
	for _, t := range w.trusts {
		if t.ods == ods {
			return t
		}
	}
	panic("synth: unknown trust " + ods)
}

// consultant returns the trust's consultant in a specialty (or its first one).
func (o *org) consultant(specialty string) *prac {
	for _, p := range o.staff {
		if p.specialty == specialty {
			return p
		}
	}
	return o.staff[0]
}

func (w *world) resources() []Resource {
	out := make([]Resource, len(w.res))
	copy(out, w.res)
	return out
}

func (w *world) encode() []Resource {
	var out []Resource
	j := &jw{}
	add := func(typ, id string) {
		out = append(out, Resource{Type: typ, ID: id, JSON: append([]byte(nil), j.b...)})
		j.b = j.b[:0]
	}
	orgs := append([]*org{w.icb}, w.trusts...)
	for _, ps := range w.practices {
		orgs = append(orgs, ps...)
	}
	for _, o := range orgs {
		j.header("Organization", o.id, profileOrganization)
		j.arr("identifier")
		j.elem()
		j.str("system", sysODS)
		j.str("value", o.ods)
		j.end()
		j.endArr()
		j.boolean("active", true)
		if o.kind == orgICB {
			j.conceptList("type", codeGovernment)
		} else {
			j.conceptList("type", codeProvider)
		}
		j.str("name", o.name)
		if o.phone != "" {
			j.arr("telecom")
			j.elem()
			j.str("system", "phone")
			j.str("value", o.phone)
			j.str("use", "work")
			j.end()
			j.endArr()
		}
		if o.pc != "" {
			j.arr("address")
			j.elem()
			j.str("use", "work")
			j.addressParts(o.line, o.city, o.pc)
			j.end()
			j.endArr()
		}
		if o.kind == orgPractice {
			j.ref("partOf", "Organization", w.icb.id, w.icb.name)
		}
		j.end()
		add("Organization", o.id)
	}
	for _, p := range w.pracs {
		j.header("Practitioner", p.id, profilePractitioner)
		j.arr("identifier")
		j.elem()
		j.str("system", sysGMC)
		j.str("value", p.gmc)
		j.end()
		j.endArr()
		j.boolean("active", true)
		j.arr("name")
		writeName(j, p.name)
		j.endArr()
		j.str("gender", gender(p.female))
		j.arr("qualification")
		j.elem()
		j.arr("identifier")
		j.elem()
		j.str("system", sysGMC)
		j.str("value", p.gmc)
		j.end()
		j.endArr()
		j.concept("code", p.role, p.specialty)
		j.obj("issuer")
		j.str("display", "General Medical Council")
		j.end()
		j.end()
		j.endArr()
		j.end()
		add("Practitioner", p.id)
	}
	return out
}

// writeName writes a HumanName array element.
func writeName(j *jw, n personName) {
	j.elem()
	j.str("use", "official")
	j.str("text", n.text())
	j.str("family", n.family)
	j.arr("given")
	for _, g := range n.given {
		j.elemStr(g)
	}
	j.endArr()
	if n.prefix != "" {
		j.arr("prefix")
		j.elemStr(n.prefix)
		j.endArr()
	}
	j.end()
}

func gender(female bool) string {
	if female {
		return "female"
	}
	return "male"
}
