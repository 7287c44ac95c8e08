package sdk

import (
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/gm-lhcr/lhcr/openapi/api"
)

// ConditionService reads, searches and writes Condition resources (a problem or diagnosis, coded in SNOMED CT): c.Conditions.
type ConditionService = Service[Condition, ConditionQuery]

// ConditionQuery searches Condition resources: each field set is a condition, and all must hold.
// It can sort by "onset-date" and "_lastUpdated".
type ConditionQuery struct {
	// ID matches any of these ids (_id).
	ID []string
	// LastUpdated filters on when the resource last changed (_lastUpdated).
	LastUpdated DateFilter
	// Patient is the patient: an id or "Patient/id".
	Patient string
	// Subject is the subject: "Patient/id".
	Subject string
	// Code is the diagnosis: SNOMED("44054006") is type 2 diabetes.
	Code Token
	// ClinicalStatus is Code("", "active"), "resolved", "inactive"….
	ClinicalStatus Token
	// OnsetDate is when it began.
	OnsetDate DateFilter
	// Sort orders the results (_sort); the default is a stable server order.
	Sort SortOrder
	// Count is the page size (_count): 0 means the server's default (50), at most 1000.
	Count int
	// Total says whether pages carry the total (_total).
	Total TotalMode
}

// Values returns the query's parameters as they are sent.
func (q ConditionQuery) Values() url.Values {
	return queryValues(api.NewSearchConditionRequest(valuesServer, q.params()))
}

func (q ConditionQuery) params() *api.SearchConditionParams {
	return &api.SearchConditionParams{
		UnderscoreID:          idsParam(q.ID),
		UnderscoreLastUpdated: q.LastUpdated.param(),
		Patient:               stringParam(q.Patient),
		Subject:               stringParam(q.Subject),
		Code:                  tokenParam(q.Code),
		ClinicalStatus:        tokenParam(q.ClinicalStatus),
		OnsetDate:             q.OnsetDate.param(),
		UnderscoreSort:        (*api.SearchConditionParamsSort)(ptr(string(q.Sort))),
		UnderscoreCount:       countParam(q.Count),
		UnderscoreTotal:       (*api.SearchConditionParamsTotal)(ptr(string(q.Total))),
	}
}

func newConditions(c *Client) *ConditionService {
	a := c.api
	return &ConditionService{c: c, ep: endpoints[Condition, ConditionQuery]{
		typ:     "Condition",
		setType: func(r *Condition) { r.ResourceType = api.ConditionResourceTypeCondition },
		id:      func(r *Condition) *string { return r.ID },
		meta:    func(r *Condition) *api.Meta { return r.Meta },
		read: func(ctx context.Context, id string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.ReadCondition(ctx, id, &api.ReadConditionParams{}, ed...)
		},
		vread: func(ctx context.Context, id, vid string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.VreadCondition(ctx, id, vid, &api.VreadConditionParams{}, ed...)
		},
		search: func(ctx context.Context, q ConditionQuery, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.SearchCondition(ctx, q.params(), ed...)
		},
		create: func(ctx context.Context, ifNoneExist *string, body io.Reader, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.CreateConditionWithBody(ctx, &api.CreateConditionParams{IfNoneExist: ifNoneExist}, fhirMediaType, body, ed...)
		},
		update: func(ctx context.Context, id string, ifMatch *string, body io.Reader, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.UpdateConditionWithBody(ctx, id, &api.UpdateConditionParams{IfMatch: ifMatch}, fhirMediaType, body, ed...)
		},
		delete: func(ctx context.Context, id string, ifMatch *string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.DeleteCondition(ctx, id, &api.DeleteConditionParams{IfMatch: ifMatch}, ed...)
		},
		history: func(ctx context.Context, id string, ed ...api.RequestEditorFn) (*http.Response, error) {
			return a.HistoryCondition(ctx, id, &api.HistoryConditionParams{}, ed...)
		},
	}}
}
