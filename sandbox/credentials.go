package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/go-jose/go-jose/v4"

	"github.com/gm-lhcr/lhcr/sandbox/internal/apps"
	"github.com/gm-lhcr/lhcr/sandbox/internal/store"
)

// Ready-made credentials of a local sandbox.
const (
	// DefaultTestClientID is the ready test app's client id unless Config.TestClientID sets one.
	DefaultTestClientID = "sandbox-test-app"
	// LocalDeveloperID owns the ready apps and is who the banner's API key signs in as.
	LocalDeveloperID = "local-developer"
	// MinSecretLen is the shortest fixed secret or API key accepted (a 256-bit value in base64url is 43).
	MinSecretLen = 32
	// TestAppScopes are the ready test app's scopes: every interaction on every resource type.
	TestAppScopes = "system/*.cruds"
)

// Credentials are the ready-made credentials the banner prints.
type Credentials struct {
	ClientID, ClientSecret string
	// JWTClientID is the ready private_key_jwt app, when Config.TestJWTClientID asked for one.
	JWTClientID string
	// DeveloperAPIKey is the local developer's key for the developer API (X-API-Key).
	DeveloperAPIKey string
}

// Settings under which the local credentials persist, so a restarted sandbox prints the same
// ones. These are local test credentials that the banner shows at every start; every other
// secret (apps registered later, their rotations) is stored only as a keyed hash.
const (
	settingHMACKey      = "auth.hmac_key"
	settingTestSecret   = "local.test_app_secret"
	settingDeveloperKey = "local.developer_api_key"
)

// persistentRandom returns the value stored under key, creating a random 256-bit one if absent.
func persistentRandom(ctx context.Context, st store.Store, key string) (string, error) {
	v, ok, err := st.Setting(ctx, key)
	if err != nil || ok {
		return v, err
	}
	var b [32]byte
	rand.Read(b[:])
	v = base64.RawURLEncoding.EncodeToString(b[:])
	return v, st.SetSetting(ctx, key, v)
}

// fixedOrStored is cfgValue when set (and long enough), else the stored or a new random value.
func fixedOrStored(ctx context.Context, st store.Store, cfgValue, env, key string) (string, error) {
	if cfgValue != "" {
		if len(cfgValue) < MinSecretLen {
			return "", fmt.Errorf("%s is %d characters: use at least %d (e.g. 32 random bytes in base64url)", env, len(cfgValue), MinSecretLen)
		}
		return cfgValue, st.SetSetting(ctx, key, cfgValue)
	}
	return persistentRandom(ctx, st, key)
}

// ensureCredentials creates (or re-keys) the local developer and the ready test apps.
func ensureCredentials(ctx context.Context, st store.Store, reg *apps.Registry, cfg Config) (Credentials, error) {
	var c Credentials
	var err error
	if c.DeveloperAPIKey, err = fixedOrStored(ctx, st, cfg.DeveloperAPIKey, "LHCR_DEVELOPER_API_KEY", settingDeveloperKey); err != nil {
		return c, err
	}
	if err := reg.EnsureDeveloper(ctx, LocalDeveloperID, "", c.DeveloperAPIKey); err != nil {
		return c, err
	}
	if c.ClientSecret, err = fixedOrStored(ctx, st, cfg.TestClientSecret, "LHCR_TEST_CLIENT_SECRET", settingTestSecret); err != nil {
		return c, err
	}
	c.ClientID = cfg.TestClientID
	if c.ClientID == "" {
		c.ClientID = DefaultTestClientID
	}
	if err := reg.EnsureApp(ctx, apps.App{
		ClientID:    c.ClientID,
		DeveloperID: LocalDeveloperID,
		Name:        "Sandbox test app",
		Description: "Ready-made app of the local sandbox, with every scope. Its credentials are printed at start-up.",
		AuthMethod:  apps.AuthClientSecret,
		Scopes:      []string{TestAppScopes},
	}, c.ClientSecret); err != nil {
		return c, fmt.Errorf("LHCR_TEST_CLIENT_ID: %w", err)
	}
	if cfg.TestJWTClientID != "" {
		var set jose.JSONWebKeySet
		if len(cfg.TestJWKS) == 0 {
			return c, fmt.Errorf("LHCR_TEST_JWT_CLIENT_ID needs LHCR_TEST_CLIENT_JWKS, the app's public JWKS file")
		}
		if err := json.Unmarshal(cfg.TestJWKS, &set); err != nil || len(set.Keys) == 0 {
			return c, fmt.Errorf("LHCR_TEST_CLIENT_JWKS is not a JWKS ({\"keys\":[…]}) with at least one public key")
		}
		if err := reg.EnsureApp(ctx, apps.App{
			ClientID:    cfg.TestJWTClientID,
			DeveloperID: LocalDeveloperID,
			Name:        "Sandbox signed-JWT test app",
			AuthMethod:  apps.AuthPrivateKeyJWT,
			Scopes:      []string{TestAppScopes},
			JWKS:        &set,
		}, ""); err != nil {
			return c, fmt.Errorf("LHCR_TEST_CLIENT_JWKS: %w", err)
		}
		c.JWTClientID = cfg.TestJWTClientID
	}
	return c, nil
}
