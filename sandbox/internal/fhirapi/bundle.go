package fhirapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox/internal/outcome"
	"github.com/gm-lhcr/lhcr/sandbox/internal/store"
)

// links returns self, next and previous links for a page of the query q at url self.
func links(self string, q url.Values, page store.Page) []api.BundleLink {
	withCursor := func(c string) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("_cursor", c)
		return self + "?" + v.Encode()
	}
	selfURL := self
	if len(q) > 0 {
		selfURL += "?" + q.Encode()
	}
	out := []api.BundleLink{{Relation: "self", URL: selfURL}}
	if page.Next != "" {
		out = append(out, api.BundleLink{Relation: "next", URL: withCursor(page.Next)})
	}
	if page.Prev != "" {
		out = append(out, api.BundleLink{Relation: "previous", URL: withCursor(page.Prev)})
	}
	return out
}

// searchset builds a searchset Bundle; base is the FHIR base for fullUrls.
func searchset(self string, q url.Values, page store.Page, base string) api.Bundle {
	b := api.Bundle{
		ResourceType: api.BundleResourceTypeBundle,
		Type:         api.BundleTypeSearchset,
		Link:         links(self, q, page),
		Entry:        make([]api.BundleEntry, 0, len(page.Resources)),
	}
	if page.Total >= 0 {
		t := int32(page.Total)
		b.Total = &t
	}
	match := api.BundleEntrySearchModeMatch
	for _, res := range page.Resources {
		raw := api.Resource(res.JSON)
		full := base + "/" + res.Type + "/" + res.ID
		b.Entry = append(b.Entry, api.BundleEntry{FullURL: &full, Resource: &raw, Search: &api.BundleEntrySearch{Mode: &match}})
	}
	return b
}

// historyBundle builds a history Bundle, newest version first.
func historyBundle(self string, q url.Values, page store.Page, base string) api.Bundle {
	b := api.Bundle{
		ResourceType: api.BundleResourceTypeBundle,
		Type:         api.BundleTypeHistory,
		Link:         links(self, q, page),
		Entry:        make([]api.BundleEntry, 0, len(page.Resources)),
	}
	if page.Total >= 0 {
		t := int32(page.Total)
		b.Total = &t
	}
	for _, res := range page.Resources {
		full := base + "/" + res.Type + "/" + res.ID
		e := api.BundleEntry{FullURL: &full}
		lm := res.LastUpdated.UTC().Truncate(time.Millisecond)
		et := etag(res.Version)
		req := api.BundleEntryRequest{URL: res.Type + "/" + res.ID}
		resp := api.BundleEntryResponse{Etag: &et, LastModified: &lm}
		switch res.Method {
		case "POST":
			req.Method, resp.Status = api.BundleEntryRequestMethodPOST, "201 Created"
			req.URL = res.Type
			loc := res.Type + "/" + res.ID + "/_history/" + strconv.FormatInt(res.Version, 10)
			resp.Location = &loc
		case "DELETE":
			req.Method, resp.Status = api.BundleEntryRequestMethodDELETE, "204 No Content"
		default:
			req.Method, resp.Status = api.BundleEntryRequestMethodPUT, "200 OK"
		}
		if !res.Deleted {
			raw := api.Resource(res.JSON)
			e.Resource = &raw
		}
		e.Request, e.Response = &req, &resp
		b.Entry = append(b.Entry, e)
	}
	return b
}

func (s *Server) writeBundle(w http.ResponseWriter, r *http.Request, b api.Bundle) {
	out, err := json.Marshal(b)
	if err != nil {
		outcome.WriteError(w, r, s.log, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	w.Write(out)
}
