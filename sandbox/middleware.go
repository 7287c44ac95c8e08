package sandbox

import (
	"encoding/json"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox/internal/capture"
	"github.com/gm-lhcr/lhcr/sandbox/internal/limits"
	"github.com/gm-lhcr/lhcr/sandbox/internal/outcome"
	"github.com/gm-lhcr/lhcr/sandbox/internal/requestid"
	"github.com/gm-lhcr/lhcr/sandbox/internal/requestlog"
	"github.com/gm-lhcr/lhcr/sandbox/internal/validate"
)

// OAuthMaxBodyBytes caps OAuth form bodies.
const OAuthMaxBodyBytes = 64 << 10

// chain wraps the router in the middleware every request passes: request id, access log,
// the per-app request log, panic recovery, body limits, content negotiation and the token
// endpoints' brute-force guard.
func chain(log *slog.Logger, maxBody int64, reqlog *requestlog.Log, guard *limits.TokenGuard, next http.Handler) http.Handler {
	return requestid.Middleware(accessLog(log, appLog(reqlog, recoverer(log, negotiate(maxBody, guard.Wrap(next))))))
}

// maxCaptured bounds how much of an error body the request log keeps.
const maxCaptured = 16 << 10

// appLog records each request an app makes (identified by its token or client credentials) in
// that app's request log, with the OperationOutcome of an error: how a partner debugs a 401.
func appLog(reqlog *requestlog.Log, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx, attributed := requestlog.Track(r.Context())
		sw := &capture.Writer{ResponseWriter: w, Limit: maxCaptured, From: 400}
		next.ServeHTTP(sw, r.WithContext(ctx))
		id := attributed()
		if id == "" {
			return
		}
		e := requestlog.Entry{Time: start.UTC(), ClientID: id, Method: r.Method, Path: r.URL.Path, Status: sw.Status,
			Latency: time.Since(start), RequestID: requestid.FromContext(r.Context())}
		if sw.Status >= 400 {
			var oo api.OperationOutcome
			if json.Unmarshal(sw.Body, &oo) == nil && oo.ResourceType == api.OperationOutcomeResourceTypeOperationOutcome {
				e.Outcome = &oo
			}
		}
		reqlog.Add(e)
	})
}

// accessLog logs one line per request: method, path (never the query, which may hold NHS
// numbers or names), status, latency and request id. Headers and bodies are never logged.
func accessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &capture.Writer{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		level := slog.LevelInfo
		if sw.Status >= 500 {
			level = slog.LevelError
		}
		log.LogAttrs(r.Context(), level, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", sw.Status),
			slog.Duration("latency", time.Since(start)),
			slog.String("request_id", requestid.FromContext(r.Context())))
	})
}

// recoverer turns a panic into a 500 OperationOutcome and an error log, never a dropped connection.
func recoverer(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v)
				outcome.WriteError(w, r, nil, errorf(http.StatusInternalServerError, api.OperationOutcomeIssueCodeException,
					"the server failed to process the request; quote the X-Request-ID header when you report it"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// negotiate caps request bodies, accepts application/json as FHIR JSON, and refuses formats the
// sandbox does not serve (XML) with 406.
func negotiate(maxBody int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := maxBody
		if validate.IsOAuth(r.URL.Path) {
			limit = OAuthMaxBodyBytes
		}
		if r.ContentLength > limit {
			validate.WriteError(w, r, errorf(http.StatusRequestEntityTooLarge, api.OperationOutcomeIssueCodeTooLong,
				"the request body is %d bytes, over the limit of %d", r.ContentLength, limit))
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		if strings.HasPrefix(r.URL.Path, "/fhir/R4/") {
			if e := fhirFormat(r); e != nil {
				e.Write(w)
				return
			}
			if ct := r.Header.Get("Content-Type"); ct != "" {
				if mt, params, err := mime.ParseMediaType(ct); err == nil && mt == "application/json" {
					r.Header.Set("Content-Type", mime.FormatMediaType("application/fhir+json", params))
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// formatParam is the _format query parameter; most reads have no query to parse.
func formatParam(r *http.Request) string {
	if r.URL.RawQuery == "" {
		return ""
	}
	return r.URL.Query().Get("_format")
}

// fhirFormat checks _format and Accept: only FHIR JSON is served.
func fhirFormat(r *http.Request) *outcome.Error {
	if f := formatParam(r); f != "" {
		switch f {
		case "json", "application/json", "application/fhir+json":
		default:
			return errorf(http.StatusNotAcceptable, api.OperationOutcomeIssueCodeNotSupported,
				"_format=%s is not served: this server speaks FHIR JSON only (_format=json)", f)
		}
	}
	accept := r.Header.Get("Accept")
	if accept == "" {
		return nil
	}
	for _, part := range strings.Split(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "application/fhir+json", "application/json", "*/*", "application/*", "application/json+fhir":
			return nil
		}
	}
	return errorf(http.StatusNotAcceptable, api.OperationOutcomeIssueCodeNotSupported,
		"Accept: %s is not served: this server speaks FHIR JSON only (application/fhir+json)", accept)
}
