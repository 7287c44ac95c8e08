// Package store persists FHIR resources with their full version history and the search index
// rows derived from them, written in the same transaction as the resource. The Store interface
// is what the FHIR API needs; SQLite implements it (a PostgreSQL implementation can follow and run
// the same contract tests).
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gm-lhcr/lhcr/sandbox/internal/search"
)

// Resource is one version of a stored resource.
type Resource struct {
	Type        string
	ID          string
	Version     int64
	LastUpdated time.Time
	// Deleted is true for the version that records a deletion; JSON is nil then.
	Deleted bool
	// Method is the interaction that produced the version: POST, PUT or DELETE.
	Method string
	// JSON is the resource as served, with id and meta.versionId/lastUpdated set.
	JSON []byte
}

// Page is one page of a search, history or $everything.
type Page struct {
	Resources []Resource
	// Next and Prev are opaque cursors for the following and preceding pages ("" when none).
	Next, Prev string
	// Total is the number of matches, or -1 when it was not computed.
	Total int
}

// Errors the store reports. Callers test them with errors.Is.
var (
	ErrNotFound = errors.New("store: resource not found")
	ErrGone     = errors.New("store: resource deleted")
	// ErrVersionConflict: If-Match did not match the current version.
	ErrVersionConflict = errors.New("store: version conflict")
	// ErrMultipleMatches: a conditional create matched more than one resource.
	ErrMultipleMatches = errors.New("store: more than one resource matches")
	// ErrBadCursor: a paging cursor that this store did not produce (or for another query).
	ErrBadCursor = errors.New("store: invalid paging cursor")
)

// WriteResult says what a write did.
type WriteResult struct {
	Resource Resource
	// Created is true when the write created the resource (create, update-as-create).
	Created bool
}

// Store is the persistence the FHIR API needs. All methods are safe for concurrent use.
type Store interface {
	// Read returns the current version; ErrNotFound or ErrGone.
	Read(ctx context.Context, typ, id string) (Resource, error)
	// VRead returns one version; ErrNotFound, or ErrGone for the version that records a deletion.
	VRead(ctx context.Context, typ, id string, version int64) (Resource, error)
	// Create stores a new resource with a server-assigned id. With ifNoneExist, an existing single
	// match is returned instead (Created false), and several matches are ErrMultipleMatches.
	Create(ctx context.Context, typ string, body []byte, ifNoneExist *search.Query) (WriteResult, error)
	// Update stores a new version of typ/id, creating it if absent. ifMatch > 0 requires the
	// current version to be ifMatch (ErrVersionConflict otherwise).
	Update(ctx context.Context, typ, id string, body []byte, ifMatch int64) (WriteResult, error)
	// Delete records a deletion. Deleting an absent or already deleted resource is not an
	// error (FHIR's delete is idempotent), unless ifMatch > 0 cannot be satisfied.
	Delete(ctx context.Context, typ, id string, ifMatch int64) error
	// Search runs a parsed query; one page of results.
	Search(ctx context.Context, q *search.Query) (Page, error)
	// History pages through the versions of one resource, newest first.
	History(ctx context.Context, typ, id string, count int, cursor string) (Page, error)
	// Everything pages through a patient and every resource that references it, patient first.
	Everything(ctx context.Context, patientID string, count int, cursor string) (Page, error)
	// Import writes prepared resources as version 1, in one transaction, as seeding does. The
	// ids must not exist yet (Reset first to re-seed).
	Import(ctx context.Context, resources []Prepared) error
	// BulkLoad runs load, Imports into an empty store, faster than Imports alone: the search
	// indexes are built once at the end. If the process stops during load, the indexes are
	// built when the store is next opened.
	BulkLoad(ctx context.Context, load func(context.Context) error) error
	// Count returns how many live resources of typ there are ("" for all types).
	Count(ctx context.Context, typ string) (int, error)
	// Reset removes every resource, version and index row.
	Reset(ctx context.Context) error
	// Setting and SetSetting keep facts about the database, such as how it was seeded.
	Setting(ctx context.Context, key string) (value string, ok bool, err error)
	SetSetting(ctx context.Context, key, value string) error
	DeleteSetting(ctx context.Context, key string) error
	// IntegrityCheck runs the database's own consistency check; nil when sound.
	IntegrityCheck(ctx context.Context) error
	Close() error
}

// Prepared is a resource ready to import: its JSON stamped as version 1 and its search index
// entries extracted. Prepare is CPU work only, safe to run on many goroutines, so that seeding
// can keep the single writer busy with nothing but inserts.
type Prepared struct {
	Type, ID    string
	LastUpdated time.Time
	JSON        []byte
	Entries     []search.Entry
}

// Prepare stamps body (a resource of typ with id, without meta.versionId and meta.lastUpdated)
// as version 1 at time at and extracts its index entries.
func Prepare(typ, id string, body []byte, at time.Time) (Prepared, error) {
	at = at.UTC().Truncate(time.Millisecond)
	js, err := stampNew(body, typ, id, at)
	if err != nil {
		return Prepared{}, err
	}
	entries, err := search.Extract(typ, js)
	if err != nil {
		return Prepared{}, fmt.Errorf("store: index %s/%s: %w", typ, id, err)
	}
	return Prepared{Type: typ, ID: id, LastUpdated: at, JSON: js, Entries: entries}, nil
}
