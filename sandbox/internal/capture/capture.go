// Package capture wraps an http.ResponseWriter to record what a handler sent: the status and,
// when asked, the first bytes of the body. The access log, the per-app request log, the token
// endpoints' failure counting and idempotent writes all read responses this way.
package capture

import "net/http"

// Writer records the status and up to Limit bytes of the body of responses whose status is at
// least From. The zero Limit keeps no body.
type Writer struct {
	http.ResponseWriter
	// Limit is how many body bytes to keep; From is the lowest status whose body is kept
	// (0 for every status).
	Limit, From int
	// Status is the status sent (200 when the handler wrote a body without WriteHeader; 0 when
	// it sent nothing at all).
	Status int
	// Body holds the kept bytes; Overflow is set when the body was longer than Limit.
	Body     []byte
	Overflow bool
}

// WriteHeader records the first status and sends it.
func (w *Writer) WriteHeader(code int) {
	if w.Status == 0 {
		w.Status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write keeps what fits within Limit and sends b.
func (w *Writer) Write(b []byte) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	if w.Limit > 0 && w.Status >= w.From {
		room := w.Limit - len(w.Body)
		if len(b) > room {
			w.Overflow = true
		}
		w.Body = append(w.Body, b[:max(0, min(len(b), room))]...)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *Writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
