package apps

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/gm-lhcr/lhcr/sandbox/internal/outcome"
	"github.com/gm-lhcr/lhcr/sandbox/internal/requestlog"
)

// This file is the registry seen from inside the server (the portal): the developer API's
// operations as methods on a developer id that the caller has already authenticated. They apply
// the same validation and the same ownership rule as the developer API: another developer's app
// is ErrNotFound, exactly like a missing one.

// Errors of the developer-id methods. Test them with errors.Is.
var (
	// ErrNotFound is an app that does not exist or belongs to another developer.
	ErrNotFound = errors.New("apps: no such app")
	// ErrNoSecret: a private_key_jwt app has no secret to rotate.
	ErrNoSecret = errors.New("this app authenticates with private_key_jwt and has no secret to rotate: replace its public keys instead")
	// ErrNoKeys: a client_secret app takes no public keys.
	ErrNoKeys = errors.New("this app authenticates with a client secret and takes no public keys: register a new app with private_key_jwt to sign JWTs")
)

// Registration is what a developer registers. Nil pointers are absent members, as in the
// developer API's create request; JWKS is the inline JWKS as sent (nil when absent).
type Registration struct {
	Name, Description, AuthMethod *string
	Scopes                        []string
	JWKS                          json.RawMessage
	JWKSURL                       *string
}

// InvalidError is a registration the validation refused: Field names the member at fault
// ("name", "scopes[1]", "jwks", …) and Message says what to change.
type InvalidError struct {
	Field   string
	Message string
	oe      *outcome.Error // the developer API's answer
}

func (e *InvalidError) Error() string { return e.Message }

// Unwrap returns the developer API's OperationOutcome for the refusal (outcome.WriteError
// writes it).
func (e *InvalidError) Unwrap() error { return e.oe }

// invalidError turns a validation outcome into an *InvalidError.
func invalidError(oe *outcome.Error) error {
	e := &InvalidError{Message: oe.Diagnostics, oe: oe}
	if len(oe.Expression) > 0 {
		e.Field = oe.Expression[0]
	}
	return e
}

// AppChanges are changes to an app's details: nil members are left as they are, as in the
// developer API's update request.
type AppChanges struct {
	Name, Description *string
	Scopes            []string
}

// appOf returns a copy of rec's app (the zero App for nil).
func appOf(rec *record) App {
	if rec == nil {
		return App{}
	}
	return rec.app.clone()
}

// Apps returns developerID's apps, newest first.
func (reg *Registry) Apps(developerID string) []App {
	var mine []App
	for _, rec := range reg.records(developerID) {
		mine = append(mine, rec.app.clone())
	}
	return mine
}

// records returns developerID's app records, newest first.
func (reg *Registry) records(developerID string) []*record {
	var mine []*record
	reg.mu.RLock()
	for _, rec := range reg.apps {
		if rec.app.DeveloperID == developerID {
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
	return mine
}

// App returns developerID's app clientID; false for a missing app and another developer's.
func (reg *Registry) App(developerID, clientID string) (App, bool) {
	rec := reg.ownedBy(developerID, clientID)
	return appOf(rec), rec != nil
}

// ownedBy returns developerID's app clientID, or nil: another developer's app is as unknown as
// a missing one.
func (reg *Registry) ownedBy(developerID, clientID string) *record {
	rec := reg.get(clientID)
	if rec == nil || developerID == "" || rec.app.DeveloperID != developerID {
		return nil
	}
	return rec
}

// Register registers an app for developerID, validated exactly as POST /developer/v1/apps is.
// A client_secret app's secret is returned, this once ("" for a private_key_jwt app). A refused
// registration is an *InvalidError.
func (reg *Registry) Register(ctx context.Context, developerID string, in Registration) (App, string, error) {
	rec, secret, err := reg.register(ctx, developerID, in)
	return appOf(rec), secret, err
}

func (reg *Registry) register(ctx context.Context, developerID string, in Registration) (*record, string, error) {
	if developerID == "" {
		return nil, "", errors.New("apps: a developer id is required")
	}
	v, oe := registration{name: in.Name, description: in.Description, authMethod: in.AuthMethod,
		scopes: in.Scopes, jwks: in.JWKS, jwksURL: in.JWKSURL}.validate()
	if oe != nil {
		return nil, "", invalidError(oe)
	}
	reg.wmu.Lock()
	defer reg.wmu.Unlock()
	clientID := newClientID()
	for reg.get(clientID) != nil {
		clientID = newClientID()
	}
	rec := v.record(clientID, developerID, reg.now().UTC())
	var secret string
	if rec.app.AuthMethod == AuthClientSecret {
		secret = NewSecret()
		rec.secretHash, rec.app.SecretHint = reg.hash(secret), hint(secret)
	}
	if err := reg.put(ctx, rec); err != nil {
		return nil, "", err
	}
	reg.log.InfoContext(ctx, "app registered", "app", rec.app, "auth_method", rec.app.AuthMethod)
	return rec, secret, nil
}

// Update changes the name, description or scopes of developerID's app, validated as
// PATCH /developer/v1/apps/{clientId} is. A refused change is an *InvalidError.
func (reg *Registry) Update(ctx context.Context, developerID, clientID string, ch AppChanges) (App, error) {
	rec, err := reg.update(ctx, developerID, clientID, ch)
	return appOf(rec), err
}

func (reg *Registry) update(ctx context.Context, developerID, clientID string, ch AppChanges) (*record, error) {
	var name, desc string
	var scopes []string
	var oe *outcome.Error
	if ch.Name != nil {
		if name, oe = checkName(*ch.Name); oe != nil {
			return nil, invalidError(oe)
		}
	}
	if ch.Description != nil {
		if desc, oe = checkDescription(*ch.Description); oe != nil {
			return nil, invalidError(oe)
		}
	}
	if ch.Scopes != nil {
		if scopes, oe = checkScopes(ch.Scopes); oe != nil {
			return nil, invalidError(oe)
		}
	}
	reg.wmu.Lock()
	defer reg.wmu.Unlock()
	old := reg.ownedBy(developerID, clientID)
	if old == nil {
		return nil, ErrNotFound
	}
	rec := *old
	rec.app.Scopes = slices.Clone(old.app.Scopes)
	if ch.Name != nil {
		rec.app.Name = name
	}
	if ch.Description != nil {
		rec.app.Description = desc
	}
	if ch.Scopes != nil {
		rec.app.Scopes = scopes
	}
	rec.app.UpdatedAt = reg.now().UTC()
	if err := reg.put(ctx, &rec); err != nil {
		return nil, err
	}
	return &rec, nil
}

// RotateSecret gives developerID's client_secret app a new secret, returned this once; the old
// one stops working at once. A private_key_jwt app is ErrNoSecret (it has no secret).
func (reg *Registry) RotateSecret(ctx context.Context, developerID, clientID string) (App, string, error) {
	rec, secret, err := reg.rotateSecret(ctx, developerID, clientID)
	return appOf(rec), secret, err
}

func (reg *Registry) rotateSecret(ctx context.Context, developerID, clientID string) (*record, string, error) {
	reg.wmu.Lock()
	defer reg.wmu.Unlock()
	old := reg.ownedBy(developerID, clientID)
	if old == nil {
		return nil, "", ErrNotFound
	}
	if old.app.AuthMethod != AuthClientSecret {
		return nil, "", ErrNoSecret
	}
	secret := NewSecret()
	rec := *old
	rec.secretHash, rec.app.SecretHint = reg.hash(secret), hint(secret)
	rec.app.UpdatedAt = reg.now().UTC()
	if err := reg.put(ctx, &rec); err != nil {
		return nil, "", err
	}
	reg.log.InfoContext(ctx, "app secret rotated", "app", rec.app)
	return &rec, secret, nil
}

// ReplaceKeys replaces the public keys of developerID's private_key_jwt app with an inline JWKS
// or a JWKS URL (exactly one), validated as PUT /developer/v1/apps/{clientId}/keys is. A
// client_secret app is ErrNoKeys; refused keys are an *InvalidError.
func (reg *Registry) ReplaceKeys(ctx context.Context, developerID, clientID string, jwks json.RawMessage, jwksURL *string) (App, error) {
	rec, err := reg.replaceKeys(ctx, developerID, clientID, jwks, jwksURL)
	return appOf(rec), err
}

func (reg *Registry) replaceKeys(ctx context.Context, developerID, clientID string, jwks json.RawMessage, jwksURL *string) (*record, error) {
	k, oe := checkKeys(jwks, jwksURL)
	if oe != nil {
		return nil, invalidError(oe)
	}
	reg.wmu.Lock()
	old := reg.ownedBy(developerID, clientID)
	if old == nil {
		reg.wmu.Unlock()
		return nil, ErrNotFound
	}
	if old.app.AuthMethod != AuthPrivateKeyJWT {
		reg.wmu.Unlock()
		return nil, ErrNoKeys
	}
	rec := *old
	rec.app.JWKS, rec.app.JWKSURL, rec.rawJWKS = k.jwks, k.jwksURL, k.rawJWKS
	rec.app.UpdatedAt = reg.now().UTC()
	err := reg.put(ctx, &rec)
	reg.wmu.Unlock()
	if err != nil {
		return nil, err
	}
	reg.forgetJWKS(old.app.JWKSURL)
	reg.forgetJWKS(rec.app.JWKSURL)
	reg.log.InfoContext(ctx, "app keys replaced", "app", rec.app)
	return &rec, nil
}

// RawJWKS returns the inline JWKS of developerID's app as registered (nil when it has none).
func (reg *Registry) RawJWKS(developerID, clientID string) ([]byte, bool) {
	rec := reg.ownedBy(developerID, clientID)
	if rec == nil {
		return nil, false
	}
	return slices.Clone(rec.rawJWKS), true
}

// Delete deletes developerID's app: its credentials stop working at once and its request log
// is dropped.
func (reg *Registry) Delete(ctx context.Context, developerID, clientID string) error {
	reg.wmu.Lock()
	old := reg.ownedBy(developerID, clientID)
	if old == nil {
		reg.wmu.Unlock()
		return ErrNotFound
	}
	err := reg.remove(ctx, clientID)
	reg.wmu.Unlock()
	if err != nil {
		return err
	}
	reg.forgetJWKS(old.app.JWKSURL)
	if reg.reqlog != nil {
		reg.reqlog.Forget(clientID)
	}
	reg.log.InfoContext(ctx, "app deleted", "app", old.app)
	return nil
}

// Requests returns up to limit of the recent requests of developerID's app, newest first, whose
// status is in class (1 to 5; 0 for all).
func (reg *Registry) Requests(developerID, clientID string, class, limit int) ([]requestlog.Entry, error) {
	if reg.ownedBy(developerID, clientID) == nil {
		return nil, ErrNotFound
	}
	if reg.reqlog == nil {
		return nil, nil
	}
	return reg.reqlog.Recent(clientID, class, limit), nil
}
