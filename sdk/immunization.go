package sdk

import (
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/gm-lhcr/lhcr/openapi/api"
)

// ImmunizationService reads, searches and writes Immunization resources (a vaccination): c.Immunizations.
type ImmunizationService = Service[Immunization, ImmunizationQuery]

// ImmunizationQuery searches Immunization resources: each field set is a condition, and all must hold.
// It can sort by "date" and "_lastUpdated".
type ImmunizationQuery struct {
	// ID matches any of these ids (_id).
	ID []string
	// LastUpdated filters on when the resource last changed (_lastUpdated).
	LastUpdated DateFilter
	// Patient is the patient: an id or "Patient/id".
	Patient string
	// Date is when the vaccine was given.
	Date DateFilter
	// VaccineCode is the vaccine, in SNOMED CT or dm+d.
	VaccineCode Token
	// Sort orders the results (_sort); the default is a stable server order.
	Sort SortOrder
	// Count is the page size (_count): 0 means the server's default (50), at most 1000.
	Count int
	// Total says whether pages carry the total (_total).
	Total TotalMode
}

// Values returns the query's parameters as they are sent.
func (q ImmunizationQuery) Values() url.Values {
	return queryValues(api.NewSearchImmunizationRequest(valuesServer, q.params()))
}

func (q ImmunizationQuery) params() *api.SearchImmunizationParams {
	return &api.SearchImmunizationParams{
		UnderscoreID:          idsParam(q.ID),
		UnderscoreLastUpdated: q.LastUpdated.param(),
		Patient:               stringParam(q.Patient),
		Date:                  q.Date.param(),
		VaccineCode:           tokenParam(q.VaccineCode),
		UnderscoreSort:        (*api.SearchImmunizationParamsSort)(ptr(string(q.Sort))),
		UnderscoreCount:       countParam(q.Count),
		UnderscoreTotal:       (*api.SearchImmunizationParamsTotal)(ptr(string(q.Total))),
	}
}

func newImmunizations(c *Client) *ImmunizationService {
	a := c.api
	return &ImmunizationService{c: c, ep: endpoints[Immunization, ImmunizationQuery]{
		typ:     "Immunization",
		setType: func(r *Immunization) { r.ResourceType = api.ImmunizationResourceTypeImmunization },
		id:      func(r *Immunization) *string { return r.ID },
		meta:    func(r *Immunization) *api.Meta { return r.Meta },
		read: func(ctx context.Context, id string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.ReadImmunization(ctx, id, &api.ReadImmunizationParams{}, ed...)
		},
		vread: func(ctx context.Context, id, vid string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.VreadImmunization(ctx, id, vid, &api.VreadImmunizationParams{}, ed...)
		},
		search: func(ctx context.Context, q ImmunizationQuery, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.SearchImmunization(ctx, q.params(), ed...)
		},
		create: func(ctx context.Context, ifNoneExist *string, body io.Reader, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.CreateImmunizationWithBody(ctx, &api.CreateImmunizationParams{IfNoneExist: ifNoneExist}, fhirMediaType, body, ed...)
		},
		update: func(ctx context.Context, id string, ifMatch *string, body io.Reader, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.UpdateImmunizationWithBody(ctx, id, &api.UpdateImmunizationParams{IfMatch: ifMatch}, fhirMediaType, body, ed...)
		},
		delete: func(ctx context.Context, id string, ifMatch *string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.DeleteImmunization(ctx, id, &api.DeleteImmunizationParams{IfMatch: ifMatch}, ed...)
		},
		history: func(ctx context.Context, id string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.HistoryImmunization(ctx, id, &api.HistoryImmunizationParams{}, ed...)
		},
	}}
}
