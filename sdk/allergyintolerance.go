package sdk

import (
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/gm-lhcr/lhcr/openapi/api"
)

// AllergyIntoleranceService reads, searches and writes AllergyIntolerance resources (an allergy or intolerance): c.AllergyIntolerances.
type AllergyIntoleranceService = Service[AllergyIntolerance, AllergyIntoleranceQuery]

// AllergyIntoleranceQuery searches AllergyIntolerance resources: each field set is a condition, and all must hold.
// It can sort by "_lastUpdated".
type AllergyIntoleranceQuery struct {
	// ID matches any of these ids (_id).
	ID []string
	// LastUpdated filters on when the resource last changed (_lastUpdated).
	LastUpdated DateFilter
	// Patient is the patient: an id or "Patient/id".
	Patient string
	// ClinicalStatus is Code("", "active"), "inactive", "resolved".
	ClinicalStatus Token
	// Code is the substance: SNOMED("764146007") is penicillin.
	Code Token
	// Sort orders the results (_sort); the default is a stable server order.
	Sort SortOrder
	// Count is the page size (_count): 0 means the server's default (50), at most 1000.
	Count int
	// Total says whether pages carry the total (_total).
	Total TotalMode
}

// Values returns the query's parameters as they are sent.
func (q AllergyIntoleranceQuery) Values() url.Values {
	return queryValues(api.NewSearchAllergyIntoleranceRequest(valuesServer, q.params()))
}

func (q AllergyIntoleranceQuery) params() *api.SearchAllergyIntoleranceParams {
	return &api.SearchAllergyIntoleranceParams{
		UnderscoreID:          idsParam(q.ID),
		UnderscoreLastUpdated: q.LastUpdated.param(),
		Patient:               stringParam(q.Patient),
		ClinicalStatus:        tokenParam(q.ClinicalStatus),
		Code:                  tokenParam(q.Code),
		UnderscoreSort:        (*api.SearchAllergyIntoleranceParamsSort)(ptr(string(q.Sort))),
		UnderscoreCount:       countParam(q.Count),
		UnderscoreTotal:       (*api.SearchAllergyIntoleranceParamsTotal)(ptr(string(q.Total))),
	}
}

func newAllergyIntolerances(c *Client) *AllergyIntoleranceService {
	a := c.api
	return &AllergyIntoleranceService{c: c, ep: endpoints[AllergyIntolerance, AllergyIntoleranceQuery]{
		typ:     "AllergyIntolerance",
		setType: func(r *AllergyIntolerance) { r.ResourceType = api.AllergyIntoleranceResourceTypeAllergyIntolerance },
		id:      func(r *AllergyIntolerance) *string { return r.ID },
		meta:    func(r *AllergyIntolerance) *api.Meta { return r.Meta },
		read: func(ctx context.Context, id string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.ReadAllergyIntolerance(ctx, id, &api.ReadAllergyIntoleranceParams{}, ed...)
		},
		vread: func(ctx context.Context, id, vid string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.VreadAllergyIntolerance(ctx, id, vid, &api.VreadAllergyIntoleranceParams{}, ed...)
		},
		search: func(ctx context.Context, q AllergyIntoleranceQuery, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.SearchAllergyIntolerance(ctx, q.params(), ed...)
		},
		create: func(ctx context.Context, ifNoneExist *string, body io.Reader, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.CreateAllergyIntoleranceWithBody(ctx, &api.CreateAllergyIntoleranceParams{IfNoneExist: ifNoneExist}, fhirMediaType, body, ed...)
		},
		update: func(ctx context.Context, id string, ifMatch *string, body io.Reader, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.UpdateAllergyIntoleranceWithBody(ctx, id, &api.UpdateAllergyIntoleranceParams{IfMatch: ifMatch}, fhirMediaType, body, ed...)
		},
		delete: func(ctx context.Context, id string, ifMatch *string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.DeleteAllergyIntolerance(ctx, id, &api.DeleteAllergyIntoleranceParams{IfMatch: ifMatch}, ed...)
		},
		history: func(ctx context.Context, id string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.HistoryAllergyIntolerance(ctx, id, &api.HistoryAllergyIntoleranceParams{}, ed...)
		},
	}}
}
