package portal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gm-lhcr/lhcr/sandbox/internal/store"
)

// CookieName is the session cookie.
const CookieName = "lhcr_portal"

// CSRFField is the form field that carries the CSRF token.
const CSRFField = "csrf"

// maxSessions bounds the sessions held; the oldest go first.
const maxSessions = 10000

// anonymousTTL is the lifetime of a session that has not signed in (it only holds a CSRF token
// for the sign-in form).
const anonymousTTL = time.Hour

// session is a browser's session. An anonymous session (developerID "") exists so that the
// sign-in forms carry a CSRF token too.
type session struct {
	developerID string
	who         string // what the header shows: an email or "local developer"
	csrf        string
	flash       string
	expires     time.Time
}

func token() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// key is how a session token is held: a hash, so that a heap dump holds no usable cookie.
func key(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return string(sum[:])
}

// session returns the request's live session, or nil.
func (p *Portal) session(r *http.Request) *session {
	if s, ok := r.Context().Value(sessionKey{}).(*session); ok {
		return s
	}
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.sessions[key(c.Value)]
	if s == nil || !p.now().Before(s.expires) {
		return nil
	}
	return s
}

type sessionKey struct{}

// newSession starts a session (replacing the request's, if any: a sign-in never keeps the
// session id it arrived with) and sets its cookie.
func (p *Portal) newSession(w http.ResponseWriter, r *http.Request, developerID, who string) *session {
	ttl := p.cfg.SessionTTL
	if developerID == "" {
		ttl = anonymousTTL
	}
	tok := token()
	s := &session{developerID: developerID, who: who, csrf: token(), expires: p.now().Add(ttl)}
	p.mu.Lock()
	if c, err := r.Cookie(CookieName); err == nil {
		delete(p.sessions, key(c.Value))
	}
	if len(p.sessions) >= maxSessions {
		p.prune()
	}
	p.sessions[key(tok)] = s
	p.mu.Unlock()
	http.SetCookie(w, p.cookie(r, tok, ttl))
	return s
}

// prune drops expired sessions and, if still full, the ones closest to expiry. p.mu is held.
func (p *Portal) prune() {
	now := p.now()
	for k, s := range p.sessions {
		if !now.Before(s.expires) {
			delete(p.sessions, k)
		}
	}
	for len(p.sessions) >= maxSessions {
		var oldest string
		var at time.Time
		for k, s := range p.sessions {
			if oldest == "" || s.expires.Before(at) {
				oldest, at = k, s.expires
			}
		}
		delete(p.sessions, oldest)
	}
}

// cookie is the session cookie: HttpOnly and SameSite=Lax always; Secure when the request came
// over HTTPS (or the sandbox's public URL is https). A local sandbox on plain http cannot set
// Secure: browsers drop Secure cookies set over http (localhost aside in some browsers).
func (p *Portal) cookie(r *http.Request, value string, ttl time.Duration) *http.Cookie {
	return &http.Cookie{
		Name:     CookieName,
		Value:    value,
		Path:     Base,
		MaxAge:   int(ttl.Seconds()),
		HttpOnly: true,
		Secure:   r.TLS != nil || strings.HasPrefix(p.cfg.PublicURL, "https://"),
		SameSite: http.SameSiteLaxMode,
	}
}

// endSession signs out: the session is dropped and its cookie cleared.
func (p *Portal) endSession(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(CookieName); err == nil {
		p.mu.Lock()
		delete(p.sessions, key(c.Value))
		p.mu.Unlock()
	}
	c := p.cookie(r, "", 0)
	c.MaxAge = -1
	http.SetCookie(w, c)
}

func (p *Portal) setFlash(s *session, msg string) {
	p.mu.Lock()
	s.flash = msg
	p.mu.Unlock()
}

func (p *Portal) takeFlash(s *session) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := s.flash
	s.flash = ""
	return f
}

// auth lets signed-in developers through and sends others to the sign-in page.
func (p *Portal) auth(next func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := p.session(r)
		if s == nil || s.developerID == "" {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, Base+"/signin", http.StatusSeeOther)
				return
			}
			p.fail(w, r, http.StatusForbidden, "Please sign in", "Your session has ended. Sign in again and repeat what you were doing.")
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, s)), s)
	}
}

// csrf refuses a form whose CSRF token is missing or is not the session's, with 403.
func (p *Portal) csrf(next func(http.ResponseWriter, *http.Request, *session)) func(http.ResponseWriter, *http.Request, *session) {
	return func(w http.ResponseWriter, r *http.Request, s *session) {
		if s == nil {
			s = p.session(r)
		}
		if err := parseForm(r); err != nil {
			p.fail(w, r, http.StatusBadRequest, "The form could not be read", "The form was too large or malformed. Go back and try again.")
			return
		}
		got := r.PostFormValue(CSRFField)
		if s == nil || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) != 1 {
			p.fail(w, r, http.StatusForbidden, "This form has expired",
				"The form did not carry a valid security token (it may be from an old page or another site). Go back, reload the page and try again.")
			return
		}
		next(w, r, s)
	}
}

// maxForm bounds a form (a pasted or uploaded JWKS is the largest part).
const maxForm = 256 << 10

func parseForm(r *http.Request) error {
	r.Body = http.MaxBytesReader(nil, r.Body, maxForm)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseMultipartForm(maxForm)
	}
	return r.ParseForm()
}

// SignInLink returns a new one-time link (valid for Config.LinkTTL) that signs its first
// visitor in as the local developer; base is the sandbox's URL as the browser reaches it.
func (p *Portal) SignInLink(base string) string {
	tok := token()
	p.mu.Lock()
	now := p.now()
	for k, exp := range p.links {
		if !now.Before(exp) {
			delete(p.links, k)
		}
	}
	p.links[key(tok)] = now.Add(p.cfg.LinkTTL)
	p.mu.Unlock()
	return strings.TrimSuffix(base, "/") + Base + "/signin/link?token=" + tok
}

// useLink consumes a one-time link token.
func (p *Portal) useLink(tok string) bool {
	if tok == "" || len(tok) > 100 {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	exp, ok := p.links[key(tok)]
	delete(p.links, key(tok))
	return ok && p.now().Before(exp)
}

func (p *Portal) signInLink(w http.ResponseWriter, r *http.Request) {
	if !p.useLink(r.URL.Query().Get("token")) {
		p.fail(w, r, http.StatusNotFound, "This sign-in link cannot be used",
			"Sign-in links work once and expire after a day. Restart the sandbox for a new one, or sign in with the developer API key its banner prints.")
		return
	}
	p.newSession(w, r, p.cfg.LocalDeveloperID, "local developer")
	http.Redirect(w, r, Base+"/apps", http.StatusSeeOther)
}

type signInData struct {
	Error  string
	Email  string
	Method string // which form failed: key or password
}

func (p *Portal) signInPage(w http.ResponseWriter, r *http.Request) {
	if s := p.session(r); s != nil && s.developerID != "" {
		http.Redirect(w, r, Base+"/apps", http.StatusSeeOther)
		return
	}
	p.render(w, r, http.StatusOK, "signin", "Sign in", "", signInData{})
}

// signIn signs in with a developer API key or, in accounts mode, an email and a password.
func (p *Portal) signIn(w http.ResponseWriter, r *http.Request, _ *session) {
	ctx := r.Context()
	if apiKey := strings.TrimSpace(r.PostFormValue("api_key")); apiKey != "" || r.PostFormValue("method") == "key" {
		dev, ok := p.cfg.Registry.Developer(ctx, apiKey)
		if !ok {
			p.render(w, r, http.StatusUnauthorized, "signin", "Sign in", "", signInData{Method: "key",
				Error: "That is not a developer API key of this sandbox. Copy it again from the sandbox's start-up banner."})
			return
		}
		who := dev.Email
		if who == "" {
			who = dev.ID
			if dev.ID == p.cfg.LocalDeveloperID {
				who = "local developer"
			}
		}
		p.newSession(w, r, dev.ID, who)
		http.Redirect(w, r, Base+"/apps", http.StatusSeeOther)
		return
	}
	if !p.cfg.Accounts {
		p.notFound(w, r)
		return
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	password := r.PostFormValue("password")
	if p.locked(email) {
		p.render(w, r, http.StatusTooManyRequests, "signin", "Sign in", "", signInData{Method: "password", Email: email,
			Error: "Too many failed sign-ins for this email: wait 15 minutes and try again."})
		return
	}
	acc, err := p.cfg.Store.AccountByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		p.internal(w, r, err)
		return
	}
	ok := checkPassword(acc.PasswordHash, password) && err == nil // runs the KDF for unknown emails too
	p.recordFailure(email, !ok)
	if !ok {
		p.render(w, r, http.StatusUnauthorized, "signin", "Sign in", "", signInData{Method: "password", Email: email,
			Error: "The email or the password is wrong."})
		return
	}
	p.newSession(w, r, acc.DeveloperID, acc.Email)
	http.Redirect(w, r, Base+"/apps", http.StatusSeeOther)
}

func (p *Portal) signOut(w http.ResponseWriter, r *http.Request, _ *session) {
	p.endSession(w, r)
	http.Redirect(w, r, Base+"/signin", http.StatusSeeOther)
}
