// Package requestlog keeps the recent requests of each app — what the portal and the developer
// API show a partner debugging a 401 or a 403. It holds the last PerApp entries of each app in
// memory; it is a debugging aid, not an audit trail, and starts empty after a restart.
package requestlog

import (
	"context"
	"sync"
	"time"

	"github.com/gm-lhcr/lhcr/openapi/api"
)

// PerApp is how many entries are kept for each app.
const PerApp = 200

// Entry is one request.
type Entry struct {
	Time      time.Time
	ClientID  string
	Method    string
	Path      string // without the query (which may hold personal data)
	Status    int
	Latency   time.Duration
	RequestID string
	// Outcome is the OperationOutcome of an error response, when there was one.
	Outcome *api.OperationOutcome
}

// Log is a set of per-app ring buffers. The zero value is ready to use.
type Log struct {
	mu   sync.Mutex
	apps map[string]*ring
}

type ring struct {
	entries [PerApp]Entry
	next    int
	n       int
}

// Add records e under e.ClientID.
func (l *Log) Add(e Entry) {
	if e.ClientID == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.apps == nil {
		l.apps = map[string]*ring{}
	}
	r := l.apps[e.ClientID]
	if r == nil {
		r = &ring{}
		l.apps[e.ClientID] = r
	}
	r.entries[r.next] = e
	r.next = (r.next + 1) % PerApp
	r.n = min(r.n+1, PerApp)
}

// Recent returns up to limit entries of clientID, newest first, whose status is in class
// (1 to 5 for 1xx to 5xx; 0 for all).
func (l *Log) Recent(clientID string, class, limit int) []Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.apps[clientID]
	if r == nil || limit <= 0 {
		return nil
	}
	out := make([]Entry, 0, min(limit, r.n))
	for i := 1; i <= r.n && len(out) < limit; i++ {
		e := r.entries[(r.next-i+PerApp)%PerApp]
		if class == 0 || e.Status/100 == class {
			out = append(out, e)
		}
	}
	return out
}

// Forget drops the entries of clientID (when the app is deleted).
func (l *Log) Forget(clientID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.apps, clientID)
}

type trackKey struct{}

type tracker struct {
	mu       sync.Mutex
	clientID string
}

// Track returns a context in which Attribute can name the app a request belongs to, and a
// function that reports the app named ("" if none).
func Track(ctx context.Context) (context.Context, func() string) {
	t := &tracker{}
	return context.WithValue(ctx, trackKey{}, t), func() string {
		t.mu.Lock()
		defer t.mu.Unlock()
		return t.clientID
	}
}

// Attribute names the app the request in ctx belongs to (once its credentials were verified).
func Attribute(ctx context.Context, clientID string) {
	if t, ok := ctx.Value(trackKey{}).(*tracker); ok {
		t.mu.Lock()
		t.clientID = clientID
		t.mu.Unlock()
	}
}
