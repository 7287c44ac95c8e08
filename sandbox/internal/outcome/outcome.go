// Package outcome renders errors as FHIR OperationOutcome responses: the one shape every FHIR
// and developer API error takes, with the HTTP status and FHIR issue code that fit.
package outcome

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gm-lhcr/lhcr/openapi/api"
)

// ContentType is the media type of FHIR responses.
const ContentType = "application/fhir+json; charset=utf-8"

// Error is an expected failure of a request: it becomes an OperationOutcome with Status.
type Error struct {
	Status      int
	Code        api.OperationOutcomeIssueCode
	Diagnostics string
	// Expression names the elements at fault, as FHIRPath (e.g. "Patient.id").
	Expression []string
	// RetryAfter, when positive, is sent as the Retry-After header (seconds).
	RetryAfter int
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Diagnostics) }

// Errorf returns an *Error with a formatted diagnostics message.
func Errorf(status int, code api.OperationOutcomeIssueCode, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Diagnostics: fmt.Sprintf(format, args...)}
}

// Shorthands for the common cases.

// BadRequest is a 400 "invalid".
func BadRequest(format string, args ...any) *Error {
	return Errorf(http.StatusBadRequest, api.OperationOutcomeIssueCodeInvalid, format, args...)
}

// NotFound is a 404 "not-found".
func NotFound(format string, args ...any) *Error {
	return Errorf(http.StatusNotFound, api.OperationOutcomeIssueCodeNotFound, format, args...)
}

// Unprocessable is a 422 "invalid" (a well-formed but invalid resource).
func Unprocessable(format string, args ...any) *Error {
	return Errorf(http.StatusUnprocessableEntity, api.OperationOutcomeIssueCodeInvalid, format, args...)
}

// Resource builds an OperationOutcome with a single issue.
func Resource(severity api.OperationOutcomeIssueSeverity, code api.OperationOutcomeIssueCode, diagnostics string, expression ...string) api.OperationOutcome {
	return api.OperationOutcome{
		ResourceType: api.OperationOutcomeResourceTypeOperationOutcome,
		Issue: []api.OperationOutcomeIssue{{
			Severity:    severity,
			Code:        code,
			Diagnostics: &diagnostics,
			Expression:  expression,
		}},
	}
}

// Write sends e as an OperationOutcome.
func (e *Error) Write(w http.ResponseWriter) {
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	WriteJSON(w, e.Status, Resource(api.OperationOutcomeIssueSeverityError, e.Code, e.Diagnostics, e.Expression...))
}

// StatusClientClosedRequest is the status logged for a request whose client went away before
// the answer was ready (nginx's convention; no client ever sees it).
const StatusClientClosedRequest = 499

// WriteError sends err as an OperationOutcome: an *Error (anywhere in the chain) as itself, any
// other error as a 500 whose details go to the log only, never to the client.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	if e, ok := errors.AsType[*Error](err); ok {
		e.Write(w)
		return
	}
	if r.Context().Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		// The client went away (or the server is shutting down) while the request ran: nobody
		// reads an answer, and it is not a server failure. 499 marks it in the access log.
		if log != nil {
			log.DebugContext(r.Context(), "request abandoned by the client", "method", r.Method, "path", r.URL.Path)
		}
		w.WriteHeader(StatusClientClosedRequest)
		return
	}
	if log != nil {
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	(&Error{
		Status:      http.StatusInternalServerError,
		Code:        api.OperationOutcomeIssueCodeException,
		Diagnostics: "the server failed to process the request; quote the X-Request-ID header when you report it",
	}).Write(w)
}

// WriteJSON sends v as FHIR JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // diagnostics say <token>, not \u003ctoken\u003e
	err := enc.Encode(v)
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"fatal","code":"exception","diagnostics":"response encoding failed"}]}`)
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(status)
	w.Write(b)
}
