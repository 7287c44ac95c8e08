package fhirapi

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox/internal/outcome"
	"github.com/gm-lhcr/lhcr/sandbox/internal/search"
	"github.com/gm-lhcr/lhcr/sandbox/internal/store"
)

const contentType = outcome.ContentType

// etag is the weak ETag of a version.
func etag(version int64) string { return `W/"` + strconv.FormatInt(version, 10) + `"` }

// etagKey is "ETag" in canonical form ("Etag"): Set would canonicalise it, with an allocation,
// on every response.
var etagKey = http.CanonicalHeaderKey("ETag")

// parseETag reads an If-Match value: W/"3", "3" or 3. Zero means absent.
func parseETag(v *string) (int64, error) {
	if v == nil || strings.TrimSpace(*v) == "" {
		return 0, nil
	}
	s := strings.TrimSpace(*v)
	s = strings.TrimPrefix(s, "W/")
	s = strings.Trim(s, `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		return 0, outcome.BadRequest(`If-Match %q is not a version ETag: send the ETag you read, e.g. W/"3"`, *v)
	}
	return n, nil
}

// writeResource sends one stored version with its ETag and Last-Modified.
func writeResource(w http.ResponseWriter, status int, res store.Resource) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h[etagKey] = []string{etag(res.Version)}
	h.Set("Last-Modified", res.LastUpdated.UTC().Format(http.TimeFormat))
	w.WriteHeader(status)
	w.Write(res.JSON)
}

// fail sends err as an OperationOutcome, translating store and search errors.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, typ, id string, err error) {
	var se *search.Error
	switch {
	case errors.Is(err, store.ErrNotFound):
		err = outcome.NotFound("%s/%s is not known to this server", typ, id)
	case errors.Is(err, store.ErrGone):
		err = outcome.Errorf(http.StatusGone, api.OperationOutcomeIssueCodeDeleted, "%s/%s was deleted; its history is still readable at %s/%s/_history", typ, id, typ, id)
	case errors.Is(err, store.ErrVersionConflict):
		err = outcome.Errorf(http.StatusPreconditionFailed, api.OperationOutcomeIssueCodeConflict, "If-Match does not match the current version of %s/%s: read it again and reapply your change", typ, id)
	case errors.Is(err, store.ErrMultipleMatches):
		err = outcome.Errorf(http.StatusPreconditionFailed, api.OperationOutcomeIssueCodeMultipleMatches, "If-None-Exist matches more than one %s: make the condition more specific", typ)
	case errors.Is(err, store.ErrBadCursor):
		err = outcome.BadRequest("the _cursor parameter is not one this server issued for this query: follow the Bundle's next or previous link as given")
	case errors.As(err, &se):
		code := api.OperationOutcomeIssueCodeInvalid
		if se.NotSupported {
			code = api.OperationOutcomeIssueCodeNotSupported
		}
		err = outcome.Errorf(http.StatusBadRequest, code, "%s", se.Diagnostics)
	}
	outcome.WriteError(w, r, s.log, err)
}
