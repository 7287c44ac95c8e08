package sdk

import (
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/gm-lhcr/lhcr/openapi/api"
)

// PractitionerService reads, searches and writes Practitioner resources (a clinician): c.Practitioners.
type PractitionerService = Service[Practitioner, PractitionerQuery]

// PractitionerQuery searches Practitioner resources: each field set is a condition, and all must hold.
// It can sort by "_lastUpdated".
type PractitionerQuery struct {
	// ID matches any of these ids (_id).
	ID []string
	// LastUpdated filters on when the resource last changed (_lastUpdated).
	LastUpdated DateFilter
	// Identifier is e.g. Code("https://fhir.hl7.org.uk/Id/gmc-number", "…").
	Identifier Token
	// Name is any part of the name; a case- and accent-insensitive prefix.
	Name string
	// Sort orders the results (_sort); the default is a stable server order.
	Sort SortOrder
	// Count is the page size (_count): 0 means the server's default (50), at most 1000.
	Count int
	// Total says whether pages carry the total (_total).
	Total TotalMode
}

// Values returns the query's parameters as they are sent.
func (q PractitionerQuery) Values() url.Values {
	return queryValues(api.NewSearchPractitionerRequest(valuesServer, q.params()))
}

func (q PractitionerQuery) params() *api.SearchPractitionerParams {
	return &api.SearchPractitionerParams{
		UnderscoreID:          idsParam(q.ID),
		UnderscoreLastUpdated: q.LastUpdated.param(),
		Identifier:            tokenParam(q.Identifier),
		Name:                  stringParam(q.Name),
		UnderscoreSort:        (*api.SearchPractitionerParamsSort)(ptr(string(q.Sort))),
		UnderscoreCount:       countParam(q.Count),
		UnderscoreTotal:       (*api.SearchPractitionerParamsTotal)(ptr(string(q.Total))),
	}
}

func newPractitioners(c *Client) *PractitionerService {
	a := c.api
	return &PractitionerService{c: c, ep: endpoints[Practitioner, PractitionerQuery]{
		typ:     "Practitioner",
		setType: func(r *Practitioner) { r.ResourceType = api.PractitionerResourceTypePractitioner },
		id:      func(r *Practitioner) *string { return r.ID },
		meta:    func(r *Practitioner) *api.Meta { return r.Meta },
		read: func(ctx context.Context, id string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.ReadPractitioner(ctx, id, &api.ReadPractitionerParams{}, ed...)
		},
		vread: func(ctx context.Context, id, vid string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.VreadPractitioner(ctx, id, vid, &api.VreadPractitionerParams{}, ed...)
		},
		search: func(ctx context.Context, q PractitionerQuery, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.SearchPractitioner(ctx, q.params(), ed...)
		},
		create: func(ctx context.Context, ifNoneExist *string, body io.Reader, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.CreatePractitionerWithBody(ctx, &api.CreatePractitionerParams{IfNoneExist: ifNoneExist}, fhirMediaType, body, ed...)
		},
		update: func(ctx context.Context, id string, ifMatch *string, body io.Reader, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.UpdatePractitionerWithBody(ctx, id, &api.UpdatePractitionerParams{IfMatch: ifMatch}, fhirMediaType, body, ed...)
		},
		delete: func(ctx context.Context, id string, ifMatch *string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.DeletePractitioner(ctx, id, &api.DeletePractitionerParams{IfMatch: ifMatch}, ed...)
		},
		history: func(ctx context.Context, id string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.HistoryPractitioner(ctx, id, &api.HistoryPractitionerParams{}, ed...)
		},
	}}
}
