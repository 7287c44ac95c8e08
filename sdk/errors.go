package sdk

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Error is a request the server refused or failed: every non-2xx answer from the FHIR API, the
// token endpoint or the developer API. Inspect it with errors.As, or with IsNotFound and the other
// Is functions:
//
//	var fe *sdk.Error
//	if errors.As(err, &fe) {
//		log.Printf("status %d, request id %s: %s", fe.Status, fe.RequestID, fe.Diagnostics())
//	}
//
// Its message carries the server's diagnostics and the request id (quote it when you ask for
// help) and never a secret, token or query string.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// Method and Path name the request (the path without its query, which may hold identifiers).
	Method, Path string
	// RequestID is the X-Request-ID of the request: the one the SDK sent, as echoed by the server.
	RequestID string
	// Outcome is the FHIR OperationOutcome the server answered with, when it sent one.
	Outcome *OperationOutcome
	// OAuthCode is the RFC 6749 error code from the token endpoint (invalid_client,
	// invalid_scope…), when the error came from there.
	OAuthCode string
	// OAuthDescription is the token endpoint's error_description.
	OAuthDescription string
	// RetryAfter is the server's Retry-After, when it sent one (429, 503).
	RetryAfter time.Duration
	// Attempts is how many times the request was sent (more than 1 after retries).
	Attempts int
}

// Error describes the failure: status, request, diagnostics and request id.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("lhcr: ")
	if e.Method != "" {
		fmt.Fprintf(&b, "%s %s: ", e.Method, e.Path)
	}
	fmt.Fprintf(&b, "%d %s", e.Status, http.StatusText(e.Status))
	if e.OAuthCode != "" {
		fmt.Fprintf(&b, ": %s", e.OAuthCode)
		if e.OAuthDescription != "" {
			fmt.Fprintf(&b, " (%s)", e.OAuthDescription)
		}
	}
	if d := e.Diagnostics(); d != "" {
		fmt.Fprintf(&b, ": %s", d)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request id %s]", e.RequestID)
	}
	return b.String()
}

// Issues returns the OperationOutcome's issues (none when the server sent no OperationOutcome).
func (e *Error) Issues() []OperationOutcomeIssue {
	if e.Outcome == nil {
		return nil
	}
	return e.Outcome.Issue
}

// Code returns the first issue's FHIR issue code (not-found, invalid, conflict…), or the OAuth
// error code, or "".
func (e *Error) Code() string {
	for _, is := range e.Issues() {
		return string(is.Code)
	}
	return e.OAuthCode
}

// Diagnostics joins the issues' diagnostics (or their details' text) with "; ".
func (e *Error) Diagnostics() string {
	var parts []string
	for _, is := range e.Issues() {
		switch {
		case is.Diagnostics != nil && *is.Diagnostics != "":
			parts = append(parts, string(is.Code)+": "+*is.Diagnostics)
		case is.Details != nil && is.Details.Text != nil:
			parts = append(parts, string(is.Code)+": "+*is.Details.Text)
		default:
			parts = append(parts, string(is.Code))
		}
	}
	return strings.Join(parts, "; ")
}

func statusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// IsNotFound reports whether err is a 404 Not Found or a 410 Gone (a deleted resource).
func IsNotFound(err error) bool {
	s := statusOf(err)
	return s == http.StatusNotFound || s == http.StatusGone
}

// IsGone reports whether err is a 410 Gone: the resource existed and was deleted.
func IsGone(err error) bool { return statusOf(err) == http.StatusGone }

// IsUnauthorized reports whether err is a 401: no valid token, or (from the token endpoint) the
// client credentials were refused.
func IsUnauthorized(err error) bool { return statusOf(err) == http.StatusUnauthorized }

// IsForbidden reports whether err is a 403: the token's scopes do not cover the interaction.
func IsForbidden(err error) bool { return statusOf(err) == http.StatusForbidden }

// IsConflict reports whether err is a version conflict: 409 Conflict or 412 Precondition Failed
// (an If-Match that no longer matches, because someone else updated the resource).
func IsConflict(err error) bool {
	s := statusOf(err)
	return s == http.StatusConflict || s == http.StatusPreconditionFailed
}

// IsRateLimited reports whether err is a 429 Too Many Requests (after any retries).
func IsRateLimited(err error) bool { return statusOf(err) == http.StatusTooManyRequests }

// maxErrorBody bounds how much of an error body is read.
const maxErrorBody = 1 << 20

// newError turns a non-2xx response into an *Error, reading (and closing) its body. The body is
// parsed as an OperationOutcome or an RFC 6749 error; anything else is left out of the message.
func newError(resp *http.Response) *Error {
	defer resp.Body.Close()
	e := &Error{Status: resp.StatusCode, RequestID: resp.Header.Get(headerRequestID)}
	if resp.Request != nil {
		e.Method, e.Path = resp.Request.Method, resp.Request.URL.Path
		if e.RequestID == "" {
			e.RequestID = resp.Request.Header.Get(headerRequestID)
		}
		if n, ok := resp.Request.Context().Value(attemptsKey{}).(*int); ok {
			e.Attempts = *n
		}
	}
	e.RetryAfter, _ = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); !strings.Contains(mt, "json") {
		return e
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if err != nil {
		return e
	}
	var probe struct {
		ResourceType     string `json:"resourceType"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	if json.Unmarshal(body, &probe) != nil {
		return e
	}
	switch {
	case probe.ResourceType == "OperationOutcome":
		var oo OperationOutcome
		if json.Unmarshal(body, &oo) == nil {
			e.Outcome = &oo
		}
	case probe.Error != "":
		e.OAuthCode, e.OAuthDescription = probe.Error, probe.ErrorDescription
	}
	return e
}

// fromTokenError turns a token endpoint failure reported by golang.org/x/oauth2 into an *Error.
// Other errors (network, context) are returned as they are.
func fromTokenError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		return err
	}
	e := &Error{
		Status:           re.Response.StatusCode,
		Method:           http.MethodPost,
		RequestID:        re.Response.Header.Get(headerRequestID),
		OAuthCode:        re.ErrorCode,
		OAuthDescription: re.ErrorDescription,
	}
	if re.Response.Request != nil {
		e.Path = re.Response.Request.URL.Path
		if e.RequestID == "" {
			e.RequestID = re.Response.Request.Header.Get(headerRequestID)
		}
	}
	if e.OAuthCode == "" {
		e.OAuthCode = "token request failed"
	}
	return e
}
