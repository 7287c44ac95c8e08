package sdk

import (
	"crypto"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
)

// Option configures a Client (NewClient) or a DeveloperClient (NewDeveloperClient). Options
// check their arguments: NewClient returns the first option's error.
type Option func(*config) error

// config is what the options set.
type config struct {
	httpClient *http.Client
	userAgent  string
	retry      RetryPolicy
	log        *slog.Logger
	scopes     []string
	tokenURL   string

	auth  authMethod
	auths []string // the auth options given, to refuse two
}

// authMethod is how the client gets its tokens.
type authMethod struct {
	clientID string
	secret   *secret
	signer   crypto.Signer
	kid      string
	alg      SigningAlgorithm
	source   oauth2.TokenSource
}

// secret holds a credential that never prints: not in logs, errors or %v, even inside another
// struct (fmt shows a nested pointer as an address).
type secret struct{ v string }

func newSecret(s string) *secret { return &secret{v: s} }

// reveal returns the credential, for the one place it is sent.
func (s *secret) reveal() string {
	if s == nil {
		return ""
	}
	return s.v
}

// String prints "[redacted]".
func (*secret) String() string { return "[redacted]" }

// GoString prints "[redacted]" for %#v.
func (*secret) GoString() string { return `"[redacted]"` }

// LogValue logs "[redacted]".
func (*secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// MarshalText encodes "[redacted]".
func (*secret) MarshalText() ([]byte, error) { return []byte("[redacted]"), nil }

// WithClientSecret authenticates with a client id and secret (client_secret_basic), as the
// sandbox's ready test app and apps registered with auth_method client_secret do.
func WithClientSecret(clientID, clientSecret string) Option {
	return func(c *config) error {
		if clientID == "" || clientSecret == "" {
			return errors.New("sdk: WithClientSecret needs a client id and a secret")
		}
		c.auths = append(c.auths, "WithClientSecret")
		c.auth = authMethod{clientID: clientID, secret: newSecret(clientSecret)}
		return nil
	}
}

// SigningAlgorithm is a JWS algorithm for client assertions (private_key_jwt).
type SigningAlgorithm string

// The client assertion algorithms the LHCR token endpoint accepts.
const (
	RS384 SigningAlgorithm = "RS384" // RSASSA-PKCS1-v1_5 with SHA-384; an RSA key of 2048 bits or more
	ES384 SigningAlgorithm = "ES384" // ECDSA P-384 with SHA-384
	RS512 SigningAlgorithm = "RS512" // RSASSA-PKCS1-v1_5 with SHA-512; an RSA key of 2048 bits or more
)

// WithPrivateKeyJWT authenticates with a signed JWT (private_key_jwt, RFC 7523, as SMART Backend
// Services and the NHS signed-JWT pattern do): each token request carries a fresh assertion
// (new jti, exp 4 minutes ahead, aud the token URL) signed by signer, with kid naming the
// public key registered for clientID. signer is an *rsa.PrivateKey, an *ecdsa.PrivateKey (P-384)
// or any crypto.Signer over such a key, such as a key held in a KMS or HSM.
func WithPrivateKeyJWT(clientID string, signer crypto.Signer, kid string, alg SigningAlgorithm) Option {
	return func(c *config) error {
		if clientID == "" || kid == "" {
			return errors.New("sdk: WithPrivateKeyJWT needs a client id and the key's kid")
		}
		if err := checkSigner(signer, alg); err != nil {
			return err
		}
		c.auths = append(c.auths, "WithPrivateKeyJWT")
		c.auth = authMethod{clientID: clientID, signer: signer, kid: kid, alg: alg}
		return nil
	}
}

// WithTokenSource takes access tokens from ts, for credentials the SDK does not manage itself.
// ts is used as it is: wrap it with oauth2.ReuseTokenSource if it does not cache.
func WithTokenSource(ts oauth2.TokenSource) Option {
	return func(c *config) error {
		if ts == nil {
			return errors.New("sdk: WithTokenSource needs a TokenSource")
		}
		c.auths = append(c.auths, "WithTokenSource")
		c.auth = authMethod{source: ts}
		return nil
	}
}

// WithHTTPClient sends requests through hc: its Transport (proxies, TLS settings, test doubles)
// carries every request, with authentication and retries added above it; its Timeout, if set,
// bounds each call, retries and their waits included (prefer a context deadline). The default is
// a client over http.DefaultTransport.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("sdk: WithHTTPClient needs an *http.Client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithScopes asks for these SMART scopes (system/Patient.rs, system/*.cruds…) in token requests.
// By default no scope is sent and the app gets every scope it is registered with.
func WithScopes(scopes ...string) Option {
	return func(c *config) error {
		for _, s := range scopes {
			if s == "" || strings.ContainsAny(s, " \t\n") {
				return fmt.Errorf("sdk: WithScopes: %q is not one scope", s)
			}
		}
		c.scopes = append([]string(nil), scopes...)
		return nil
	}
}

// WithUserAgent names your application in the User-Agent header, before the SDK's own name
// ("my-app/1.2 lhcr-sdk-go/0.1.0"), so that the service's operators can tell clients apart.
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		if strings.ContainsAny(ua, "\r\n") {
			return errors.New("sdk: WithUserAgent: the user agent must be one line")
		}
		if ua = strings.TrimSpace(ua); ua != "" {
			c.userAgent = ua + " " + defaultUserAgent
		}
		return nil
	}
}

// WithRetry sets the retry policy (DefaultRetryPolicy by default; NoRetry to send each request
// once).
func WithRetry(p RetryPolicy) Option {
	return func(c *config) error {
		if p.MaxAttempts < 0 || p.BaseDelay < 0 || p.MaxDelay < 0 || p.MaxRetryAfter < 0 {
			return errors.New("sdk: WithRetry: negative values in the policy")
		}
		c.retry = p.withDefaults()
		return nil
	}
}

// WithLogger sends the SDK's logs to l: retries at Info, every request (method, path, status,
// request id, attempts, time) and token requests at Debug. Query strings, tokens and secrets are
// never logged. By default nothing is logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("sdk: WithLogger needs a logger (slog.New(slog.DiscardHandler) for none)")
		}
		c.log = l
		return nil
	}
}

// WithTokenURL sets the token endpoint instead of discovering it from
// /.well-known/smart-configuration.
func WithTokenURL(tokenURL string) Option {
	return func(c *config) error {
		u, err := url.Parse(tokenURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("sdk: WithTokenURL: %q is not an absolute http(s) URL", tokenURL)
		}
		c.tokenURL = tokenURL
		return nil
	}
}

func newConfig(opts []Option) (*config, error) {
	c := &config{userAgent: defaultUserAgent, retry: DefaultRetryPolicy}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(c); err != nil {
			return nil, err
		}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.httpClient == nil {
		c.httpClient = &http.Client{}
	}
	return c, nil
}

// parseBase checks that raw is an absolute http(s) URL without query or fragment.
func parseBase(what, raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("sdk: the %s %q is not an absolute http(s) URL (like http://localhost:8080/fhir/R4)", what, raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("sdk: the %s %q must have no query, fragment or user info", what, raw)
	}
	return u, nil
}
