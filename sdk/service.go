package sdk

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gm-lhcr/lhcr/openapi/api"
)

// Query is a typed search of one resource type (PatientQuery, ObservationQuery…). Its zero value
// finds everything.
type Query interface {
	// Values returns the query's parameters as they are sent.
	Values() url.Values
}

// editors are the generated client's request editors.
type editors = []api.RequestEditorFn

// endpoints are one resource type's operations in the generated client, and the accessors
// the generic Service needs.
type endpoints[T any, Q Query] struct {
	typ     string
	setType func(*T)           // sets resourceType
	id      func(*T) *string   // the resource's id field
	meta    func(*T) *api.Meta // the resource's meta, or nil
	read    func(ctx context.Context, id string, ed ...api.RequestEditorFn) (*http.Response, error)
	vread   func(ctx context.Context, id, vid string, ed ...api.RequestEditorFn) (*http.Response, error)
	search  func(ctx context.Context, q Q, ed ...api.RequestEditorFn) (*http.Response, error)
	create  func(ctx context.Context, ifNoneExist *string, body io.Reader, ed ...api.RequestEditorFn) (*http.Response, error)
	update  func(ctx context.Context, id string, ifMatch *string, body io.Reader, ed ...api.RequestEditorFn) (*http.Response, error)
	delete  func(ctx context.Context, id string, ifMatch *string, ed ...api.RequestEditorFn) (*http.Response, error)
	history func(ctx context.Context, id string, ed ...api.RequestEditorFn) (*http.Response, error)
}

// Service reads, searches and writes one FHIR resource type T, searched with queries of type Q.
// The Client has one per resource type (c.Observations is a Service[Observation,
// ObservationQuery]). In the operations below, {type} is T's resource type.
type Service[T any, Q Query] struct {
	c  *Client
	ep endpoints[T, Q]
}

// Get reads the current version of the resource with this id. A deleted resource answers 410
// and an unknown id 404: both satisfy IsNotFound.
//
// FHIR: GET /{type}/{id}
func (s *Service[T, Q]) Get(ctx context.Context, id string) (*T, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	return decode[T](s.ep.read(ctx, id))
}

// GetVersion reads one version of the resource (meta.versionId "1", "2"…).
//
// FHIR: GET /{type}/{id}/_history/{vid}
func (s *Service[T, Q]) GetVersion(ctx context.Context, id, version string) (*T, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	if err := checkID("version", version); err != nil {
		return nil, err
	}
	return decode[T](s.ep.vread(ctx, id, version))
}

// Search iterates over every resource matching q, fetching pages lazily as the loop asks for
// them and following only the server's next links, so any number of results is walked in the
// memory of one page. An error ends the iteration (yielded with a nil resource); so does
// breaking out of the loop.
//
//	for obs, err := range c.Observations.Search(ctx, sdk.ObservationQuery{Patient: id, Code: sdk.LOINC("4548-4")}) {
//		if err != nil { return err }
//		…
//	}
//
// FHIR: GET /{type}?{q}, then each Bundle's link[relation=next]
func (s *Service[T, Q]) Search(ctx context.Context, q Q) iter.Seq2[*T, error] {
	return walk(ctx, func(ctx context.Context) (*Page[T], error) { return s.SearchPage(ctx, q) }, s.page)
}

// SearchPage fetches the first page of results for q, with the total (when the server gives
// it) and the paging links. Fetch further pages with Page(ctx, page.Next).
//
// FHIR: GET /{type}?{q}
func (s *Service[T, Q]) SearchPage(ctx context.Context, q Q) (*Page[T], error) {
	return readPage[T](s.ep.search(ctx, q))
}

// Page fetches the page at link, a Bundle link of an earlier page (Page.Next or Page.Previous).
// The link must lie under the client's FHIR base.
//
// FHIR: GET {link}
func (s *Service[T, Q]) Page(ctx context.Context, link string) (*Page[T], error) {
	return s.page(ctx, link)
}

func (s *Service[T, Q]) page(ctx context.Context, link string) (*Page[T], error) {
	u, err := s.c.checkLink(link)
	if err != nil {
		return nil, err
	}
	return readPage[T](s.c.get(ctx, u))
}

// Count returns how many resources match q, without fetching them (_summary=count).
//
// FHIR: GET /{type}?{q}&_summary=count
func (s *Service[T, Q]) Count(ctx context.Context, q Q) (int, error) {
	p, err := readPage[T](s.ep.search(ctx, q, func(_ context.Context, req *http.Request) error {
		v := req.URL.Query()
		v.Set("_summary", "count")
		v.Del("_count")
		req.URL.RawQuery = v.Encode()
		return nil
	}))
	if err != nil {
		return 0, err
	}
	if !p.TotalKnown {
		return 0, fmt.Errorf("sdk: the server gave no total for the %s count", s.ep.typ)
	}
	return p.Total, nil
}

// Create stores a new resource; the server assigns its id and version 1 and returns it as
// stored. resourceType is filled in if empty, and any id is ignored (as FHIR specifies). With
// the IfNoneExist option, an existing match is returned instead of creating a duplicate.
// Create is never retried (a retry could create the resource twice).
//
// FHIR: POST /{type}
func (s *Service[T, Q]) Create(ctx context.Context, res *T, opts ...WriteOption) (*T, error) {
	if res == nil {
		return nil, fmt.Errorf("sdk: Create %s: nil resource", s.ep.typ)
	}
	o := writeOptions(opts)
	cp := *res
	s.ep.setType(&cp)
	body, err := jsonBody(&cp)
	if err != nil {
		return nil, err
	}
	var ifNoneExist *string
	if o.ifNoneExist != nil {
		v := o.ifNoneExist.Values().Encode()
		ifNoneExist = &v
	}
	return decode[T](s.ep.create(ctx, ifNoneExist, body))
}

// Update stores res as the new version of the resource with res's id (creating it with that
// id if it does not exist) and returns it as stored.
//
// If res carries meta.versionId (as a resource you read does), Update sends If-Match with it,
// so that it fails with 412 (IsConflict) instead of overwriting a change someone else made
// since you read it; the IfMatch option names another version. To overwrite whatever is
// there, clear res.Meta.VersionID. Only conditional (If-Match) updates are retried.
//
// FHIR: PUT /{type}/{id} (If-Match: W/"{versionId}")
func (s *Service[T, Q]) Update(ctx context.Context, res *T, opts ...WriteOption) (*T, error) {
	if res == nil {
		return nil, fmt.Errorf("sdk: Update %s: nil resource", s.ep.typ)
	}
	id := s.ep.id(res)
	if id == nil || *id == "" {
		return nil, fmt.Errorf("sdk: Update %s: the resource has no id", s.ep.typ)
	}
	if err := checkID("id", *id); err != nil {
		return nil, err
	}
	o := writeOptions(opts)
	cp := *res
	s.ep.setType(&cp)
	version := o.ifMatch
	if version == "" {
		if m := s.ep.meta(res); m != nil && m.VersionID != nil {
			version = *m.VersionID
		}
	}
	body, err := jsonBody(&cp)
	if err != nil {
		return nil, err
	}
	return decode[T](s.ep.update(ctx, *id, etag(version), body))
}

// Delete deletes the resource. Deleting an unknown or already deleted id succeeds too (FHIR's
// delete is idempotent); afterwards Get answers 410. With the IfMatch option it deletes only
// that version.
//
// FHIR: DELETE /{type}/{id}
func (s *Service[T, Q]) Delete(ctx context.Context, id string, opts ...WriteOption) error {
	if err := checkID("id", id); err != nil {
		return err
	}
	o := writeOptions(opts)
	return noContent(s.ep.delete(ctx, id, etag(o.ifMatch)))
}

// History iterates over the resource's versions, newest first, including its deletions
// (Version.Deleted, with no Resource).
//
// FHIR: GET /{type}/{id}/_history
func (s *Service[T, Q]) History(ctx context.Context, id string) iter.Seq2[*Version[T], error] {
	return func(yield func(*Version[T], error) bool) {
		if err := checkID("id", id); err != nil {
			yield(nil, err)
			return
		}
		b, err := decode[api.Bundle](s.ep.history(ctx, id))
		for {
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range b.Entry {
				v, err := versionOf[T](&b.Entry[i])
				if !yield(v, err) || err != nil {
					return
				}
			}
			next := link(b.Link, "next")
			if next == "" {
				return
			}
			var u *url.URL
			if u, err = s.c.checkLink(next); err == nil {
				b, err = decode[api.Bundle](s.c.get(ctx, u))
			}
		}
	}
}

// Page is one page of search results.
type Page[T any] struct {
	// Resources are the page's matches, in the server's order.
	Resources []*T
	// Total is how many resources match in all, when TotalKnown.
	Total int
	// TotalKnown says whether the server gave the total (Bundle.total) on this page.
	TotalKnown bool
	// Self, Next and Previous are the page's links ("" when absent). Pass Next to
	// Service.Page for the next page.
	Self, Next, Previous string
}

// readPage decodes a searchset Bundle into a Page.
func readPage[T any](resp *http.Response, err error) (*Page[T], error) {
	b, err := decode[api.Bundle](resp, err)
	if err != nil {
		return nil, err
	}
	p := &Page[T]{Self: link(b.Link, "self"), Next: link(b.Link, "next"), Previous: link(b.Link, "previous")}
	if b.Total != nil {
		p.Total, p.TotalKnown = int(*b.Total), true
	}
	p.Resources = make([]*T, 0, len(b.Entry))
	for i, e := range b.Entry {
		if e.Resource == nil {
			continue
		}
		var r T
		if err := json.Unmarshal(*e.Resource, &r); err != nil {
			return nil, fmt.Errorf("sdk: search result entry %d: %w", i, err)
		}
		b.Entry[i].Resource = nil // let the raw bytes go as soon as they are decoded
		p.Resources = append(p.Resources, &r)
	}
	return p, nil
}

// walk iterates page by page: first, then next links, one page in memory at a time.
func walk[T any](ctx context.Context, first func(context.Context) (*Page[T], error),
	fetch func(context.Context, string) (*Page[T], error)) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		p, err := first(ctx)
		for {
			if err != nil {
				yield(nil, err)
				return
			}
			for i, r := range p.Resources {
				p.Resources[i] = nil
				if !yield(r, nil) {
					return
				}
			}
			if p.Next == "" {
				return
			}
			next := p.Next
			p = nil
			p, err = fetch(ctx, next)
		}
	}
}

func link(links []api.BundleLink, rel string) string {
	for _, l := range links {
		if l.Relation == rel {
			return l.URL
		}
	}
	return ""
}

// Version is one version of a resource, from History.
type Version[T any] struct {
	// Resource is the version's content; nil for a deletion.
	Resource *T
	// VersionID is the version ("1", "2"…).
	VersionID string
	// Method is the interaction that made it: POST (create), PUT (update) or DELETE.
	Method string
	// Deleted is true for a deletion.
	Deleted bool
	// LastModified is when the version was stored.
	LastModified time.Time
}

func versionOf[T any](e *api.BundleEntry) (*Version[T], error) {
	v := &Version[T]{}
	if e.Request != nil {
		v.Method = string(e.Request.Method)
		v.Deleted = e.Request.Method == http.MethodDelete
	}
	if e.Response != nil {
		if e.Response.Etag != nil {
			v.VersionID = strings.Trim(strings.TrimPrefix(*e.Response.Etag, "W/"), `"`)
		}
		if e.Response.LastModified != nil {
			v.LastModified = *e.Response.LastModified
		}
	}
	if e.Resource != nil && !v.Deleted {
		var r T
		if err := json.Unmarshal(*e.Resource, &r); err != nil {
			return nil, fmt.Errorf("sdk: history entry: %w", err)
		}
		v.Resource = &r
	}
	return v, nil
}

// WriteOption changes a Create, Update or Delete.
type WriteOption func(*writeOpts)

type writeOpts struct {
	ifMatch     string
	ifNoneExist Query
}

func writeOptions(opts []WriteOption) writeOpts {
	var o writeOpts
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	return o
}

// IfMatch makes an Update or Delete conditional on the resource still being at version
// ("3", or its ETag W/"3"): otherwise it fails with 412 (IsConflict).
func IfMatch(version string) WriteOption {
	return func(o *writeOpts) { o.ifMatch = strings.Trim(strings.TrimPrefix(version, "W/"), `"`) }
}

// IfNoneExist makes a Create conditional: if one resource matches q it is returned and nothing
// is created; more than one match fails with 412.
func IfNoneExist(q Query) WriteOption { return func(o *writeOpts) { o.ifNoneExist = q } }

// etag is the weak ETag of a version, or nil for none.
func etag(version string) *string {
	if version == "" {
		return nil
	}
	s := `W/"` + version + `"`
	return &s
}
