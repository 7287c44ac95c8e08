// Package portal is the developer portal: server-rendered pages under /portal where a developer
// signs in, registers apps and manages their credentials, reads each app's request log,
// browses the synthetic patients and reads the API reference. Pages are html/template with
// embedded assets (one stylesheet, one small script for the copy buttons); every page works
// without JavaScript except the copy buttons.
//
// Security: sessions are random 256-bit tokens in an HttpOnly, SameSite=Lax cookie (Secure on
// HTTPS); every form carries the session's CSRF token; every handler checks that the app it
// names belongs to the signed-in developer and answers 404 otherwise.
package portal

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gm-lhcr/lhcr/sandbox/internal/apps"
	"github.com/gm-lhcr/lhcr/sandbox/internal/search"
	"github.com/gm-lhcr/lhcr/sandbox/internal/store"
)

// Base is where the portal is mounted.
const Base = "/portal"

// Store is what the portal reads and writes besides the app registry: the synthetic patients
// (data browser) and the accounts of a hosted sandbox.
type Store interface {
	Read(ctx context.Context, typ, id string) (store.Resource, error)
	Search(ctx context.Context, q *search.Query) (store.Page, error)
	Everything(ctx context.Context, patientID string, count int, cursor string) (store.Page, error)
	CreateAccount(ctx context.Context, a store.Account) error
	AccountByEmail(ctx context.Context, email string) (store.Account, error)
}

// Config configures the portal. Registry, Store and Contract are required.
type Config struct {
	Registry *apps.Registry
	Store    Store
	// Contract is the API contract the reference pages are rendered from.
	Contract *openapi3.T
	// LocalDeveloperID is who a one-time sign-in link signs in as (the local developer).
	LocalDeveloperID string
	// Accounts turns on email + password accounts (sign-up and sign-in), for a hosted sandbox.
	Accounts bool
	// PublicURL is scheme://host[:port] of the sandbox; an https one makes cookies Secure
	// whatever the request says (a TLS-terminating proxy in front).
	PublicURL string
	Logger    *slog.Logger
	// SessionTTL is how long a session lasts; 0 means 12 hours.
	SessionTTL time.Duration
	// LinkTTL is how long a one-time sign-in link stays valid; 0 means 24 hours.
	LinkTTL time.Duration
}

// Portal serves the portal's pages. It is safe for concurrent use.
type Portal struct {
	cfg   Config
	log   *slog.Logger
	mux   *http.ServeMux
	pages map[string]*template.Template
	ref   reference
	now   func() time.Time

	mu       sync.Mutex
	sessions map[string]*session // by token hash
	links    map[string]time.Time
	failed   map[string]*failures // failed password sign-ins, by email
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// New builds the portal.
func New(cfg Config) (*Portal, error) {
	if cfg.Registry == nil || cfg.Store == nil || cfg.Contract == nil {
		return nil, errors.New("portal: a registry, a store and the contract are required")
	}
	if cfg.LocalDeveloperID == "" {
		return nil, errors.New("portal: the local developer id is required")
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.LinkTTL <= 0 {
		cfg.LinkTTL = 24 * time.Hour
	}
	p := &Portal{cfg: cfg, log: cfg.Logger, now: time.Now, sessions: map[string]*session{}, links: map[string]time.Time{},
		failed: map[string]*failures{}}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	var err error
	if p.pages, err = parsePages(); err != nil {
		return nil, err
	}
	p.ref = buildReference(cfg.Contract)
	p.routes()
	return p, nil
}

func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("portal: template %s: %w", n, err)
		}
		pages[name] = t
	}
	return pages, nil
}

func (p *Portal) routes() {
	m := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	m.Handle("GET "+Base+"/static/", http.StripPrefix(Base+"/static/", staticHandler(static)))
	m.HandleFunc("GET "+Base, p.home)
	m.HandleFunc("GET "+Base+"/{$}", p.home)
	m.HandleFunc("GET "+Base+"/signin", p.signInPage)
	m.HandleFunc("POST "+Base+"/signin", p.public(p.csrf(p.signIn)))
	m.HandleFunc("GET "+Base+"/signin/link", p.signInLink)
	m.HandleFunc("GET "+Base+"/signup", p.signUpPage)
	m.HandleFunc("POST "+Base+"/signup", p.public(p.csrf(p.signUp)))
	m.HandleFunc("POST "+Base+"/signout", p.public(p.csrf(p.signOut)))
	m.HandleFunc("GET "+Base+"/reference", p.referencePage)

	m.HandleFunc("GET "+Base+"/apps", p.auth(p.listApps))
	m.HandleFunc("GET "+Base+"/apps/new", p.auth(p.newApp))
	m.HandleFunc("POST "+Base+"/apps", p.auth(p.csrf(p.createApp)))
	m.HandleFunc("GET "+Base+"/apps/{id}", p.auth(p.viewApp))
	m.HandleFunc("POST "+Base+"/apps/{id}/secret", p.auth(p.csrf(p.rotateSecret)))
	m.HandleFunc("GET "+Base+"/apps/{id}/keys", p.auth(p.keysPage))
	m.HandleFunc("POST "+Base+"/apps/{id}/keys", p.auth(p.csrf(p.replaceKeys)))
	m.HandleFunc("GET "+Base+"/apps/{id}/delete", p.auth(p.deletePage))
	m.HandleFunc("POST "+Base+"/apps/{id}/delete", p.auth(p.csrf(p.deleteApp)))
	m.HandleFunc("GET "+Base+"/apps/{id}/requests", p.auth(p.requests))
	m.HandleFunc("GET "+Base+"/apps/{id}/requests/{rid}", p.auth(p.request))

	m.HandleFunc("GET "+Base+"/patients", p.auth(p.patients))
	m.HandleFunc("GET "+Base+"/patients/{id}", p.auth(p.patient))
	m.HandleFunc("GET "+Base+"/patients/{id}/json", p.auth(p.patientJSON))
	p.mux = m
}

// public adapts a form handler that needs no signed-in developer.
func (p *Portal) public(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { h(w, r, nil) }
}

// staticHandler serves the embedded assets with a short cache lifetime.
func staticHandler(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		files.ServeHTTP(w, r)
	})
}

// ServeHTTP serves the portal's pages: HTML, also for errors.
func (p *Portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	if _, pattern := p.mux.Handler(r); pattern == "" {
		p.notFound(w, r)
		return
	}
	p.mux.ServeHTTP(w, r)
}

// Matches reports whether path is the portal's.
func Matches(path string) bool { return path == Base || strings.HasPrefix(path, Base+"/") }

func (p *Portal) home(w http.ResponseWriter, r *http.Request) {
	if s := p.session(r); s != nil && s.developerID != "" {
		http.Redirect(w, r, Base+"/apps", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, Base+"/signin", http.StatusSeeOther)
}

// page is what every template gets.
type page struct {
	Title    string
	Nav      string // the current section: apps, patients, reference
	SignedIn bool
	Who      string
	CSRF     string
	Flash    string
	Accounts bool
	Data     any
}

// render writes the page name with status.
func (p *Portal) render(w http.ResponseWriter, r *http.Request, status int, name, title, nav string, data any) {
	t := p.pages[name]
	if t == nil {
		p.log.ErrorContext(r.Context(), "portal: no such template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	pg := page{Title: title, Nav: nav, Data: data, Accounts: p.cfg.Accounts}
	if s := p.session(r); s != nil {
		pg.CSRF = s.csrf
		pg.SignedIn = s.developerID != ""
		pg.Who = s.who
		pg.Flash = p.takeFlash(s)
	} else if name == "signin" || name == "signup" {
		// The sign-in forms need a CSRF token before there is a developer: an anonymous session.
		s := p.newSession(w, r, "", "")
		pg.CSRF = s.csrf
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout", pg); err != nil {
		p.log.ErrorContext(r.Context(), "portal: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write([]byte(b.String()))
}

// errorPage is an HTML error: what a browser gets instead of an OperationOutcome.
type errorPage struct {
	Status  int
	Heading string
	Message string
}

func (p *Portal) fail(w http.ResponseWriter, r *http.Request, status int, heading, msg string) {
	p.render(w, r, status, "error", heading, "", errorPage{Status: status, Heading: heading, Message: msg})
}

func (p *Portal) notFound(w http.ResponseWriter, r *http.Request) {
	p.fail(w, r, http.StatusNotFound, "Page not found", "There is nothing at this address. Use the navigation above, or go back to your apps.")
}

// internal answers a server failure; the details go to the log only.
func (p *Portal) internal(w http.ResponseWriter, r *http.Request, err error) {
	p.log.ErrorContext(r.Context(), "portal: request failed", "path", r.URL.Path, "err", err)
	p.fail(w, r, http.StatusInternalServerError, "Something went wrong", "The sandbox could not complete this request. Try again; if it keeps failing, check the sandbox's log.")
}
