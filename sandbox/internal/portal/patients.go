package portal

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gm-lhcr/lhcr/sandbox/internal/search"
	"github.com/gm-lhcr/lhcr/sandbox/internal/store"
)

// NHSNumberSystem identifies NHS numbers.
const NHSNumberSystem = "https://fhir.nhs.uk/Id/nhs-number"

// patientsPerPage is how many search results the data browser lists.
const patientsPerPage = 25

// maxSummaryResources bounds what a patient summary reads.
const maxSummaryResources = 5000

// The parts of FHIR resources the pages show, decoded leniently (what is absent stays empty).
type (
	coding  struct{ System, Code, Display string }
	concept struct {
		Text   string
		Coding []coding
	}
	quantity struct {
		Value json.Number
		Unit  string
	}
	humanName struct {
		Use, Family, Text string
		Given, Prefix     []string
	}
	identifier struct{ System, Value string }
	fhirRef    struct{ Reference, Display string }
	resource   struct {
		ResourceType string
		ID           string
		// Patient
		Name                []humanName
		Identifier          []identifier
		Gender, BirthDate   string
		DeceasedDateTime    string
		Address             []struct{ City, PostalCode string }
		GeneralPractitioner []fhirRef
		// clinical resources
		Code, MedicationCodeableConcept, VaccineCode concept
		ClinicalStatus                               concept
		Status, Criticality                          string
		OnsetDateTime, RecordedDate, AuthoredOn      string
		EffectiveDateTime, OccurrenceDateTime        string
		ValueQuantity                                *quantity
		ValueCodeableConcept                         *concept
		Component                                    []struct {
			Code          concept
			ValueQuantity *quantity
		}
		DosageInstruction []struct{ Text string }
		Reaction          []struct{ Manifestation []concept }
	}
)

func (c concept) String() string {
	if c.Text != "" {
		return c.Text
	}
	for _, cd := range c.Coding {
		if cd.Display != "" {
			return cd.Display
		}
	}
	if len(c.Coding) > 0 {
		return c.Coding[0].Code
	}
	return ""
}

func (q *quantity) String() string {
	if q == nil {
		return ""
	}
	return strings.TrimSpace(q.Value.String() + " " + q.Unit)
}

// patientRow is a patient as the search results and the summary show it.
type patientRow struct {
	ID, Name, NHSNumber, BirthDate, Gender, Deceased, Place, GP string
}

func row(r resource) patientRow {
	pr := patientRow{ID: r.ID, BirthDate: r.BirthDate, Gender: r.Gender, Deceased: r.DeceasedDateTime}
	for _, n := range r.Name {
		if n.Use == "official" || pr.Name == "" {
			pr.Name = n.Text
			if pr.Name == "" {
				pr.Name = strings.TrimSpace(strings.Join(append(slices.Clone(n.Given), n.Family), " "))
			}
		}
	}
	for _, id := range r.Identifier {
		if id.System == NHSNumberSystem {
			pr.NHSNumber = id.Value
		}
	}
	if len(r.Address) > 0 {
		pr.Place = strings.TrimSpace(r.Address[0].City + " " + r.Address[0].PostalCode)
	}
	if len(r.GeneralPractitioner) > 0 {
		pr.GP = r.GeneralPractitioner[0].Display
	}
	return pr
}

// patientSearch is the data browser's search page.
type patientSearch struct {
	Query   string
	Results []patientRow
	More    bool
	Error   string
}

// searchParams turns what was typed into a Patient search: a 10-digit number (spaces allowed,
// as NHS numbers are written 999 123 4567) is an NHS number, anything else a name.
func searchParams(q string) url.Values {
	v := url.Values{"_count": {"25"}}
	digits := strings.ReplaceAll(strings.ReplaceAll(q, " ", ""), "-", "")
	switch {
	case q == "":
	case len(digits) == 10 && strings.Trim(digits, "0123456789") == "":
		v.Set("identifier", NHSNumberSystem+"|"+digits)
	default:
		v.Set("name", q)
	}
	return v
}

func (p *Portal) patients(w http.ResponseWriter, r *http.Request, _ *session) {
	v := patientSearch{Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	if len(v.Query) > 100 {
		v.Error = "Type at most 100 characters."
		p.render(w, r, http.StatusBadRequest, "patients", "Patients", "patients", v)
		return
	}
	q, err := search.Parse("Patient", searchParams(v.Query), true)
	if err != nil {
		v.Error = "That search could not be run: type part of a name, or a 10-digit NHS number."
		p.render(w, r, http.StatusBadRequest, "patients", "Patients", "patients", v)
		return
	}
	page, err := p.cfg.Store.Search(r.Context(), q)
	if err != nil {
		p.internal(w, r, err)
		return
	}
	for _, res := range page.Resources {
		var pr resource
		if json.Unmarshal(res.JSON, &pr) == nil {
			v.Results = append(v.Results, row(pr))
		}
	}
	v.More = page.Next != ""
	p.render(w, r, http.StatusOK, "patients", "Patients", "patients", v)
}

// summary is a patient's summary page.
type summary struct {
	Patient       patientRow
	Conditions    []item
	Medications   []item
	Observations  []item
	Allergies     []item
	Immunisations []item
	Truncated     bool
}

// item is one line of a summary table.
type item struct {
	What, Detail, Status, Date, Type, ID string
}

func (p *Portal) readPatient(w http.ResponseWriter, r *http.Request) (store.Resource, bool) {
	res, err := p.cfg.Store.Read(r.Context(), "Patient", r.PathValue("id"))
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrGone):
		p.fail(w, r, http.StatusNotFound, "Patient not found", "There is no patient with this id. Search for patients by name or NHS number.")
		return res, false
	case err != nil:
		p.internal(w, r, err)
		return res, false
	}
	return res, true
}

func (p *Portal) patient(w http.ResponseWriter, r *http.Request, _ *session) {
	res, ok := p.readPatient(w, r)
	if !ok {
		return
	}
	var pat resource
	if err := json.Unmarshal(res.JSON, &pat); err != nil {
		p.internal(w, r, err)
		return
	}
	v := summary{Patient: row(pat)}
	latest := map[string]int{} // observation code → index in v.Observations
	cursor, read := "", 0
	for {
		page, err := p.cfg.Store.Everything(r.Context(), res.ID, 500, cursor)
		if err != nil {
			p.internal(w, r, err)
			return
		}
		for _, x := range page.Resources {
			var rr resource
			if json.Unmarshal(x.JSON, &rr) != nil {
				continue
			}
			it := item{Type: rr.ResourceType, ID: rr.ID, Status: rr.Status}
			switch rr.ResourceType {
			case "Condition":
				it.What, it.Status, it.Date = rr.Code.String(), rr.ClinicalStatus.String(), first(rr.OnsetDateTime, rr.RecordedDate)
				v.Conditions = append(v.Conditions, it)
			case "MedicationRequest":
				it.What, it.Date = rr.MedicationCodeableConcept.String(), rr.AuthoredOn
				if len(rr.DosageInstruction) > 0 {
					it.Detail = rr.DosageInstruction[0].Text
				}
				v.Medications = append(v.Medications, it)
			case "AllergyIntolerance":
				it.What, it.Status, it.Date = rr.Code.String(), rr.Criticality, rr.RecordedDate
				var m []string
				for _, re := range rr.Reaction {
					for _, c := range re.Manifestation {
						m = append(m, c.String())
					}
				}
				it.Detail = strings.Join(m, ", ")
				v.Allergies = append(v.Allergies, it)
			case "Immunization":
				it.What, it.Date = rr.VaccineCode.String(), rr.OccurrenceDateTime
				v.Immunisations = append(v.Immunisations, it)
			case "Observation":
				it.What, it.Date, it.Detail = rr.Code.String(), rr.EffectiveDateTime, observationValue(rr)
				k := it.What
				if i, seen := latest[k]; seen {
					if it.Date > v.Observations[i].Date {
						v.Observations[i] = it
					}
					continue
				}
				latest[k] = len(v.Observations)
				v.Observations = append(v.Observations, it)
			}
		}
		read += len(page.Resources)
		if page.Next == "" {
			break
		}
		if read >= maxSummaryResources {
			v.Truncated = true
			break
		}
		cursor = page.Next
	}
	byDate := func(a, b item) int { return strings.Compare(b.Date, a.Date) }
	for _, l := range [][]item{v.Conditions, v.Medications, v.Observations, v.Allergies, v.Immunisations} {
		slices.SortStableFunc(l, byDate)
	}
	p.render(w, r, http.StatusOK, "patient", v.Patient.Name, "patients", v)
}

func observationValue(r resource) string {
	switch {
	case r.ValueQuantity != nil:
		return r.ValueQuantity.String()
	case r.ValueCodeableConcept != nil:
		return r.ValueCodeableConcept.String()
	}
	var parts []string
	for _, c := range r.Component {
		if c.ValueQuantity != nil {
			parts = append(parts, c.Code.String()+": "+c.ValueQuantity.String())
		}
	}
	return strings.Join(parts, "; ")
}

func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// rawJSON is the raw FHIR JSON page.
type rawJSON struct {
	ID, Name, JSON string
}

func (p *Portal) patientJSON(w http.ResponseWriter, r *http.Request, _ *session) {
	res, ok := p.readPatient(w, r)
	if !ok {
		return
	}
	var pat resource
	json.Unmarshal(res.JSON, &pat)
	var b bytes.Buffer
	if err := json.Indent(&b, res.JSON, "", "  "); err != nil {
		p.internal(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "json", "Patient/"+res.ID+" as FHIR JSON", "patients", rawJSON{ID: res.ID, Name: row(pat).Name, JSON: b.String()})
}
