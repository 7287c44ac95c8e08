package sdk

import (
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/gm-lhcr/lhcr/openapi/api"
)

// MedicationRequestService reads, searches and writes MedicationRequest resources (a prescription, coded in dm+d): c.MedicationRequests.
type MedicationRequestService = Service[MedicationRequest, MedicationRequestQuery]

// MedicationRequestQuery searches MedicationRequest resources: each field set is a condition, and all must hold.
// It can sort by "authoredon" and "_lastUpdated".
type MedicationRequestQuery struct {
	// ID matches any of these ids (_id).
	ID []string
	// LastUpdated filters on when the resource last changed (_lastUpdated).
	LastUpdated DateFilter
	// Patient is the patient: an id or "Patient/id".
	Patient string
	// Subject is the subject: "Patient/id".
	Subject string
	// Status is Code("", "active"), "stopped", "completed"….
	Status Token
	// AuthoredOn is when it was prescribed.
	AuthoredOn DateFilter
	// Code is the medicine: DMD("…").
	Code Token
	// Sort orders the results (_sort); the default is a stable server order.
	Sort SortOrder
	// Count is the page size (_count): 0 means the server's default (50), at most 1000.
	Count int
	// Total says whether pages carry the total (_total).
	Total TotalMode
}

// Values returns the query's parameters as they are sent.
func (q MedicationRequestQuery) Values() url.Values {
	return queryValues(api.NewSearchMedicationRequestRequest(valuesServer, q.params()))
}

func (q MedicationRequestQuery) params() *api.SearchMedicationRequestParams {
	return &api.SearchMedicationRequestParams{
		UnderscoreID:          idsParam(q.ID),
		UnderscoreLastUpdated: q.LastUpdated.param(),
		Patient:               stringParam(q.Patient),
		Subject:               stringParam(q.Subject),
		Status:                tokenParam(q.Status),
		Authoredon:            q.AuthoredOn.param(),
		Code:                  tokenParam(q.Code),
		UnderscoreSort:        (*api.SearchMedicationRequestParamsSort)(ptr(string(q.Sort))),
		UnderscoreCount:       countParam(q.Count),
		UnderscoreTotal:       (*api.SearchMedicationRequestParamsTotal)(ptr(string(q.Total))),
	}
}

func newMedicationRequests(c *Client) *MedicationRequestService {
	a := c.api
	return &MedicationRequestService{c: c, ep: endpoints[MedicationRequest, MedicationRequestQuery]{
		typ:     "MedicationRequest",
		setType: func(r *MedicationRequest) { r.ResourceType = api.MedicationRequestResourceTypeMedicationRequest },
		id:      func(r *MedicationRequest) *string { return r.ID },
		meta:    func(r *MedicationRequest) *api.Meta { return r.Meta },
		read: func(ctx context.Context, id string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.ReadMedicationRequest(ctx, id, &api.ReadMedicationRequestParams{}, ed...)
		},
		vread: func(ctx context.Context, id, vid string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.VreadMedicationRequest(ctx, id, vid, &api.VreadMedicationRequestParams{}, ed...)
		},
		search: func(ctx context.Context, q MedicationRequestQuery, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.SearchMedicationRequest(ctx, q.params(), ed...)
		},
		create: func(ctx context.Context, ifNoneExist *string, body io.Reader, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.CreateMedicationRequestWithBody(ctx, &api.CreateMedicationRequestParams{IfNoneExist: ifNoneExist}, fhirMediaType, body, ed...)
		},
		update: func(ctx context.Context, id string, ifMatch *string, body io.Reader, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.UpdateMedicationRequestWithBody(ctx, id, &api.UpdateMedicationRequestParams{IfMatch: ifMatch}, fhirMediaType, body, ed...)
		},
		delete: func(ctx context.Context, id string, ifMatch *string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.DeleteMedicationRequest(ctx, id, &api.DeleteMedicationRequestParams{IfMatch: ifMatch}, ed...)
		},
		history: func(ctx context.Context, id string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.HistoryMedicationRequest(ctx, id, &api.HistoryMedicationRequestParams{}, ed...)
		},
	}}
}
