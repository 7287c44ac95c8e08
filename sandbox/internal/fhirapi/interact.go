package fhirapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox/internal/outcome"
	"github.com/gm-lhcr/lhcr/sandbox/internal/search"
	"github.com/gm-lhcr/lhcr/sandbox/internal/store"
)

// read serves the current version of typ/id.
func (s *Server) read(w http.ResponseWriter, r *http.Request, typ, id string) {
	res, err := s.store.Read(r.Context(), typ, id)
	if err != nil {
		s.fail(w, r, typ, id, err)
		return
	}
	writeResource(w, http.StatusOK, res)
}

// vread serves one version of typ/id.
func (s *Server) vread(w http.ResponseWriter, r *http.Request, typ, id, vid string) {
	v, err := strconv.ParseInt(vid, 10, 64)
	if err != nil || v < 1 {
		s.fail(w, r, typ, id, outcome.BadRequest("version %q is not a version number: versions are 1, 2, 3…", vid))
		return
	}
	res, err := s.store.VRead(r.Context(), typ, id, v)
	if errors.Is(err, store.ErrNotFound) {
		err = outcome.NotFound("%s/%s has no version %d", typ, id, v)
	} else if errors.Is(err, store.ErrGone) {
		err = outcome.Errorf(http.StatusGone, api.OperationOutcomeIssueCodeDeleted, "version %d of %s/%s records its deletion", v, typ, id)
	}
	if err != nil {
		s.fail(w, r, typ, id, err)
		return
	}
	writeResource(w, http.StatusOK, res)
}

// body reads and checks a resource body: a JSON object whose resourceType is typ.
func body(r *http.Request, typ string) ([]byte, map[string]json.RawMessage, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, nil, outcome.Errorf(http.StatusRequestEntityTooLarge, api.OperationOutcomeIssueCodeTooLong, "the resource is larger than the limit of %d bytes", mbe.Limit)
		}
		return nil, nil, outcome.BadRequest("the request body could not be read: %v", err)
	}
	if !utf8.Valid(b) {
		// Go's JSON decoder would quietly replace the bad bytes, yet they would be stored and served.
		return nil, nil, outcome.BadRequest("the body is not valid UTF-8: FHIR JSON must be encoded in UTF-8")
	}
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, nil, outcome.BadRequest("the body is not a JSON object: send one FHIR resource as JSON, e.g. {\"resourceType\":\"%s\", …}", typ)
	}
	// Only JSON whitespace may follow the object (dec.More misses a stray '}' or ']').
	if len(bytes.Trim(b[dec.InputOffset():], " \t\r\n")) > 0 {
		return nil, nil, outcome.BadRequest("the body goes on after the resource's closing '}': send exactly one JSON object")
	}
	var rt string
	if err := json.Unmarshal(obj["resourceType"], &rt); err != nil || rt == "" {
		return nil, nil, &outcome.Error{Status: http.StatusUnprocessableEntity, Code: api.OperationOutcomeIssueCodeRequired,
			Diagnostics: "the resource has no resourceType: add \"resourceType\": \"" + typ + "\"", Expression: []string{typ + ".resourceType"}}
	}
	if rt != typ {
		return nil, nil, &outcome.Error{Status: http.StatusUnprocessableEntity, Code: api.OperationOutcomeIssueCodeInvalid,
			Diagnostics: "the body is a " + rt + " but this URL takes a " + typ + ": send it to /fhir/R4/" + rt, Expression: []string{typ + ".resourceType"}}
	}
	return b, obj, nil
}

// preferReturn reads Prefer: return=minimal|representation|OperationOutcome.
func preferReturn(r *http.Request) string {
	for _, p := range strings.Split(r.Header.Get("Prefer"), ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(p), "return="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return "representation"
}

// preferStrict reports Prefer: handling=strict.
func preferStrict(r *http.Request) bool {
	for _, p := range strings.Split(r.Header.Get("Prefer"), ",") {
		if strings.TrimSpace(p) == "handling=strict" {
			return true
		}
	}
	return false
}

// written answers a successful write according to Prefer.
func (s *Server) written(w http.ResponseWriter, r *http.Request, status int, res store.Resource) {
	h := w.Header()
	if status == http.StatusCreated {
		h.Set("Location", s.base(r)+"/"+res.Type+"/"+res.ID+"/_history/"+strconv.FormatInt(res.Version, 10))
	}
	switch preferReturn(r) {
	case "minimal":
		h[etagKey] = []string{etag(res.Version)}
		h.Set("Last-Modified", res.LastUpdated.UTC().Format(http.TimeFormat))
		w.WriteHeader(status)
	case "OperationOutcome":
		h[etagKey] = []string{etag(res.Version)}
		h.Set("Last-Modified", res.LastUpdated.UTC().Format(http.TimeFormat))
		outcome.WriteJSON(w, status, outcome.Resource(api.OperationOutcomeIssueSeverityInformation, api.OperationOutcomeIssueCodeInformational,
			res.Type+"/"+res.ID+" version "+strconv.FormatInt(res.Version, 10)+" stored"))
	default:
		writeResource(w, status, res)
	}
}

// create stores a new resource, or with If-None-Exist returns the single existing match.
func (s *Server) create(w http.ResponseWriter, r *http.Request, typ string, ifNoneExist *string) {
	b, _, err := body(r, typ)
	if err != nil {
		s.fail(w, r, typ, "", err)
		return
	}
	var cond *search.Query
	if ifNoneExist != nil && strings.TrimSpace(*ifNoneExist) != "" {
		vals, perr := url.ParseQuery(strings.TrimPrefix(strings.TrimSpace(*ifNoneExist), "?"))
		if perr != nil {
			s.fail(w, r, typ, "", outcome.BadRequest("If-None-Exist is not a query string: send e.g. identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018"))
			return
		}
		q, perr := search.Parse(typ, vals, true)
		if perr != nil {
			s.fail(w, r, typ, "", perr)
			return
		}
		if len(q.Clauses) == 0 && len(q.IDs) == 0 {
			s.fail(w, r, typ, "", outcome.BadRequest("If-None-Exist needs at least one search parameter, e.g. identifier=system|value"))
			return
		}
		cond = q
	}
	res, err := s.store.Create(r.Context(), typ, b, cond)
	if err != nil {
		s.fail(w, r, typ, "", err)
		return
	}
	status := http.StatusCreated
	if !res.Created {
		status = http.StatusOK
	}
	s.written(w, r, status, res.Resource)
}

// update stores a new version of typ/id (creating it if absent).
func (s *Server) update(w http.ResponseWriter, r *http.Request, typ, id string, ifMatch *string) {
	version, err := parseETag(ifMatch)
	if err != nil {
		s.fail(w, r, typ, id, err)
		return
	}
	b, obj, err := body(r, typ)
	if err != nil {
		s.fail(w, r, typ, id, err)
		return
	}
	var bodyID string
	if raw, ok := obj["id"]; !ok || json.Unmarshal(raw, &bodyID) != nil || bodyID == "" {
		s.fail(w, r, typ, id, &outcome.Error{Status: http.StatusBadRequest, Code: api.OperationOutcomeIssueCodeRequired,
			Diagnostics: "an update must carry the resource's id: add \"id\": \"" + id + "\" to the body", Expression: []string{typ + ".id"}})
		return
	}
	if bodyID != id {
		s.fail(w, r, typ, id, &outcome.Error{Status: http.StatusBadRequest, Code: api.OperationOutcomeIssueCodeInvalid,
			Diagnostics: "the id in the body (" + bodyID + ") differs from the id in the URL (" + id + ")", Expression: []string{typ + ".id"}})
		return
	}
	res, err := s.store.Update(r.Context(), typ, id, b, version)
	if err != nil {
		s.fail(w, r, typ, id, err)
		return
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	s.written(w, r, status, res.Resource)
}

// remove deletes typ/id.
func (s *Server) remove(w http.ResponseWriter, r *http.Request, typ, id string, ifMatch *string) {
	version, err := parseETag(ifMatch)
	if err != nil {
		s.fail(w, r, typ, id, err)
		return
	}
	if err := s.store.Delete(r.Context(), typ, id, version); err != nil {
		s.fail(w, r, typ, id, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// search runs a search given as query parameters (GET) or as a form (POST _search).
func (s *Server) search(w http.ResponseWriter, r *http.Request, typ string, post bool) {
	// url.Query would drop a malformed pair silently, widening the search: refuse it instead.
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		s.fail(w, r, typ, "", outcome.BadRequest("the query string is malformed (%v): percent-encode reserved characters", err))
		return
	}
	if post {
		if err := r.ParseForm(); err != nil {
			s.fail(w, r, typ, "", outcome.BadRequest("the form body could not be parsed: %v", err))
			return
		}
		values = r.Form
	}
	for k, vs := range values {
		for _, v := range append([]string{k}, vs...) {
			if !utf8.ValidString(v) {
				s.fail(w, r, typ, "", outcome.BadRequest("search parameter %q is not valid UTF-8 once decoded", strings.ToValidUTF8(k, "?")))
				return
			}
		}
	}
	q, perr := search.Parse(typ, values, preferStrict(r))
	if perr != nil {
		s.fail(w, r, typ, "", perr)
		return
	}
	page, err := s.store.Search(r.Context(), q)
	if err != nil {
		s.fail(w, r, typ, "", err)
		return
	}
	self := s.base(r) + "/" + typ
	s.writeBundle(w, r, searchset(self, withCursor(q.Encode(), q.Cursor), page, s.base(r)))
}

// history serves the versions of typ/id, newest first.
func (s *Server) history(w http.ResponseWriter, r *http.Request, typ, id string, count *int32, cursor *string) {
	n := pageSize(count)
	page, err := s.store.History(r.Context(), typ, id, n, deref(cursor))
	if err != nil {
		s.fail(w, r, typ, id, err)
		return
	}
	q := withCursor(url.Values{"_count": {strconv.Itoa(n)}}, deref(cursor))
	s.writeBundle(w, r, historyBundle(s.base(r)+"/"+typ+"/"+id+"/_history", q, page, s.base(r)))
}

// everything serves a patient and every resource that references it.
func (s *Server) everything(w http.ResponseWriter, r *http.Request, id string, count *int32, cursor *string) {
	n := pageSize(count)
	page, err := s.store.Everything(r.Context(), id, n, deref(cursor))
	if err != nil {
		s.fail(w, r, "Patient", id, err)
		return
	}
	q := withCursor(url.Values{"_count": {strconv.Itoa(n)}}, deref(cursor))
	s.writeBundle(w, r, searchset(s.base(r)+"/Patient/"+id+"/$everything", q, page, s.base(r)))
}

func pageSize(count *int32) int {
	if count == nil {
		return search.DefaultCount
	}
	return min(max(int(*count), 0), search.MaxCount)
}

// withCursor adds the cursor of the page being served to its query, so that the self link
// replays this page rather than the first.
func withCursor(q url.Values, cursor string) url.Values {
	if cursor != "" {
		q.Set("_cursor", cursor)
	}
	return q
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
