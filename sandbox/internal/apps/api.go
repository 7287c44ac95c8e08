package apps

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox/internal/outcome"
	"github.com/gm-lhcr/lhcr/sandbox/internal/requestid"
	"github.com/gm-lhcr/lhcr/sandbox/internal/store"
)

// APIKeyHeader carries a developer's API key.
const APIKeyHeader = "X-API-Key"

// BasePath is where the developer API's apps live.
const BasePath = "/developer/v1/apps"

// maxBody bounds a developer API request body (the server's own limit applies first).
const maxBody = 1 << 20

// The request bodies, decoded with JSON members kept raw where they must be checked as sent
// (jwks: private members must be seen to be refused). Their members are those of the
// contract's AppCreateRequest, AppUpdateRequest and AppKeysRequest (a test checks).
type (
	createRequest struct {
		Name        *string         `json:"name"`
		Description *string         `json:"description"`
		AuthMethod  *string         `json:"auth_method"`
		Scopes      []string        `json:"scopes"`
		JWKS        json.RawMessage `json:"jwks"`
		JWKSURL     *string         `json:"jwks_url"`
	}
	updateRequest struct {
		Name        *string  `json:"name"`
		Description *string  `json:"description"`
		Scopes      []string `json:"scopes"`
	}
	keysRequest struct {
		JWKS    json.RawMessage `json:"jwks"`
		JWKSURL *string         `json:"jwks_url"`
	}
)

// ListApps lists the calling developer's apps, newest first.
// Developer API: GET /developer/v1/apps
func (reg *Registry) ListApps(w http.ResponseWriter, r *http.Request, _ api.ListAppsParams) {
	dev, ok := reg.authenticate(w, r)
	if !ok {
		return
	}
	var mine []*record
	reg.mu.RLock()
	for _, rec := range reg.apps {
		if rec.app.DeveloperID == dev.ID {
			mine = append(mine, rec)
		}
	}
	reg.mu.RUnlock()
	slices.SortFunc(mine, func(a, b *record) int {
		if c := b.app.CreatedAt.Compare(a.app.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.app.ClientID, b.app.ClientID)
	})
	out := api.AppList{Apps: make([]api.App, 0, len(mine))}
	for _, rec := range mine {
		out.Apps = append(out.Apps, rec.view())
	}
	writeJSON(w, r, http.StatusOK, out)
}

// CreateApp registers an app for the calling developer. A client_secret app's secret is in
// the answer, this once.
// Developer API: POST /developer/v1/apps
func (reg *Registry) CreateApp(w http.ResponseWriter, r *http.Request, _ api.CreateAppParams) {
	dev, ok := reg.authenticate(w, r)
	if !ok {
		return
	}
	var body createRequest
	if oe := decode(r, &body); oe != nil {
		oe.Write(w)
		return
	}
	v, oe := registration{name: body.Name, description: body.Description, authMethod: body.AuthMethod,
		scopes: body.Scopes, jwks: body.JWKS, jwksURL: body.JWKSURL}.validate()
	if oe != nil {
		oe.Write(w)
		return
	}
	reg.wmu.Lock()
	clientID := newClientID()
	for reg.get(clientID) != nil {
		clientID = newClientID()
	}
	rec := v.record(clientID, dev.ID, reg.now().UTC())
	var secret string
	if rec.app.AuthMethod == AuthClientSecret {
		secret = NewSecret()
		rec.secretHash, rec.app.SecretHint = reg.hash(secret), hint(secret)
	}
	err := reg.put(r.Context(), rec)
	reg.wmu.Unlock()
	if err != nil {
		outcome.WriteError(w, r, reg.log, err)
		return
	}
	reg.log.InfoContext(r.Context(), "app registered", "app", rec.app, "auth_method", rec.app.AuthMethod)
	creds := api.AppCredentials{App: rec.view()}
	if secret != "" {
		creds.ClientSecret = &secret
	}
	w.Header().Set("Location", BasePath+"/"+url.PathEscape(clientID))
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, r, http.StatusCreated, creds)
}

// GetApp returns one of the calling developer's apps.
// Developer API: GET /developer/v1/apps/{clientId}
func (reg *Registry) GetApp(w http.ResponseWriter, r *http.Request, clientID api.ClientIDParam, _ api.GetAppParams) {
	dev, ok := reg.authenticate(w, r)
	if !ok {
		return
	}
	rec := reg.own(dev, clientID)
	if rec == nil {
		notFound(clientID).Write(w)
		return
	}
	writeJSON(w, r, http.StatusOK, rec.view())
}

// UpdateApp changes an app's name, description or scopes.
// Developer API: PATCH /developer/v1/apps/{clientId}
func (reg *Registry) UpdateApp(w http.ResponseWriter, r *http.Request, clientID api.ClientIDParam, _ api.UpdateAppParams) {
	dev, ok := reg.authenticate(w, r)
	if !ok {
		return
	}
	var body updateRequest
	if oe := decode(r, &body); oe != nil {
		oe.Write(w)
		return
	}
	var name, desc string
	var scopes []string
	var oe *outcome.Error
	if body.Name != nil {
		if name, oe = checkName(*body.Name); oe != nil {
			oe.Write(w)
			return
		}
	}
	if body.Description != nil {
		if desc, oe = checkDescription(*body.Description); oe != nil {
			oe.Write(w)
			return
		}
	}
	if body.Scopes != nil {
		if scopes, oe = checkScopes(body.Scopes); oe != nil {
			oe.Write(w)
			return
		}
	}
	reg.wmu.Lock()
	old := reg.own(dev, clientID)
	if old == nil {
		reg.wmu.Unlock()
		notFound(clientID).Write(w)
		return
	}
	rec := *old
	rec.app.Scopes = slices.Clone(old.app.Scopes)
	if body.Name != nil {
		rec.app.Name = name
	}
	if body.Description != nil {
		rec.app.Description = desc
	}
	if body.Scopes != nil {
		rec.app.Scopes = scopes
	}
	rec.app.UpdatedAt = reg.now().UTC()
	err := reg.put(r.Context(), &rec)
	reg.wmu.Unlock()
	if err != nil {
		outcome.WriteError(w, r, reg.log, err)
		return
	}
	writeJSON(w, r, http.StatusOK, rec.view())
}

// DeleteApp deletes an app: its credentials stop working at once (Client no longer finds it)
// and its request log is dropped.
// Developer API: DELETE /developer/v1/apps/{clientId}
func (reg *Registry) DeleteApp(w http.ResponseWriter, r *http.Request, clientID api.ClientIDParam, _ api.DeleteAppParams) {
	dev, ok := reg.authenticate(w, r)
	if !ok {
		return
	}
	reg.wmu.Lock()
	old := reg.own(dev, clientID)
	if old == nil {
		reg.wmu.Unlock()
		notFound(clientID).Write(w)
		return
	}
	err := reg.remove(r.Context(), clientID)
	reg.wmu.Unlock()
	if err != nil {
		outcome.WriteError(w, r, reg.log, err)
		return
	}
	reg.forgetJWKS(old.app.JWKSURL)
	if reg.reqlog != nil {
		reg.reqlog.Forget(clientID)
	}
	reg.log.InfoContext(r.Context(), "app deleted", "app", old.app)
	w.WriteHeader(http.StatusNoContent)
}

// RotateAppSecret gives a client_secret app a new secret, shown this once; the old one stops
// working at once.
// Developer API: POST /developer/v1/apps/{clientId}/secret
func (reg *Registry) RotateAppSecret(w http.ResponseWriter, r *http.Request, clientID api.ClientIDParam, _ api.RotateAppSecretParams) {
	dev, ok := reg.authenticate(w, r)
	if !ok {
		return
	}
	reg.wmu.Lock()
	old := reg.own(dev, clientID)
	if old == nil {
		reg.wmu.Unlock()
		notFound(clientID).Write(w)
		return
	}
	if old.app.AuthMethod != AuthClientSecret {
		reg.wmu.Unlock()
		outcome.Errorf(http.StatusConflict, api.OperationOutcomeIssueCodeConflict,
			"app %s authenticates with private_key_jwt and has no secret to rotate: replace its public keys with PUT %s/%s/keys instead",
			clientID, BasePath, clientID).Write(w)
		return
	}
	secret := NewSecret()
	rec := *old
	rec.secretHash, rec.app.SecretHint = reg.hash(secret), hint(secret)
	rec.app.UpdatedAt = reg.now().UTC()
	err := reg.put(r.Context(), &rec)
	reg.wmu.Unlock()
	if err != nil {
		outcome.WriteError(w, r, reg.log, err)
		return
	}
	reg.log.InfoContext(r.Context(), "app secret rotated", "app", rec.app)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, r, http.StatusOK, api.AppCredentials{App: rec.view(), ClientSecret: &secret})
}

// SetAppKeys replaces a private_key_jwt app's public keys with an inline JWKS or a JWKS URL.
// Developer API: PUT /developer/v1/apps/{clientId}/keys
func (reg *Registry) SetAppKeys(w http.ResponseWriter, r *http.Request, clientID api.ClientIDParam, _ api.SetAppKeysParams) {
	dev, ok := reg.authenticate(w, r)
	if !ok {
		return
	}
	var body keysRequest
	if oe := decode(r, &body); oe != nil {
		oe.Write(w)
		return
	}
	k, oe := checkKeys(body.JWKS, body.JWKSURL)
	if oe != nil {
		oe.Write(w)
		return
	}
	reg.wmu.Lock()
	old := reg.own(dev, clientID)
	if old == nil {
		reg.wmu.Unlock()
		notFound(clientID).Write(w)
		return
	}
	if old.app.AuthMethod != AuthPrivateKeyJWT {
		reg.wmu.Unlock()
		outcome.Errorf(http.StatusConflict, api.OperationOutcomeIssueCodeConflict,
			"app %s authenticates with a client secret and takes no public keys: register a new app with auth_method private_key_jwt to sign JWTs",
			clientID).Write(w)
		return
	}
	rec := *old
	rec.app.JWKS, rec.app.JWKSURL, rec.rawJWKS = k.jwks, k.jwksURL, k.rawJWKS
	rec.app.UpdatedAt = reg.now().UTC()
	err := reg.put(r.Context(), &rec)
	reg.wmu.Unlock()
	if err != nil {
		outcome.WriteError(w, r, reg.log, err)
		return
	}
	reg.forgetJWKS(old.app.JWKSURL)
	reg.forgetJWKS(rec.app.JWKSURL)
	reg.log.InfoContext(r.Context(), "app keys replaced", "app", rec.app)
	writeJSON(w, r, http.StatusOK, rec.view())
}

// ListAppRequests returns an app's recent requests, newest first.
// Developer API: GET /developer/v1/apps/{clientId}/requests
func (reg *Registry) ListAppRequests(w http.ResponseWriter, r *http.Request, clientID api.ClientIDParam, params api.ListAppRequestsParams) {
	dev, ok := reg.authenticate(w, r)
	if !ok {
		return
	}
	if reg.own(dev, clientID) == nil {
		notFound(clientID).Write(w)
		return
	}
	class := 0
	if params.Status != nil {
		s := string(*params.Status)
		if !params.Status.Valid() {
			outcome.BadRequest("status %q is not a status class: use 2xx, 3xx, 4xx or 5xx", s).Write(w)
			return
		}
		class = int(s[0] - '0')
	}
	limit := 200
	if params.Limit != nil {
		if *params.Limit < 1 || *params.Limit > 200 {
			outcome.BadRequest("limit %d is out of range: use 1 to 200", *params.Limit).Write(w)
			return
		}
		limit = int(*params.Limit)
	}
	out := api.RequestLog{Entries: []api.RequestLogEntry{}}
	if reg.reqlog != nil {
		for _, e := range reg.reqlog.Recent(clientID, class, limit) {
			entry := api.RequestLogEntry{
				Time:      e.Time.UTC(),
				ClientID:  e.ClientID,
				Method:    e.Method,
				Path:      e.Path,
				Status:    int32(e.Status),
				LatencyMs: json.Number(strconv.FormatFloat(float64(e.Latency.Microseconds())/1000, 'f', -1, 64)),
				RequestID: e.RequestID,
				Outcome:   e.Outcome,
			}
			out.Entries = append(out.Entries, entry)
		}
	}
	writeJSON(w, r, http.StatusOK, out)
}

// authenticate answers 401 unless the request carries a known developer API key.
func (reg *Registry) authenticate(w http.ResponseWriter, r *http.Request) (store.Developer, bool) {
	key := r.Header.Get(APIKeyHeader)
	if key == "" {
		unauthorized(w, "this request needs your developer API key in the X-API-Key header: find it in the portal or in the sandbox's start-up banner")
		return store.Developer{}, false
	}
	dev, err := reg.developer(r.Context(), key)
	switch {
	case errors.Is(err, store.ErrNotFound):
		unauthorized(w, "the X-API-Key header does not hold a known developer API key: copy it again from the portal or the sandbox's start-up banner")
		return store.Developer{}, false
	case err != nil:
		outcome.WriteError(w, r, reg.log, err)
		return store.Developer{}, false
	}
	return dev, true
}

func unauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", "APIKey")
	outcome.Errorf(http.StatusUnauthorized, api.OperationOutcomeIssueCodeLogin, "%s", msg).Write(w)
}

// own returns dev's app clientID, or nil: another developer's app is as unknown as a missing one.
func (reg *Registry) own(dev store.Developer, clientID string) *record {
	rec := reg.get(clientID)
	if rec == nil || rec.app.DeveloperID != dev.ID {
		return nil
	}
	return rec
}

// notFound is the answer for an unknown app and for another developer's app alike.
func notFound(clientID string) *outcome.Error {
	return outcome.NotFound("you have no app with client id %q: list yours with GET %s", clientID, BasePath)
}

// view is the app as the developer API shows it: never a secret or a hash.
func (rec *record) view() api.App {
	a := rec.app
	v := api.App{
		ClientID:   a.ClientID,
		Name:       a.Name,
		AuthMethod: api.AppAuthMethod(a.AuthMethod),
		Scopes:     slices.Clone(a.Scopes),
		CreatedAt:  a.CreatedAt,
	}
	if v.Scopes == nil {
		v.Scopes = []string{}
	}
	if !a.UpdatedAt.IsZero() {
		u := a.UpdatedAt
		v.UpdatedAt = &u
	}
	if a.Description != "" {
		d := a.Description
		v.Description = &d
	}
	if len(rec.rawJWKS) > 0 {
		var set api.JWKS
		if json.Unmarshal(rec.rawJWKS, &set) == nil {
			if set.Keys == nil {
				set.Keys = []api.JWK{}
			}
			v.JWKS = &set
		}
	}
	if a.JWKSURL != "" {
		u := a.JWKSURL
		v.JWKSURL = &u
	}
	if a.SecretHint != "" {
		h := a.SecretHint
		v.SecretHint = &h
	}
	return v
}

// decode reads a JSON request body into v, refusing unknown members and trailing data.
func decode(r *http.Request, v any) *outcome.Error {
	if r.Body == nil {
		return outcome.BadRequest("the request body is empty: send a JSON object")
	}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if dec.Decode(&struct{}{}) != io.EOF {
			return outcome.BadRequest("the request body holds more than one JSON value: send a single JSON object")
		}
		return nil
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var big *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return outcome.BadRequest("the request body is empty: send a JSON object")
	case errors.As(err, &big):
		return outcome.Errorf(http.StatusRequestEntityTooLarge, api.OperationOutcomeIssueCodeTooLong, "the request body is over %d bytes", maxBody)
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return outcome.BadRequest("the request body is not valid JSON: %v", err)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return invalid("(body)", "must be a JSON object")
		}
		return invalid(field, "must be a JSON %s, not %s", jsonKind(typ.Type.Kind().String()), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return invalid(strings.Trim(name, `"`), "is not a member of this request: remove it (client ids, owners and grant types are set by the server)")
	}
	return outcome.BadRequest("the request body could not be read: %v", err)
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string", "ptr":
		return "string"
	case "slice":
		return "array"
	case "struct", "map":
		return "object"
	}
	return goKind
}

// writeJSON sends v as application/json.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		outcome.WriteError(w, r, nil, err)
		return
	}
	if id := requestid.FromContext(r.Context()); id != "" && w.Header().Get(requestid.Header) == "" {
		w.Header().Set(requestid.Header, id)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// The Registry serves these operations of the generated api.ServerInterface, with exactly
// their signatures (so a type embedding *Registry serves them).
var (
	_ func(*Registry, http.ResponseWriter, *http.Request, api.ListAppsParams)                           = (*Registry).ListApps
	_ func(*Registry, http.ResponseWriter, *http.Request, api.CreateAppParams)                          = (*Registry).CreateApp
	_ func(*Registry, http.ResponseWriter, *http.Request, api.ClientIDParam, api.GetAppParams)          = (*Registry).GetApp
	_ func(*Registry, http.ResponseWriter, *http.Request, api.ClientIDParam, api.UpdateAppParams)       = (*Registry).UpdateApp
	_ func(*Registry, http.ResponseWriter, *http.Request, api.ClientIDParam, api.DeleteAppParams)       = (*Registry).DeleteApp
	_ func(*Registry, http.ResponseWriter, *http.Request, api.ClientIDParam, api.RotateAppSecretParams) = (*Registry).RotateAppSecret
	_ func(*Registry, http.ResponseWriter, *http.Request, api.ClientIDParam, api.SetAppKeysParams)      = (*Registry).SetAppKeys
	_ func(*Registry, http.ResponseWriter, *http.Request, api.ClientIDParam, api.ListAppRequestsParams) = (*Registry).ListAppRequests
)
