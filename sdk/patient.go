package sdk

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"

	"github.com/gm-lhcr/lhcr/openapi/api"
)

// PatientService reads, searches and writes Patient resources (c.Patients), finds a patient by
// NHS number and reads a patient's whole record.
type PatientService struct {
	Service[Patient, PatientQuery]
}

// PatientQuery searches Patient resources: each field set is a condition, and all must hold.
// It can sort by "birthdate" and "_lastUpdated".
type PatientQuery struct {
	// ID matches any of these ids (_id).
	ID []string
	// LastUpdated filters on when the resource last changed (_lastUpdated).
	LastUpdated DateFilter
	// Identifier is a business identifier, usually NHSNumberIdentifier("9990000018").
	Identifier Token
	// Family is the surname: a case- and accent-insensitive prefix ("tay" finds Taylor).
	Family string
	// Given is any given name, as a prefix.
	Given string
	// Name is any part of any name, as a prefix.
	Name string
	// Birthdate filters on the date of birth: Between(time.Date(1950, 1, 1, …), …).
	Birthdate DateFilter
	// Gender is "male", "female", "other" or "unknown".
	Gender PatientGender
	// AddressPostalcode is a postcode prefix: "M3" finds every M3 postcode.
	AddressPostalcode string
	// GeneralPractitioner is the registered GP practice or GP: "Organization/ods-P84001".
	GeneralPractitioner string
	// DeathDate filters on the date of death.
	DeathDate DateFilter
	// Sort orders the results (_sort); the default is a stable server order.
	Sort SortOrder
	// Count is the page size (_count): 0 means the server's default (50), at most 1000.
	Count int
	// Total says whether pages carry the total (_total).
	Total TotalMode
}

// Values returns the query's parameters as they are sent.
func (q PatientQuery) Values() url.Values {
	return queryValues(api.NewSearchPatientRequest(valuesServer, q.params()))
}

func (q PatientQuery) params() *api.SearchPatientParams {
	return &api.SearchPatientParams{
		UnderscoreID:          idsParam(q.ID),
		UnderscoreLastUpdated: q.LastUpdated.param(),
		Identifier:            tokenParam(q.Identifier),
		Family:                stringParam(q.Family),
		Given:                 stringParam(q.Given),
		Name:                  stringParam(q.Name),
		Birthdate:             q.Birthdate.param(),
		Gender:                stringParam(string(q.Gender)),
		AddressPostalcode:     stringParam(q.AddressPostalcode),
		GeneralPractitioner:   stringParam(q.GeneralPractitioner),
		DeathDate:             q.DeathDate.param(),
		UnderscoreSort:        (*api.SearchPatientParamsSort)(ptr(string(q.Sort))),
		UnderscoreCount:       countParam(q.Count),
		UnderscoreTotal:       (*api.SearchPatientParamsTotal)(ptr(string(q.Total))),
	}
}

// ByNHSNumber returns the patient with this NHS number (10 digits; spaces are ignored). The
// number's Modulus 11 check digit is verified before anything is sent (ErrInvalidNHSNumber).
// The number travels in a POST body, not in the URL, so that it stays out of access logs.
// No match is an *Error with Status 404 (IsNotFound).
//
// FHIR: POST /Patient/_search (identifier=https://fhir.nhs.uk/Id/nhs-number|{n})
func (s *PatientService) ByNHSNumber(ctx context.Context, nhsNumber string) (*Patient, error) {
	n, err := ParseNHSNumber(nhsNumber)
	if err != nil {
		return nil, err
	}
	ident := NHSNumberIdentifier(n).String()
	count := "2"
	resp, err := s.c.api.SearchPatientPostWithFormdataBody(ctx, &api.SearchPatientPostParams{},
		api.SearchPatientPostFormdataRequestBody{Identifier: &ident, UnderscoreCount: &count})
	p, err := readPage[Patient](resp, err)
	if err != nil {
		return nil, err
	}
	switch len(p.Resources) {
	case 0:
		e := &Error{Status: http.StatusNotFound, Method: http.MethodPost, Path: s.c.base.Path + "/Patient/_search",
			Outcome: &OperationOutcome{ResourceType: api.OperationOutcomeResourceTypeOperationOutcome, Issue: []OperationOutcomeIssue{{
				Code: "not-found", Severity: "error", Diagnostics: ptr("no patient has NHS number " + n),
			}}}}
		if resp != nil {
			e.RequestID = resp.Header.Get(headerRequestID)
		}
		return nil, e
	case 1:
		return p.Resources[0], nil
	default:
		return nil, fmt.Errorf("sdk: %d patients share NHS number %s", len(p.Resources), n)
	}
}

// Everything iterates over the patient's whole record: the Patient and every resource that
// refers to it (conditions, observations, medication, encounters…) and the practitioners and
// organisations those name, page by page. Decode each entry with AnyResource.Decode.
//
// FHIR: GET /Patient/{id}/$everything
func (s *PatientService) Everything(ctx context.Context, id string) iter.Seq2[*AnyResource, error] {
	first := func(ctx context.Context) (*Page[AnyResource], error) {
		if err := checkID("id", id); err != nil {
			return nil, err
		}
		return readPage[AnyResource](s.c.api.PatientEverything(ctx, id, &api.PatientEverythingParams{}))
	}
	next := func(ctx context.Context, link string) (*Page[AnyResource], error) {
		u, err := s.c.checkLink(link)
		if err != nil {
			return nil, err
		}
		return readPage[AnyResource](s.c.get(ctx, u))
	}
	return walk(ctx, first, next)
}

// AnyResource is a resource whose type is known only at run time, such as an entry of
// Everything. Switch on ResourceType and Decode it into that type.
type AnyResource struct {
	// ResourceType is the resource's type ("Observation").
	ResourceType string
	// ID is the resource's id.
	ID string
	// JSON is the resource as the server sent it.
	JSON json.RawMessage
}

// UnmarshalJSON keeps the resource's JSON and reads its type and id.
func (r *AnyResource) UnmarshalJSON(b []byte) error {
	var head struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return err
	}
	r.ResourceType, r.ID, r.JSON = head.ResourceType, head.ID, append(json.RawMessage(nil), b...)
	return nil
}

// MarshalJSON returns the resource's JSON.
func (r AnyResource) MarshalJSON() ([]byte, error) { return r.JSON, nil }

// Decode decodes the resource into v, a pointer to the model of its type (*Observation for an
// Observation). A model of another resource type is an error; any other v (a map, your own
// struct) is decoded as it is.
func (r *AnyResource) Decode(v any) error {
	if want := resourceTypeOf(v); want != "" && want != r.ResourceType {
		return fmt.Errorf("sdk: %s/%s is a %s, not a %s", r.ResourceType, r.ID, r.ResourceType, want)
	}
	if err := json.Unmarshal(r.JSON, v); err != nil {
		return fmt.Errorf("sdk: decoding %s/%s: %w", r.ResourceType, r.ID, err)
	}
	return nil
}

// resourceTypeOf names the resource type of a pointer to a resource model, or "".
func resourceTypeOf(v any) string {
	switch v.(type) {
	case *Patient:
		return "Patient"
	case *Observation:
		return "Observation"
	case *Condition:
		return "Condition"
	case *MedicationRequest:
		return "MedicationRequest"
	case *AllergyIntolerance:
		return "AllergyIntolerance"
	case *Immunization:
		return "Immunization"
	case *Encounter:
		return "Encounter"
	case *Organization:
		return "Organization"
	case *Practitioner:
		return "Practitioner"
	}
	return ""
}

func newPatients(c *Client) *PatientService {
	a := c.api
	return &PatientService{Service[Patient, PatientQuery]{c: c, ep: endpoints[Patient, PatientQuery]{
		typ:     "Patient",
		setType: func(r *Patient) { r.ResourceType = api.PatientResourceTypePatient },
		id:      func(r *Patient) *string { return r.ID },
		meta:    func(r *Patient) *api.Meta { return r.Meta },
		read: func(ctx context.Context, id string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.ReadPatient(ctx, id, &api.ReadPatientParams{}, ed...)
		},
		vread: func(ctx context.Context, id, vid string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.VreadPatient(ctx, id, vid, &api.VreadPatientParams{}, ed...)
		},
		search: func(ctx context.Context, q PatientQuery, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.SearchPatient(ctx, q.params(), ed...)
		},
		create: func(ctx context.Context, ifNoneExist *string, body io.Reader, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.CreatePatientWithBody(ctx, &api.CreatePatientParams{IfNoneExist: ifNoneExist}, fhirMediaType, body, ed...)
		},
		update: func(ctx context.Context, id string, ifMatch *string, body io.Reader, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.UpdatePatientWithBody(ctx, id, &api.UpdatePatientParams{IfMatch: ifMatch}, fhirMediaType, body, ed...)
		},
		delete: func(ctx context.Context, id string, ifMatch *string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.DeletePatient(ctx, id, &api.DeletePatientParams{IfMatch: ifMatch}, ed...)
		},
		history: func(ctx context.Context, id string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.HistoryPatient(ctx, id, &api.HistoryPatientParams{}, ed...)
		},
	}}}
}
