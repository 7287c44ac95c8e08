package apps

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-jose/go-jose/v4"

	"github.com/gm-lhcr/lhcr/sandbox/internal/outcome"
)

// Limits of a registration.
const (
	MaxNameLen        = 100
	MaxDescriptionLen = 1000
	MaxScopes         = 50
	MaxKeys           = 10
	MaxJWKSURLLen     = 2048
	maxKidLen         = 200
	minRSABits        = 2048
	maxRSABits        = 8192
)

// ResourceTypes are the resource types a scope may name (besides "*").
var ResourceTypes = []string{"Patient", "Practitioner", "Organization", "Encounter", "Condition", "Observation",
	"MedicationRequest", "AllergyIntolerance", "Immunization"}

// ValidScope checks that s is a SMART system scope this server grants: v1
// system/<Type|*>.<read|write|*>, or v2 system/<Type|*>.<permissions>, the permissions being
// letters from "cruds" in that order, each at most once (e.g. rs, cud, cruds).
func ValidScope(s string) error {
	const form = "scopes look like system/Patient.read (SMART v1) or system/Observation.rs (SMART v2)"
	rest, ok := strings.CutPrefix(s, "system/")
	if !ok {
		return fmt.Errorf("%q is not a system scope: %s", s, form)
	}
	typ, perm, ok := strings.Cut(rest, ".")
	if !ok || typ == "" || perm == "" {
		return fmt.Errorf("%q is not a system scope: %s", s, form)
	}
	if typ != "*" && !slices.Contains(ResourceTypes, typ) {
		return fmt.Errorf("%q names the resource type %q, which this server does not serve: use * or one of %s",
			s, typ, strings.Join(ResourceTypes, ", "))
	}
	switch perm {
	case "read", "write", "*":
		return nil
	}
	if strings.ContainsAny(perm, "?&=") {
		return fmt.Errorf("%q: scope parameters (\"?...\") are not supported; drop them", s)
	}
	const order = "cruds"
	next := 0
	for _, c := range []byte(perm) {
		i := strings.IndexByte(order[next:], c)
		if i < 0 {
			return fmt.Errorf("%q has the permissions %q: use read, write or * (SMART v1), or letters from c, r, u, d, s in that order without repeats (SMART v2, e.g. rs or cruds)", s, perm)
		}
		next += i + 1
	}
	return nil
}

// fieldError is an invalid member of a registration; field is its JSON path.
type fieldError struct{ field, msg string }

func (e *fieldError) Error() string { return e.field + ": " + e.msg }

// unprocessable turns a fieldError into a 422 OperationOutcome naming the field.
func unprocessable(e *fieldError) *outcome.Error {
	oe := outcome.Unprocessable("%s: %s", e.field, e.msg)
	oe.Expression = []string{e.field}
	return oe
}

func invalid(field, format string, args ...any) *outcome.Error {
	return unprocessable(&fieldError{field, fmt.Sprintf(format, args...)})
}

// registration is a create request (or EnsureApp's app): nil means absent.
type registration struct {
	name, description, authMethod *string
	scopes                        []string
	jwks                          json.RawMessage
	jwksURL                       *string
}

// validated is a checked registration.
type validated struct {
	name, description, authMethod string
	scopes                        []string
	keys
}

// keys are an app's public keys: an inline JWKS (raw and parsed) or a URL.
type keys struct {
	rawJWKS []byte
	jwks    *jose.JSONWebKeySet
	jwksURL string
}

func (v validated) record(clientID, developerID string, now time.Time) *record {
	return &record{
		app: App{ClientID: clientID, DeveloperID: developerID, Name: v.name, Description: v.description,
			AuthMethod: v.authMethod, Scopes: v.scopes, JWKS: v.jwks, JWKSURL: v.jwksURL, CreatedAt: now, UpdatedAt: now},
		rawJWKS: v.rawJWKS,
	}
}

func (in registration) validate() (validated, *outcome.Error) {
	var v validated
	var oe *outcome.Error
	if in.name == nil {
		return v, invalid("name", "is required: give the app a name of 1 to %d characters", MaxNameLen)
	}
	if v.name, oe = checkName(*in.name); oe != nil {
		return v, oe
	}
	if in.description != nil {
		if v.description, oe = checkDescription(*in.description); oe != nil {
			return v, oe
		}
	}
	v.authMethod = AuthClientSecret
	if in.authMethod != nil {
		v.authMethod = *in.authMethod
		if v.authMethod != AuthClientSecret && v.authMethod != AuthPrivateKeyJWT {
			return v, invalid("auth_method", "%q is not an auth method: use client_secret or private_key_jwt", v.authMethod)
		}
	}
	v.scopes = slices.Clone(DefaultScopes)
	if in.scopes != nil {
		if v.scopes, oe = checkScopes(in.scopes); oe != nil {
			return v, oe
		}
	}
	hasJWKS := present(in.jwks)
	if v.authMethod == AuthClientSecret {
		switch {
		case hasJWKS:
			return v, invalid("jwks", "a client_secret app has no public keys: leave jwks out, or register with auth_method private_key_jwt")
		case in.jwksURL != nil:
			return v, invalid("jwks_url", "a client_secret app has no public keys: leave jwks_url out, or register with auth_method private_key_jwt")
		}
		return v, nil
	}
	v.keys, oe = checkKeys(in.jwks, in.jwksURL)
	return v, oe
}

// present reports whether a raw JSON member was given (and is not null).
func present(raw json.RawMessage) bool {
	return len(raw) > 0 && !bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// checkKeys checks the keys of a private_key_jwt app: exactly one of jwks and jwksURL.
func checkKeys(jwks json.RawMessage, jwksURL *string) (keys, *outcome.Error) {
	hasJWKS := present(jwks)
	switch {
	case hasJWKS && jwksURL != nil:
		return keys{}, invalid("jwks", "give exactly one of jwks and jwks_url, not both")
	case !hasJWKS && jwksURL == nil:
		return keys{}, invalid("jwks", "a private_key_jwt app needs public keys: give jwks (a JWKS holding your public signing keys) or jwks_url (the https URL where you publish that JWKS)")
	case jwksURL != nil:
		if err := checkJWKSURL(*jwksURL); err != nil {
			return keys{}, invalid("jwks_url", "%v", err)
		}
		return keys{jwksURL: *jwksURL}, nil
	}
	set, _, err := parseKeySet(jwks, true)
	if err != nil {
		if fe, ok := errors.AsType[*fieldError](err); ok {
			return keys{}, unprocessable(fe)
		}
		return keys{}, invalid("jwks", "%v", err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, jwks); err != nil {
		return keys{}, invalid("jwks", "is not valid JSON")
	}
	return keys{rawJWKS: compact.Bytes(), jwks: set}, nil
}

func checkName(s string) (string, *outcome.Error) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0:
		return "", invalid("name", "must not be empty: give the app a name of 1 to %d characters", MaxNameLen)
	case n > MaxNameLen:
		return "", invalid("name", "is %d characters long: shorten it to at most %d", n, MaxNameLen)
	case !utf8.ValidString(s):
		return "", invalid("name", "is not valid UTF-8")
	case strings.ContainsFunc(s, unicode.IsControl):
		return "", invalid("name", "contains a control character (such as a line break or tab): use one line of printable text")
	}
	return s, nil
}

func checkDescription(s string) (string, *outcome.Error) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	switch {
	case n > MaxDescriptionLen:
		return "", invalid("description", "is %d characters long: shorten it to at most %d", n, MaxDescriptionLen)
	case !utf8.ValidString(s):
		return "", invalid("description", "is not valid UTF-8")
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }):
		return "", invalid("description", "contains a control character: use printable text (line breaks and tabs are fine)")
	}
	return s, nil
}

// checkScopes checks each scope and drops repeats.
func checkScopes(scopes []string) ([]string, *outcome.Error) {
	switch {
	case len(scopes) == 0:
		return nil, invalid("scopes", "is empty: list at least one scope, e.g. [\"system/*.rs\"], or leave scopes out for the default %q", DefaultScopes)
	case len(scopes) > MaxScopes:
		return nil, invalid("scopes", "lists %d scopes: at most %d are allowed (system/*.rs covers reading everything)", len(scopes), MaxScopes)
	}
	out := make([]string, 0, len(scopes))
	for i, s := range scopes {
		if err := ValidScope(s); err != nil {
			return nil, invalid(fmt.Sprintf("scopes[%d]", i), "%v", err)
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// checkJWKSURL accepts absolute https URLs, and http URLs whose host is localhost or a loopback
// address (for keys served from the developer's own machine). Credentials in the URL and
// fragments are refused.
func checkJWKSURL(s string) error {
	const want = "must be an absolute https URL (http only for localhost), e.g. https://example.org/.well-known/jwks.json"
	if len(s) > MaxJWKSURLLen {
		return fmt.Errorf("is %d characters long: at most %d are allowed", len(s), MaxJWKSURLLen)
	}
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return errors.New(want)
	}
	switch {
	case u.User != nil:
		return errors.New("must not contain credentials (user:password@): publish your JWKS where it can be fetched without them")
	case u.Fragment != "" || strings.Contains(s, "#"):
		return errors.New("must not contain a fragment (#...)")
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && loopback(u.Hostname()):
		return nil
	}
	return errors.New(want)
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Members that only private (or symmetric) keys have.
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"}

// parseKeySet parses a JWKS. strict (a registration) fails on the first bad key with a
// *fieldError; otherwise (a fetched or stored set) bad keys are dropped and counted, and only a
// set left without keys fails.
func parseKeySet(raw []byte, strict bool) (*jose.JSONWebKeySet, int, error) {
	var doc struct {
		Keys *[]json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, 0, &fieldError{"jwks", `must be a JSON Web Key Set: {"keys": [ your public keys ]}`}
	}
	if doc.Keys == nil {
		return nil, 0, &fieldError{"jwks.keys", `is required: a JSON Web Key Set is {"keys": [ your public keys ]}`}
	}
	list := *doc.Keys
	if strict {
		switch {
		case len(list) == 0:
			return nil, 0, &fieldError{"jwks.keys", "is empty: give at least one public key"}
		case len(list) > MaxKeys:
			return nil, 0, &fieldError{"jwks.keys", fmt.Sprintf("holds %d keys: at most %d are allowed", len(list), MaxKeys)}
		}
	}
	set := &jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(list))}
	dropped := 0
	kids := map[string]int{}
	for i, kr := range list {
		k, err := parseKey(kr)
		if err != nil {
			if strict {
				return nil, 0, &fieldError{fmt.Sprintf("jwks.keys[%d]%s", i, err.field), err.msg}
			}
			dropped++
			continue
		}
		if j, dup := kids[k.KeyID]; dup && strict {
			return nil, 0, &fieldError{fmt.Sprintf("jwks.keys[%d].kid", i), fmt.Sprintf("%q is also the kid of keys[%d]: give every key its own kid", k.KeyID, j)}
		}
		kids[k.KeyID] = i
		set.Keys = append(set.Keys, k)
	}
	if len(set.Keys) == 0 {
		return nil, dropped, errors.New("holds no usable signing key (RSA of at least 2048 bits or EC P-384, with a kid, not marked use=enc, without private members)")
	}
	return set, dropped, nil
}

// parseKey parses one public signing key. The error's field is relative to the key (".kid").
func parseKey(raw json.RawMessage) (jose.JSONWebKey, *fieldError) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return jose.JSONWebKey{}, &fieldError{"", "must be a JSON object (a JWK)"}
	}
	for _, p := range privateMembers {
		if _, ok := m[p]; ok {
			return jose.JSONWebKey{}, &fieldError{"." + p, "is a private key member: never send private keys; send only the public key (RSA: kty, n, e; EC: kty, crv, x, y), with kid and alg"}
		}
	}
	str := func(name string) (string, bool, *fieldError) {
		v, ok := m[name]
		if !ok {
			return "", false, nil
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", true, &fieldError{"." + name, "must be a string"}
		}
		return s, true, nil
	}
	kty, _, fe := str("kty")
	if fe != nil {
		return jose.JSONWebKey{}, fe
	}
	if kty != "RSA" && kty != "EC" {
		return jose.JSONWebKey{}, &fieldError{".kty", fmt.Sprintf("is %q: keys must be RSA (at least 2048 bits) or EC (P-384)", kty)}
	}
	kid, _, fe := str("kid")
	if fe != nil {
		return jose.JSONWebKey{}, fe
	}
	switch {
	case kid == "":
		return jose.JSONWebKey{}, &fieldError{".kid", "is required: give every key a key id, the kid your client assertions name in their header"}
	case len(kid) > maxKidLen:
		return jose.JSONWebKey{}, &fieldError{".kid", fmt.Sprintf("is %d characters long: at most %d are allowed", len(kid), maxKidLen)}
	}
	use, hasUse, fe := str("use")
	if fe != nil {
		return jose.JSONWebKey{}, fe
	}
	if hasUse && use != "sig" {
		return jose.JSONWebKey{}, &fieldError{".use", fmt.Sprintf("is %q: only signing keys verify client assertions; set use to \"sig\" or leave it out", use)}
	}
	alg, hasAlg, fe := str("alg")
	if fe != nil {
		return jose.JSONWebKey{}, fe
	}
	if hasAlg {
		switch {
		case alg != "RS384" && alg != "RS512" && alg != "ES384":
			return jose.JSONWebKey{}, &fieldError{".alg", fmt.Sprintf("is %q: use RS384, RS512 or ES384, or leave alg out", alg)}
		case kty == "RSA" && alg == "ES384", kty == "EC" && alg != "ES384":
			return jose.JSONWebKey{}, &fieldError{".alg", fmt.Sprintf("is %s, which does not fit a %s key: RSA keys sign with RS384 or RS512, EC P-384 keys with ES384", alg, kty)}
		}
	}
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON(raw); err != nil {
		msg := strings.TrimPrefix(err.Error(), "go-jose/go-jose: ")
		return jose.JSONWebKey{}, &fieldError{"", fmt.Sprintf("is not a valid %s public key (%s)", kty, msg)}
	}
	switch pub := k.Key.(type) {
	case *rsa.PublicKey:
		bits := pub.N.BitLen()
		switch {
		case bits < minRSABits:
			return jose.JSONWebKey{}, &fieldError{".n", fmt.Sprintf("is a %d-bit RSA modulus: use a key of at least %d bits", bits, minRSABits)}
		case bits > maxRSABits:
			return jose.JSONWebKey{}, &fieldError{".n", fmt.Sprintf("is a %d-bit RSA modulus: at most %d bits are accepted", bits, maxRSABits)}
		case pub.E < 3 || pub.E%2 == 0:
			return jose.JSONWebKey{}, &fieldError{".e", "is not a valid RSA public exponent (use 65537, AQAB)"}
		}
	case *ecdsa.PublicKey:
		if pub.Curve != elliptic.P384() {
			return jose.JSONWebKey{}, &fieldError{".crv", fmt.Sprintf("is %s: EC keys must use P-384 (for ES384)", pub.Curve.Params().Name)}
		}
	default:
		return jose.JSONWebKey{}, &fieldError{".kty", "must be RSA or EC (P-384), as a public key"}
	}
	return k, nil
}
