package sdk

import (
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/gm-lhcr/lhcr/openapi/api"
)

// ObservationService reads, searches and writes Observation resources (a measurement or finding: a lab result such as HbA1c (LOINC 4548-4), a vital sign or a score): c.Observations.
type ObservationService = Service[Observation, ObservationQuery]

// ObservationQuery searches Observation resources: each field set is a condition, and all must hold.
// It can sort by "date" and "_lastUpdated".
type ObservationQuery struct {
	// ID matches any of these ids (_id).
	ID []string
	// LastUpdated filters on when the resource last changed (_lastUpdated).
	LastUpdated DateFilter
	// Patient is the patient: an id ("story-diabetes") or "Patient/id".
	Patient string
	// Subject is the subject: "Patient/id".
	Subject string
	// Code is what was observed: LOINC("4548-4"), or SNOMED codes.
	Code Token
	// Category is e.g. Code("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory") or "vital-signs".
	Category Token
	// Date is when it was observed (effective date).
	Date DateFilter
	// Status is e.g. Code("", "final").
	Status Token
	// Sort orders the results (_sort); the default is a stable server order.
	Sort SortOrder
	// Count is the page size (_count): 0 means the server's default (50), at most 1000.
	Count int
	// Total says whether pages carry the total (_total).
	Total TotalMode
}

// Values returns the query's parameters as they are sent.
func (q ObservationQuery) Values() url.Values {
	return queryValues(api.NewSearchObservationRequest(valuesServer, q.params()))
}

func (q ObservationQuery) params() *api.SearchObservationParams {
	return &api.SearchObservationParams{
		UnderscoreID:          idsParam(q.ID),
		UnderscoreLastUpdated: q.LastUpdated.param(),
		Patient:               stringParam(q.Patient),
		Subject:               stringParam(q.Subject),
		Code:                  tokenParam(q.Code),
		Category:              tokenParam(q.Category),
		Date:                  q.Date.param(),
		Status:                tokenParam(q.Status),
		UnderscoreSort:        (*api.SearchObservationParamsSort)(ptr(string(q.Sort))),
		UnderscoreCount:       countParam(q.Count),
		UnderscoreTotal:       (*api.SearchObservationParamsTotal)(ptr(string(q.Total))),
	}
}

func newObservations(c *Client) *ObservationService {
	a := c.api
	return &ObservationService{c: c, ep: endpoints[Observation, ObservationQuery]{
		typ:     "Observation",
		setType: func(r *Observation) { r.ResourceType = api.ObservationResourceTypeObservation },
		id:      func(r *Observation) *string { return r.ID },
		meta:    func(r *Observation) *api.Meta { return r.Meta },
		read: func(ctx context.Context, id string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.ReadObservation(ctx, id, &api.ReadObservationParams{}, ed...)
		},
		vread: func(ctx context.Context, id, vid string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.VreadObservation(ctx, id, vid, &api.VreadObservationParams{}, ed...)
		},
		search: func(ctx context.Context, q ObservationQuery, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.SearchObservation(ctx, q.params(), ed...)
		},
		create: func(ctx context.Context, ifNoneExist *string, body io.Reader, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.CreateObservationWithBody(ctx, &api.CreateObservationParams{IfNoneExist: ifNoneExist}, fhirMediaType, body, ed...)
		},
		update: func(ctx context.Context, id string, ifMatch *string, body io.Reader, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.UpdateObservationWithBody(ctx, id, &api.UpdateObservationParams{IfMatch: ifMatch}, fhirMediaType, body, ed...)
		},
		delete: func(ctx context.Context, id string, ifMatch *string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.DeleteObservation(ctx, id, &api.DeleteObservationParams{IfMatch: ifMatch}, ed...)
		},
		history: func(ctx context.Context, id string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.HistoryObservation(ctx, id, &api.HistoryObservationParams{}, ed...)
		},
	}}
}
