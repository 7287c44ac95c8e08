// Signed-jwt authenticates the way production partners do: it generates an EC P-384 key pair,
// registers an app with the public key through the developer API, and gets access tokens with
// private_key_jwt (a client assertion signed with the private key, RFC 7523), then reads a
// patient with them.
//
//	LHCR_DEVELOPER_API_KEY=<key from the sandbox banner> go run ./examples/signed-jwt
//
// In production you would generate the key once, keep the private key in a secrets store or
// KMS (any crypto.Signer works), and register only the public JWKS, in the portal or with
// `lhcr apps create`.
package main

import (
	"cmp"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/gm-lhcr/lhcr/sdk"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx, os.Stdout, cmp.Or(os.Getenv("LHCR_FHIR_BASE_URL"), "http://localhost:8080/fhir/R4"), os.Getenv("LHCR_DEVELOPER_API_KEY"))
	if err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer, baseURL, apiKey string) error {
	if apiKey == "" {
		return fmt.Errorf("set LHCR_DEVELOPER_API_KEY to the developer API key the sandbox printed at start-up")
	}
	root, ok := strings.CutSuffix(strings.TrimRight(baseURL, "/"), "/fhir/R4")
	if !ok {
		return fmt.Errorf("%s is not a FHIR base URL ending in /fhir/R4", baseURL)
	}

	// 1. A key pair. The kid names the key in the JWKS and in each assertion's header.
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return err
	}
	kid := "signed-jwt-example-" + time.Now().UTC().Format("20060102T150405")
	jwks, err := sdk.PublicJWKS(key, kid, sdk.ES384)
	if err != nil {
		return err
	}
	pub, _ := json.Marshal(jwks)
	fmt.Fprintf(out, "Public key set to register:\n%s\n\n", pub)

	// 2. Register an app that authenticates with that key.
	dev, err := sdk.NewDeveloperClient(root, apiKey)
	if err != nil {
		return err
	}
	method := sdk.AppAuthMethod("private_key_jwt")
	app, err := dev.CreateApp(ctx, sdk.AppCreateRequest{
		Name: "Signed-JWT example", AuthMethod: &method, JWKS: jwks, Scopes: []string{"system/Patient.rs"},
	})
	if err != nil {
		return fmt.Errorf("registering the app: %w", err)
	}
	fmt.Fprintf(out, "Registered app %s (auth %s, scopes %v).\n", app.App.ClientID, app.App.AuthMethod, app.App.Scopes)

	// 3. A client that signs a fresh assertion for every token request.
	c, err := sdk.NewClient(baseURL, sdk.WithPrivateKeyJWT(app.App.ClientID, key, kid, sdk.ES384))
	if err != nil {
		return err
	}
	tok, err := c.Token(ctx)
	if err != nil {
		return fmt.Errorf("getting a token with the signed JWT: %w", err)
	}
	fmt.Fprintf(out, "Got a %s token with private_key_jwt.\n", tok.TokenType)
	p, err := c.Patients.Get(ctx, "story-penicillin-allergy")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Read %s (NHS number %s).\n", sdk.DisplayName(p), sdk.NHSNumber(p))

	// The app may read patients only: anything else is a 403, as its scopes say.
	if _, err := c.Observations.SearchPage(ctx, sdk.ObservationQuery{Patient: *p.ID}); sdk.IsForbidden(err) {
		fmt.Fprintln(out, "Reading observations is refused (403): the app has only system/Patient.rs.")
	} else if err != nil {
		return err
	}
	return dev.DeleteApp(ctx, app.App.ClientID)
}
