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
	mine := reg.records(dev.ID)
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
	rec, secret, err := reg.register(r.Context(), dev.ID, Registration(body))
	if err != nil {
		reg.fail(w, r, "", err)
		return
	}
	creds := api.AppCredentials{App: rec.view()}
	if secret != "" {
		creds.ClientSecret = &secret
	}
	w.Header().Set("Location", BasePath+"/"+url.PathEscape(rec.app.ClientID))
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
	rec := reg.ownedBy(dev.ID, clientID)
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
	rec, err := reg.update(r.Context(), dev.ID, clientID, AppChanges(body))
	if err != nil {
		reg.fail(w, r, clientID, err)
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
	if err := reg.Delete(r.Context(), dev.ID, clientID); err != nil {
		reg.fail(w, r, clientID, err)
		return
	}
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
	rec, secret, err := reg.rotateSecret(r.Context(), dev.ID, clientID)
	if err != nil {
		reg.fail(w, r, clientID, err)
		return
	}
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
	rec, err := reg.replaceKeys(r.Context(), dev.ID, clientID, body.JWKS, body.JWKSURL)
	if err != nil {
		reg.fail(w, r, clientID, err)
		return
	}
	writeJSON(w, r, http.StatusOK, rec.view())
}

// ListAppRequests returns an app's recent requests, newest first.
// Developer API: GET /developer/v1/apps/{clientId}/requests
func (reg *Registry) ListAppRequests(w http.ResponseWriter, r *http.Request, clientID api.ClientIDParam, params api.ListAppRequestsParams) {
	dev, ok := reg.authenticate(w, r)
	if !ok {
		return
	}
	if reg.ownedBy(dev.ID, clientID) == nil { // an unknown app is 404 before a bad filter is 400
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
	entries, err := reg.Requests(dev.ID, clientID, class, limit)
	if err != nil {
		reg.fail(w, r, clientID, err)
		return
	}
	out := api.RequestLog{Entries: []api.RequestLogEntry{}}
	for _, e := range entries {
		out.Entries = append(out.Entries, api.RequestLogEntry{
			Time:      e.Time.UTC(),
			ClientID:  e.ClientID,
			Method:    e.Method,
			Path:      e.Path,
			Status:    int32(e.Status),
			LatencyMs: json.Number(strconv.FormatFloat(float64(e.Latency.Microseconds())/1000, 'f', -1, 64)),
			RequestID: e.RequestID,
			Outcome:   e.Outcome,
		})
	}
	writeJSON(w, r, http.StatusOK, out)
}

// fail answers an error of the developer-id methods (manage.go) as the developer API does.
func (reg *Registry) fail(w http.ResponseWriter, r *http.Request, clientID string, err error) {
	switch {
	case errors.Is(err, ErrNotFound):
		notFound(clientID).Write(w)
	case errors.Is(err, ErrNoSecret):
		outcome.Errorf(http.StatusConflict, api.OperationOutcomeIssueCodeConflict,
			"app %s authenticates with private_key_jwt and has no secret to rotate: replace its public keys with PUT %s/%s/keys instead",
			clientID, BasePath, clientID).Write(w)
	case errors.Is(err, ErrNoKeys):
		outcome.Errorf(http.StatusConflict, api.OperationOutcomeIssueCodeConflict,
			"app %s authenticates with a client secret and takes no public keys: register a new app with auth_method private_key_jwt to sign JWTs",
			clientID).Write(w)
	default: // an *InvalidError unwraps to its OperationOutcome; anything else is a 500
		outcome.WriteError(w, r, reg.log, err)
	}
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
