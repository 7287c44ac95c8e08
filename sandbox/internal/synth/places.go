package synth

// Places: the ten Greater Manchester boroughs, their towns with real postcode districts, a list
// of plausible street names, and the NHS trusts that serve them (real public ODS codes).
// Full postcodes have the real format (district, space, digit, two letters) but are generated:
// they may or may not exist, and no address is a real home.

type town struct {
	name      string
	districts []string // outward codes
}

type borough struct {
	name        string
	weight      int    // population, thousands (ONS mid-2021 estimates, rounded)
	odsPrefix   string // GP practice code prefix used in the borough
	trust       string // ODS code of the acute trust that serves it
	mentalTrust string // ODS code of the mental health trust
	practices   int
	towns       []town
}

// Borough indices, for the story patients.
const (
	bManchester = iota
	bSalford
	bTrafford
	bStockport
	bTameside
	bOldham
	bRochdale
	bBury
	bBolton
	bWigan
)

var boroughs = []borough{
	bManchester: {"Manchester", 552, "P84", "R0A", "RXV", 9, []town{
		{"Manchester", []string{"M1", "M4", "M8", "M9", "M11", "M12", "M13", "M14", "M15", "M18", "M19", "M20", "M21", "M22", "M23", "M40"}},
	}},
	bSalford: {"Salford", 270, "P87", "RM3", "RXV", 5, []town{
		{"Salford", []string{"M3", "M5", "M6", "M7"}},
		{"Eccles", []string{"M30"}},
		{"Swinton", []string{"M27"}},
		{"Walkden", []string{"M28"}},
		{"Irlam", []string{"M44"}},
	}},
	bTrafford: {"Trafford", 235, "P91", "R0A", "RXV", 4, []town{
		{"Stretford", []string{"M32"}},
		{"Sale", []string{"M33"}},
		{"Urmston", []string{"M41"}},
		{"Altrincham", []string{"WA14", "WA15"}},
		{"Partington", []string{"M31"}},
	}},
	bStockport: {"Stockport", 294, "P88", "RWJ", "RT2", 5, []town{
		{"Stockport", []string{"SK1", "SK2", "SK3", "SK4", "SK5"}},
		{"Cheadle", []string{"SK8"}},
		{"Bramhall", []string{"SK7"}},
		{"Marple", []string{"SK6"}},
	}},
	bTameside: {"Tameside", 231, "P89", "RMP", "RT2", 4, []town{
		{"Ashton-under-Lyne", []string{"OL6", "OL7"}},
		{"Stalybridge", []string{"SK15"}},
		{"Hyde", []string{"SK14"}},
		{"Dukinfield", []string{"SK16"}},
		{"Mossley", []string{"OL5"}},
	}},
	bOldham: {"Oldham", 242, "P85", "RM3", "RT2", 4, []town{
		{"Oldham", []string{"OL1", "OL4", "OL8", "OL9"}},
		{"Royton", []string{"OL2"}},
		{"Uppermill", []string{"OL3"}},
	}},
	bRochdale: {"Rochdale", 223, "P86", "RM3", "RT2", 4, []town{
		{"Rochdale", []string{"OL11", "OL12", "OL16"}},
		{"Heywood", []string{"OL10"}},
		{"Littleborough", []string{"OL15"}},
	}},
	bBury: {"Bury", 193, "P83", "RM3", "RT2", 3, []town{
		{"Bury", []string{"BL8", "BL9"}},
		{"Ramsbottom", []string{"BL0"}},
	}},
	bBolton: {"Bolton", 296, "P82", "RMC", "RXV", 5, []town{
		{"Bolton", []string{"BL1", "BL2", "BL3"}},
		{"Farnworth", []string{"BL4"}},
		{"Westhoughton", []string{"BL5"}},
		{"Horwich", []string{"BL6"}},
	}},
	bWigan: {"Wigan", 330, "P92", "RRF", "RXV", 5, []town{
		{"Wigan", []string{"WN1", "WN3", "WN5", "WN6"}},
		{"Leigh", []string{"WN7"}},
		{"Hindley", []string{"WN2"}},
		{"Ashton-in-Makerfield", []string{"WN4"}},
	}},
}

var boroughWeights = func() []int {
	w := make([]int, len(boroughs))
	for i, b := range boroughs {
		w[i] = b.weight
	}
	return w
}()

var streets = []string{
	"Church Street", "Chapel Street", "Market Street", "Manchester Road", "Bolton Road", "Bury Road",
	"Oldham Road", "Rochdale Road", "Stockport Road", "Wigan Road", "Station Road", "Victoria Road",
	"Albert Road", "Park Road", "Mill Lane", "Moss Lane", "Green Lane", "Hall Lane", "School Lane",
	"Queens Road", "Kings Road", "Princess Street", "Derby Street", "Grosvenor Road", "Lord Street",
	"Bridge Street", "High Street", "New Road", "Cross Street", "Springfield Road", "Moorside Road",
	"Hollins Lane", "Chorley Road", "Wellington Road", "Cavendish Road", "Beech Avenue", "Oak Avenue",
	"Elm Grove", "Hawthorn Close", "Cedar Drive", "Meadow Way", "Brookside Close", "Rose Hill",
	"Clarendon Road", "Windsor Road", "Ashfield Road", "Hillside Avenue", "Cotton Street", "Canal Street",
	"Lime Grove", "Heaton Road", "Worsley Road", "Crescent Road", "Fairfield Road", "Birch Lane",
}

// postcodeLetters are the letters allowed in the inward code (not C, I, K, M, O or V).
const postcodeLetters = "ABDEFGHJLNPQRSTUWXYZ"

// postcode returns a real-format postcode in district d, e.g. "M13 9WL".
func postcode(r *rng, d string) string {
	return d + " " + string([]byte{
		byte('0' + r.intn(10)),
		postcodeLetters[r.intn(len(postcodeLetters))],
		postcodeLetters[r.intn(len(postcodeLetters))],
	})
}

// address is a UK postal address.
type address struct {
	line     []string
	city     string
	postcode string
	borough  int
	from, to int // period (days); 0 = open
}

// newAddress returns a home address in borough b.
func newAddress(r *rng, b int) address {
	t := pick(r, boroughs[b].towns)
	line := []string{itoa(r.between(1, 240)) + " " + pick(r, streets)}
	if r.percent(12) {
		line = []string{"Flat " + itoa(r.between(1, 40)), line[0]}
	}
	return address{line: line, city: t.name, postcode: postcode(r, pick(r, t.districts)), borough: b}
}

// trust is an NHS trust (or the ICB) with its public ODS code.
type trust struct {
	ods, name string
	line      []string
	city, pc  string
	acute     bool
	specialty string // the specialty of its synthetic consultants
}

var trusts = []trust{
	{"R0A", "Manchester University NHS Foundation Trust", []string{"Cobbett House", "Oxford Road"}, "Manchester", "M13 9WL", true, ""},
	{"RM3", "Northern Care Alliance NHS Foundation Trust", []string{"Mayo Building, Salford Royal", "Stott Lane"}, "Salford", "M6 8HD", true, ""},
	{"RWJ", "Stockport NHS Foundation Trust", []string{"Stepping Hill Hospital", "Poplar Grove"}, "Stockport", "SK2 7JE", true, ""},
	{"RMP", "Tameside and Glossop Integrated Care NHS Foundation Trust", []string{"Tameside General Hospital", "Fountain Street"}, "Ashton-under-Lyne", "OL6 9RW", true, ""},
	{"RMC", "Bolton NHS Foundation Trust", []string{"Royal Bolton Hospital", "Minerva Road"}, "Bolton", "BL4 0JR", true, ""},
	{"RRF", "Wrightington, Wigan and Leigh NHS Foundation Trust", []string{"Royal Albert Edward Infirmary", "Wigan Lane"}, "Wigan", "WN1 2NN", true, ""},
	{"RBV", "The Christie NHS Foundation Trust", []string{"550 Wilmslow Road", "Withington"}, "Manchester", "M20 4BX", false, "Medical oncology"},
	{"RXV", "Greater Manchester Mental Health NHS Foundation Trust", []string{"Bury New Road", "Prestwich"}, "Manchester", "M25 3BL", false, "General psychiatry"},
	{"RT2", "Pennine Care NHS Foundation Trust", []string{"225 Old Street"}, "Ashton-under-Lyne", "OL6 7SR", false, "General psychiatry"},
}

// The integrated care board: the commissioner every GP practice is part of.
const (
	icbODS  = "QOP"
	icbName = "NHS Greater Manchester Integrated Care Board"
)

// acuteSpecialties are the consultants each acute trust has.
var acuteSpecialties = []string{"Cardiology", "Respiratory medicine", "Diabetes and endocrinology", "Emergency medicine", "Geriatric medicine"}

func itoa(v int) string {
	var b [20]byte
	i := len(b)
	neg := v < 0
	if neg {
		v = -v
	}
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
