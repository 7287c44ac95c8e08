package cli

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/gm-lhcr/lhcr/sdk"
)

// settings are the effective settings of a run: the profile, overridden by the environment.
type settings struct {
	name string // the profile's name
	Profile
}

// profileName is the selected profile: --profile, else LHCR_PROFILE, else "default"; explicit
// says whether it was named.
func (a *app) profileName() (name string, explicit bool) {
	if a.profile != "" {
		return a.profile, true
	}
	if p := a.getenv("LHCR_PROFILE"); p != "" {
		return p, true
	}
	return defaultProfile, false
}

// settings resolves the profile and the environment. A named profile that does not exist is an
// error; so is having no URL at all.
func (a *app) settings() (*settings, error) {
	name, explicit := a.profileName()
	cfg, path, err := loadConfig()
	if err != nil {
		return nil, err
	}
	s := &settings{name: name}
	if p, ok := cfg.Profiles[name]; ok {
		s.Profile = *p
	} else if explicit {
		return nil, fmt.Errorf("no profile %q in %s: run lhcr login --profile %s --url URL", name, path, name)
	}
	env := func(dst *string, key string) {
		if v := a.getenv(key); v != "" {
			*dst = v
		}
	}
	env(&s.URL, "LHCR_URL")
	env(&s.APIKey, "LHCR_API_KEY")
	if id := a.getenv("LHCR_CLIENT_ID"); id != "" {
		// The app's credentials come wholly from the environment.
		s.ClientID, s.ClientSecret, s.PrivateKey, s.KeyID = id, a.getenv("LHCR_CLIENT_SECRET"), a.getenv("LHCR_PRIVATE_KEY"), ""
	} else {
		env(&s.ClientSecret, "LHCR_CLIENT_SECRET")
		env(&s.PrivateKey, "LHCR_PRIVATE_KEY")
	}
	if s.URL == "" {
		return nil, errors.New("not logged in: run lhcr login --url URL, or set LHCR_URL")
	}
	s.URL = normalizeURL(s.URL)
	return s, nil
}

// developer returns a client of the developer API.
func (a *app) developer() (*sdk.DeveloperClient, error) {
	s, err := a.settings()
	if err != nil {
		return nil, err
	}
	return a.newDeveloper(s)
}

func (a *app) newDeveloper(s *settings) (*sdk.DeveloperClient, error) {
	if s.APIKey == "" {
		return nil, fmt.Errorf("profile %q has no developer API key: run lhcr login --profile %s --api-key KEY, or set LHCR_API_KEY", s.name, s.name)
	}
	return sdk.NewDeveloperClient(s.URL, s.APIKey, a.sdkOptions()...)
}

// fhir returns a client of the FHIR API, authenticated as the configured app.
func (a *app) fhir(extra ...sdk.Option) (*sdk.Client, error) {
	s, err := a.settings()
	if err != nil {
		return nil, err
	}
	return a.newFHIR(s, extra...)
}

func (a *app) newFHIR(s *settings, extra ...sdk.Option) (*sdk.Client, error) {
	if s.ClientID == "" {
		return nil, fmt.Errorf("profile %q has no app: run lhcr login --profile %s --client-id ID with --client-secret or --private-key, or set LHCR_CLIENT_ID", s.name, s.name)
	}
	opts := a.sdkOptions()
	switch {
	case s.PrivateKey != "":
		key, err := readPrivateKey(s.PrivateKey)
		if err != nil {
			return nil, err
		}
		alg, kid, err := keyInfo(key)
		if err != nil {
			return nil, err
		}
		if s.KeyID != "" {
			kid = s.KeyID
		}
		opts = append(opts, sdk.WithPrivateKeyJWT(s.ClientID, key, kid, alg))
	case s.ClientSecret != "":
		opts = append(opts, sdk.WithClientSecret(s.ClientID, s.ClientSecret))
	default:
		return nil, fmt.Errorf("app %s has neither a client secret nor a private key: run lhcr login --client-secret or --private-key, or set LHCR_CLIENT_SECRET or LHCR_PRIVATE_KEY", s.ClientID)
	}
	return sdk.NewClient(s.URL+"/fhir/R4", append(opts, extra...)...)
}

// readPrivateKey reads a PEM private key (PKCS #8, SEC 1 or PKCS #1) from a file, or from the
// value itself when it is PEM (LHCR_PRIVATE_KEY in CI). Errors never quote the key.
func readPrivateKey(pathOrPEM string) (crypto.Signer, error) {
	data := []byte(pathOrPEM)
	what := "LHCR_PRIVATE_KEY"
	if !strings.HasPrefix(strings.TrimSpace(pathOrPEM), "-----BEGIN") {
		what = pathOrPEM
		b, err := os.ReadFile(pathOrPEM)
		if err != nil {
			return nil, fmt.Errorf("reading the private key: %w", err)
		}
		data = b
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s holds no PEM private key", what)
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("%s holds a %q PEM block, not a private key", what, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: not a valid private key", what)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s: unsupported key type %T", what, key)
	}
	return signer, nil
}

// keyInfo returns the signing algorithm for key (ES384 for P-384, RS384 for RSA) and its
// default kid, the RFC 7638 thumbprint of its public key.
func keyInfo(key crypto.Signer) (sdk.SigningAlgorithm, string, error) {
	var alg sdk.SigningAlgorithm
	switch k := key.Public().(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P384() {
			return "", "", fmt.Errorf("EC key on %s: LHCR accepts P-384 (ES384) only", k.Curve.Params().Name)
		}
		alg = sdk.ES384
	case *rsa.PublicKey:
		alg = sdk.RS384
	default:
		return "", "", fmt.Errorf("unsupported key type %T: use an EC P-384 or RSA key", k)
	}
	tp, err := (&jose.JSONWebKey{Key: key.Public()}).Thumbprint(crypto.SHA256)
	if err != nil {
		return "", "", err
	}
	return alg, base64.RawURLEncoding.EncodeToString(tp), nil
}
