package portal

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox/internal/apps"
	"github.com/gm-lhcr/lhcr/sandbox/internal/requestlog"
)

// appPath is the portal page of app id.
func appPath(id string) string { return Base + "/apps/" + url.PathEscape(id) }

func (p *Portal) listApps(w http.ResponseWriter, r *http.Request, s *session) {
	p.render(w, r, http.StatusOK, "apps", "Your apps", "apps", p.cfg.Registry.Apps(s.developerID))
}

// appForm is the registration form, as sent (kept to re-show it after an error).
type appForm struct {
	Name, Description, AuthMethod, Scopes, JWKS, JWKSURL string
	// Error is what to fix; Field the form field at fault ("" for the form as a whole).
	Error, Field string
}

func (p *Portal) newApp(w http.ResponseWriter, r *http.Request, _ *session) {
	p.render(w, r, http.StatusOK, "newapp", "Register an app", "apps", appForm{AuthMethod: apps.AuthClientSecret, Scopes: strings.Join(apps.DefaultScopes, " ")})
}

// formField maps a registration member (as the validation names it) to the form's field.
func formField(member string) string {
	switch {
	case member == "auth_method":
		return "auth_method"
	case strings.HasPrefix(member, "scopes"):
		return "scopes"
	case strings.HasPrefix(member, "jwks_url"):
		return "jwks_url"
	case strings.HasPrefix(member, "jwks"):
		return "jwks"
	case member == "description":
		return "description"
	}
	return "name"
}

// uploaded returns the form's pasted JWKS, or the uploaded file's content when there is one.
func uploaded(r *http.Request) (string, error) {
	f, _, err := r.FormFile("jwks_file")
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return r.PostFormValue("jwks"), nil
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxForm))
	if err != nil {
		return "", err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return r.PostFormValue("jwks"), nil
	}
	return string(b), nil
}

// keyInput turns the form's key fields into the registration's: at most one of them is set.
func keyInput(jwks, jwksURL string) (json.RawMessage, *string) {
	var raw json.RawMessage
	var u *string
	if strings.TrimSpace(jwks) != "" {
		raw = json.RawMessage(jwks)
	}
	if s := strings.TrimSpace(jwksURL); s != "" {
		u = &s
	}
	return raw, u
}

func (p *Portal) createApp(w http.ResponseWriter, r *http.Request, s *session) {
	f := appForm{
		Name:        r.PostFormValue("name"),
		Description: r.PostFormValue("description"),
		AuthMethod:  r.PostFormValue("auth_method"),
		Scopes:      r.PostFormValue("scopes"),
		JWKSURL:     r.PostFormValue("jwks_url"),
	}
	var err error
	if f.JWKS, err = uploaded(r); err != nil {
		f.Error, f.Field = "The JWKS file could not be read: choose it again.", "jwks"
		p.render(w, r, http.StatusBadRequest, "newapp", "Register an app", "apps", f)
		return
	}
	in := apps.Registration{Name: &f.Name, Description: &f.Description, Scopes: strings.Fields(f.Scopes)}
	if f.AuthMethod != "" {
		in.AuthMethod = &f.AuthMethod
	}
	if len(in.Scopes) == 0 {
		in.Scopes = nil // the default scopes
	}
	if f.AuthMethod == apps.AuthPrivateKeyJWT {
		in.JWKS, in.JWKSURL = keyInput(f.JWKS, f.JWKSURL)
	}
	if in.JWKS != nil && !json.Valid(in.JWKS) {
		f.Error, f.Field = "The JWKS is not valid JSON: paste a JSON object like {\"keys\": [...]}.", "jwks"
		p.render(w, r, http.StatusUnprocessableEntity, "newapp", "Register an app", "apps", f)
		return
	}
	app, secret, err := p.cfg.Registry.Register(r.Context(), s.developerID, in)
	var ie *apps.InvalidError
	if errors.As(err, &ie) {
		f.Error, f.Field = ie.Message, formField(ie.Field)
		p.render(w, r, http.StatusUnprocessableEntity, "newapp", "Register an app", "apps", f)
		return
	}
	if err != nil {
		p.internal(w, r, err)
		return
	}
	p.render(w, r, http.StatusCreated, "credentials", "App registered", "apps", credentials{App: app, Secret: secret, New: true})
}

// credentials is the page that shows a secret, once.
type credentials struct {
	App    apps.App
	Secret string
	New    bool // registered (rather than rotated)
}

// own returns the signed-in developer's app named in the path, or answers 404.
func (p *Portal) own(w http.ResponseWriter, r *http.Request, s *session) (apps.App, bool) {
	a, ok := p.cfg.Registry.App(s.developerID, r.PathValue("id"))
	if !ok {
		p.fail(w, r, http.StatusNotFound, "App not found", "You have no app with this client id. Your apps are listed under Apps.")
	}
	return a, ok
}

// appView is the app page.
type appView struct {
	App      apps.App
	JWKS     string // the inline JWKS, indented
	Requests []requestlog.Entry
}

func (p *Portal) viewApp(w http.ResponseWriter, r *http.Request, s *session) {
	a, ok := p.own(w, r, s)
	if !ok {
		return
	}
	v := appView{App: a, JWKS: p.jwks(s, a)}
	v.Requests, _ = p.cfg.Registry.Requests(s.developerID, a.ClientID, 0, 5)
	p.render(w, r, http.StatusOK, "app", a.Name, "apps", v)
}

func (p *Portal) jwks(s *session, a apps.App) string {
	raw, _ := p.cfg.Registry.RawJWKS(s.developerID, a.ClientID)
	var b bytes.Buffer
	if len(raw) > 0 && json.Indent(&b, raw, "", "  ") == nil {
		return b.String()
	}
	return ""
}

func (p *Portal) rotateSecret(w http.ResponseWriter, r *http.Request, s *session) {
	a, secret, err := p.cfg.Registry.RotateSecret(r.Context(), s.developerID, r.PathValue("id"))
	switch {
	case errors.Is(err, apps.ErrNotFound):
		p.fail(w, r, http.StatusNotFound, "App not found", "You have no app with this client id. Your apps are listed under Apps.")
	case errors.Is(err, apps.ErrNoSecret):
		p.fail(w, r, http.StatusConflict, "This app has no secret", err.Error())
	case err != nil:
		p.internal(w, r, err)
	default:
		p.render(w, r, http.StatusOK, "credentials", "New secret", "apps", credentials{App: a, Secret: secret})
	}
}

// keysForm is the replace-keys page.
type keysForm struct {
	App                  apps.App
	Current              string
	JWKS, JWKSURL, Error string
}

func (p *Portal) keysPage(w http.ResponseWriter, r *http.Request, s *session) {
	a, ok := p.own(w, r, s)
	if !ok {
		return
	}
	p.render(w, r, http.StatusOK, "keys", "Replace keys: "+a.Name, "apps", keysForm{App: a, Current: p.jwks(s, a)})
}

func (p *Portal) replaceKeys(w http.ResponseWriter, r *http.Request, s *session) {
	a, ok := p.own(w, r, s)
	if !ok {
		return
	}
	f := keysForm{App: a, Current: p.jwks(s, a), JWKSURL: r.PostFormValue("jwks_url")}
	var err error
	if f.JWKS, err = uploaded(r); err != nil {
		f.Error = "The JWKS file could not be read: choose it again."
		p.render(w, r, http.StatusBadRequest, "keys", "Replace keys: "+a.Name, "apps", f)
		return
	}
	raw, u := keyInput(f.JWKS, f.JWKSURL)
	if raw != nil && !json.Valid(raw) {
		f.Error = "The JWKS is not valid JSON: paste a JSON object like {\"keys\": [...]}."
		p.render(w, r, http.StatusUnprocessableEntity, "keys", "Replace keys: "+a.Name, "apps", f)
		return
	}
	_, err = p.cfg.Registry.ReplaceKeys(r.Context(), s.developerID, a.ClientID, raw, u)
	var ie *apps.InvalidError
	switch {
	case errors.Is(err, apps.ErrNotFound):
		p.fail(w, r, http.StatusNotFound, "App not found", "You have no app with this client id.")
	case errors.Is(err, apps.ErrNoKeys):
		p.fail(w, r, http.StatusConflict, "This app takes no public keys", err.Error())
	case errors.As(err, &ie):
		f.Error = ie.Message
		p.render(w, r, http.StatusUnprocessableEntity, "keys", "Replace keys: "+a.Name, "apps", f)
	case err != nil:
		p.internal(w, r, err)
	default:
		p.setFlash(s, "The public keys were replaced. Assertions signed with the old keys now fail.")
		http.Redirect(w, r, appPath(a.ClientID), http.StatusSeeOther)
	}
}

func (p *Portal) deletePage(w http.ResponseWriter, r *http.Request, s *session) {
	a, ok := p.own(w, r, s)
	if !ok {
		return
	}
	p.render(w, r, http.StatusOK, "delete", "Delete "+a.Name, "apps", a)
}

func (p *Portal) deleteApp(w http.ResponseWriter, r *http.Request, s *session) {
	a, ok := p.own(w, r, s)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != a.ClientID {
		p.render(w, r, http.StatusUnprocessableEntity, "delete", "Delete "+a.Name, "apps", a)
		return
	}
	switch err := p.cfg.Registry.Delete(r.Context(), s.developerID, a.ClientID); {
	case errors.Is(err, apps.ErrNotFound):
		p.fail(w, r, http.StatusNotFound, "App not found", "You have no app with this client id.")
	case err != nil:
		p.internal(w, r, err)
	default:
		p.setFlash(s, "The app "+a.Name+" was deleted; its credentials no longer work.")
		http.Redirect(w, r, Base+"/apps", http.StatusSeeOther)
	}
}

// requestsView is the request log page.
type requestsView struct {
	App     apps.App
	Class   string // "", "2xx", …
	Classes []string
	Entries []requestlog.Entry
}

func (p *Portal) requests(w http.ResponseWriter, r *http.Request, s *session) {
	a, ok := p.own(w, r, s)
	if !ok {
		return
	}
	v := requestsView{App: a, Classes: []string{"2xx", "3xx", "4xx", "5xx"}}
	class := 0
	if c := r.URL.Query().Get("status"); c != "" {
		if len(c) != 3 || c[0] < '2' || c[0] > '5' || c[1:] != "xx" {
			p.fail(w, r, http.StatusBadRequest, "Unknown status class", "Filter by 2xx, 3xx, 4xx or 5xx.")
			return
		}
		v.Class, class = c, int(c[0]-'0')
	}
	v.Entries, _ = p.cfg.Registry.Requests(s.developerID, a.ClientID, class, requestlog.PerApp)
	p.render(w, r, http.StatusOK, "requests", "Request log: "+a.Name, "apps", v)
}

// requestView is one logged request.
type requestView struct {
	App     apps.App
	Entry   requestlog.Entry
	Outcome string // the OperationOutcome, indented
}

func (p *Portal) request(w http.ResponseWriter, r *http.Request, s *session) {
	a, ok := p.own(w, r, s)
	if !ok {
		return
	}
	entries, _ := p.cfg.Registry.Requests(s.developerID, a.ClientID, 0, requestlog.PerApp)
	rid := r.PathValue("rid")
	for _, e := range entries {
		if e.RequestID != rid {
			continue
		}
		v := requestView{App: a, Entry: e}
		if e.Outcome != nil {
			if b, err := json.MarshalIndent(e.Outcome, "", "  "); err == nil {
				v.Outcome = string(b)
			}
		}
		p.render(w, r, http.StatusOK, "request", "Request "+rid, "apps", v)
		return
	}
	p.fail(w, r, http.StatusNotFound, "Request not found", "This app's log holds no request with this id (it keeps the last 200 requests, and starts empty when the sandbox restarts).")
}

// issues returns the issues of an OperationOutcome (for the templates).
func issues(oo *api.OperationOutcome) []api.OperationOutcomeIssue {
	if oo == nil {
		return nil
	}
	return oo.Issue
}
