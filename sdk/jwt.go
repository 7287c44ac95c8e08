package sdk

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// assertionType is the client_assertion_type of RFC 7523 client authentication.
const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// assertionLifetime is how long a client assertion is valid (the server accepts up to 5 minutes).
const assertionLifetime = 4 * time.Minute

// checkSigner checks that signer's key suits alg.
func checkSigner(signer crypto.Signer, alg SigningAlgorithm) error {
	if signer == nil {
		return errors.New("sdk: WithPrivateKeyJWT needs a signer (an *rsa.PrivateKey, *ecdsa.PrivateKey or crypto.Signer)")
	}
	switch pub := signer.Public().(type) {
	case *rsa.PublicKey:
		if alg != RS384 && alg != RS512 {
			return fmt.Errorf("sdk: an RSA key signs RS384 or RS512, not %q", alg)
		}
		if pub.N.BitLen() < 2048 {
			return fmt.Errorf("sdk: the RSA key has %d bits: use 2048 or more", pub.N.BitLen())
		}
	case *ecdsa.PublicKey:
		if alg != ES384 {
			return fmt.Errorf("sdk: an EC key signs ES384, not %q", alg)
		}
		if pub.Curve != elliptic.P384() {
			return fmt.Errorf("sdk: ES384 needs a P-384 key, not %s", pub.Curve.Params().Name)
		}
	default:
		return fmt.Errorf("sdk: a %T key cannot sign client assertions: use RSA (RS384, RS512) or EC P-384 (ES384)", pub)
	}
	return nil
}

// joseKey returns what go-jose signs with: the private key itself when go-jose knows its type,
// otherwise an OpaqueSigner over the crypto.Signer.
func joseKey(signer crypto.Signer, alg SigningAlgorithm) any {
	switch k := signer.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey:
		return k
	}
	return &opaqueSigner{signer: signer, alg: jose.SignatureAlgorithm(alg)}
}

// signAssertion makes a fresh client assertion for the token URL aud: iss = sub = the client id,
// a new random jti, exp assertionLifetime ahead.
func (a *authMethod) signAssertion(aud string, now time.Time) (string, error) {
	sig, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.SignatureAlgorithm(a.alg), Key: joseKey(a.signer, a.alg)},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", a.kid))
	if err != nil {
		return "", fmt.Errorf("sdk: client assertion signer: %w", err)
	}
	claims := jwt.Claims{
		Issuer:    a.clientID,
		Subject:   a.clientID,
		Audience:  jwt.Audience{aud},
		ID:        newRequestID(),
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		Expiry:    jwt.NewNumericDate(now.Add(assertionLifetime)),
	}
	s, err := jwt.Signed(sig).Claims(claims).Serialize()
	if err != nil {
		return "", fmt.Errorf("sdk: signing the client assertion: %w", err)
	}
	return s, nil
}

// opaqueSigner adapts a crypto.Signer (a KMS or HSM key) to go-jose.
type opaqueSigner struct {
	signer crypto.Signer
	alg    jose.SignatureAlgorithm
}

// Public returns the signer's public key as a JWK.
func (o *opaqueSigner) Public() *jose.JSONWebKey {
	return &jose.JSONWebKey{Key: o.signer.Public(), Algorithm: string(o.alg), Use: "sig"}
}

// Algs returns the one algorithm the signer was configured with.
func (o *opaqueSigner) Algs() []jose.SignatureAlgorithm { return []jose.SignatureAlgorithm{o.alg} }

// SignPayload hashes payload and signs it with the crypto.Signer, in JWS form.
func (o *opaqueSigner) SignPayload(payload []byte, alg jose.SignatureAlgorithm) ([]byte, error) {
	var h crypto.Hash
	switch alg {
	case jose.RS384, jose.ES384:
		h = crypto.SHA384
	case jose.RS512:
		h = crypto.SHA512
	default:
		return nil, jose.ErrUnsupportedAlgorithm
	}
	d := h.New()
	d.Write(payload)
	sig, err := o.signer.Sign(rand.Reader, d.Sum(nil), h)
	if err != nil || alg != jose.ES384 {
		return sig, err
	}
	// crypto.Signer gives ECDSA signatures in ASN.1; JWS wants r and s as two 48-byte integers.
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(sig, &rs); err != nil {
		return nil, fmt.Errorf("sdk: the signer's ECDSA signature is not ASN.1: %w", err)
	}
	out := make([]byte, 96)
	rs.R.FillBytes(out[:48])
	rs.S.FillBytes(out[48:])
	return out, nil
}

// PublicJWKS returns the JSON Web Key Set of signer's public key, with kid and alg: what an app
// registers (DeveloperClient.CreateApp, SetKeys, or the portal) to authenticate with
// WithPrivateKeyJWT(clientID, signer, kid, alg).
func PublicJWKS(signer crypto.Signer, kid string, alg SigningAlgorithm) (*JWKS, error) {
	if err := checkSigner(signer, alg); err != nil {
		return nil, err
	}
	if kid == "" {
		return nil, errors.New("sdk: PublicJWKS needs a kid")
	}
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: signer.Public(), KeyID: kid, Algorithm: string(alg), Use: "sig"}}})
	if err != nil {
		return nil, err
	}
	var set JWKS
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, err
	}
	return &set, nil
}
