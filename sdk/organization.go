package sdk

import (
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/gm-lhcr/lhcr/openapi/api"
)

// OrganizationService reads, searches and writes Organization resources (a GP practice, NHS trust or other organisation): c.Organizations.
type OrganizationService = Service[Organization, OrganizationQuery]

// OrganizationQuery searches Organization resources: each field set is a condition, and all must hold.
// It can sort by "_lastUpdated".
type OrganizationQuery struct {
	// ID matches any of these ids (_id).
	ID []string
	// LastUpdated filters on when the resource last changed (_lastUpdated).
	LastUpdated DateFilter
	// Identifier is ODSCode("P84001").
	Identifier Token
	// Name is the name; a case- and accent-insensitive prefix.
	Name string
	// Type is the kind of organisation.
	Type Token
	// Sort orders the results (_sort); the default is a stable server order.
	Sort SortOrder
	// Count is the page size (_count): 0 means the server's default (50), at most 1000.
	Count int
	// Total says whether pages carry the total (_total).
	Total TotalMode
}

// Values returns the query's parameters as they are sent.
func (q OrganizationQuery) Values() url.Values {
	return queryValues(api.NewSearchOrganizationRequest(valuesServer, q.params()))
}

func (q OrganizationQuery) params() *api.SearchOrganizationParams {
	return &api.SearchOrganizationParams{
		UnderscoreID:          idsParam(q.ID),
		UnderscoreLastUpdated: q.LastUpdated.param(),
		Identifier:            tokenParam(q.Identifier),
		Name:                  stringParam(q.Name),
		Type:                  tokenParam(q.Type),
		UnderscoreSort:        (*api.SearchOrganizationParamsSort)(ptr(string(q.Sort))),
		UnderscoreCount:       countParam(q.Count),
		UnderscoreTotal:       (*api.SearchOrganizationParamsTotal)(ptr(string(q.Total))),
	}
}

func newOrganizations(c *Client) *OrganizationService {
	a := c.api
	return &OrganizationService{c: c, ep: endpoints[Organization, OrganizationQuery]{
		typ:     "Organization",
		setType: func(r *Organization) { r.ResourceType = api.OrganizationResourceTypeOrganization },
		id:      func(r *Organization) *string { return r.ID },
		meta:    func(r *Organization) *api.Meta { return r.Meta },
		read: func(ctx context.Context, id string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.ReadOrganization(ctx, id, &api.ReadOrganizationParams{}, ed...)
		},
		vread: func(ctx context.Context, id, vid string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.VreadOrganization(ctx, id, vid, &api.VreadOrganizationParams{}, ed...)
		},
		search: func(ctx context.Context, q OrganizationQuery, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.SearchOrganization(ctx, q.params(), ed...)
		},
		create: func(ctx context.Context, ifNoneExist *string, body io.Reader, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.CreateOrganizationWithBody(ctx, &api.CreateOrganizationParams{IfNoneExist: ifNoneExist}, fhirMediaType, body, ed...)
		},
		update: func(ctx context.Context, id string, ifMatch *string, body io.Reader, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.UpdateOrganizationWithBody(ctx, id, &api.UpdateOrganizationParams{IfMatch: ifMatch}, fhirMediaType, body, ed...)
		},
		delete: func(ctx context.Context, id string, ifMatch *string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.DeleteOrganization(ctx, id, &api.DeleteOrganizationParams{IfMatch: ifMatch}, ed...)
		},
		history: func(ctx context.Context, id string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.HistoryOrganization(ctx, id, &api.HistoryOrganizationParams{}, ed...)
		},
	}}
}
