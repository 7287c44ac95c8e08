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
	out, err := encodeBundle(b)
	if err != nil {
		outcome.WriteError(w, r, s.log, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	// A length saves chunked framing, and a write, on a Bundle larger than net/http buffers.
	h.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	w.Write(out)
}

// encodeBundle writes b with each entry's resource copied from the stored bytes as they are.
// json.Marshal would re-validate and compact every embedded resource (a third of a search's
// time); stored resources are compact, valid JSON already, written by the store.
func encodeBundle(b api.Bundle) ([]byte, error) {
	entries := b.Entry
	b.Entry = nil
	head, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return head, nil
	}
	size := len(head) + 16
	for _, e := range entries {
		if e.Resource != nil {
			size += len(*e.Resource) + 256
		}
	}
	out := make([]byte, 0, size)
	out = append(out, head[:len(head)-1]...) // without the closing brace
	out = append(out, `,"entry":[`...)
	for i, e := range entries {
		raw := e.Resource
		e.Resource = nil
		ej, err := json.Marshal(e)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, '{')
		if raw != nil {
			out = append(out, `"resource":`...)
			out = append(out, *raw...)
			if len(ej) > 2 {
				out = append(out, ',')
			}
		}
		out = append(out, ej[1:]...) // the entry's other members and its closing brace
	}
	return append(out, ']', '}'), nil
}
