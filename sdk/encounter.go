package sdk

import (
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/gm-lhcr/lhcr/openapi/api"
)

// EncounterService reads, searches and writes Encounter resources (a visit, consultation or admission): c.Encounters.
type EncounterService = Service[Encounter, EncounterQuery]

// EncounterQuery searches Encounter resources: each field set is a condition, and all must hold.
// It can sort by "date" and "_lastUpdated".
type EncounterQuery struct {
	// ID matches any of these ids (_id).
	ID []string
	// LastUpdated filters on when the resource last changed (_lastUpdated).
	LastUpdated DateFilter
	// Patient is the patient: an id or "Patient/id".
	Patient string
	// Subject is the subject: "Patient/id".
	Subject string
	// Date is when it took place.
	Date DateFilter
	// Class is Code("", "AMB") (ambulatory), "IMP" (inpatient), "EMER" (emergency).
	Class Token
	// Status is e.g. Code("", "finished").
	Status Token
	// Sort orders the results (_sort); the default is a stable server order.
	Sort SortOrder
	// Count is the page size (_count): 0 means the server's default (50), at most 1000.
	Count int
	// Total says whether pages carry the total (_total).
	Total TotalMode
}

// Values returns the query's parameters as they are sent.
func (q EncounterQuery) Values() url.Values {
	return queryValues(api.NewSearchEncounterRequest(valuesServer, q.params()))
}

func (q EncounterQuery) params() *api.SearchEncounterParams {
	return &api.SearchEncounterParams{
		UnderscoreID:          idsParam(q.ID),
		UnderscoreLastUpdated: q.LastUpdated.param(),
		Patient:               stringParam(q.Patient),
		Subject:               stringParam(q.Subject),
		Date:                  q.Date.param(),
		Class:                 tokenParam(q.Class),
		Status:                tokenParam(q.Status),
		UnderscoreSort:        (*api.SearchEncounterParamsSort)(ptr(string(q.Sort))),
		UnderscoreCount:       countParam(q.Count),
		UnderscoreTotal:       (*api.SearchEncounterParamsTotal)(ptr(string(q.Total))),
	}
}

func newEncounters(c *Client) *EncounterService {
	a := c.api
	return &EncounterService{c: c, ep: endpoints[Encounter, EncounterQuery]{
		typ:     "Encounter",
		setType: func(r *Encounter) { r.ResourceType = api.EncounterResourceTypeEncounter },
		id:      func(r *Encounter) *string { return r.ID },
		meta:    func(r *Encounter) *api.Meta { return r.Meta },
		read: func(ctx context.Context, id string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.ReadEncounter(ctx, id, &api.ReadEncounterParams{}, ed...)
		},
		vread: func(ctx context.Context, id, vid string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.VreadEncounter(ctx, id, vid, &api.VreadEncounterParams{}, ed...)
		},
		search: func(ctx context.Context, q EncounterQuery, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.SearchEncounter(ctx, q.params(), ed...)
		},
		create: func(ctx context.Context, ifNoneExist *string, body io.Reader, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.CreateEncounterWithBody(ctx, &api.CreateEncounterParams{IfNoneExist: ifNoneExist}, fhirMediaType, body, ed...)
		},
		update: func(ctx context.Context, id string, ifMatch *string, body io.Reader, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.UpdateEncounterWithBody(ctx, id, &api.UpdateEncounterParams{IfMatch: ifMatch}, fhirMediaType, body, ed...)
		},
		delete: func(ctx context.Context, id string, ifMatch *string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.DeleteEncounter(ctx, id, &api.DeleteEncounterParams{IfMatch: ifMatch}, ed...)
		},
		history: func(ctx context.Context, id string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.HistoryEncounter(ctx, id, &api.HistoryEncounterParams{}, ed...)
		},
	}}
}
