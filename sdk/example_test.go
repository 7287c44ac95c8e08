package sdk_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/gm-lhcr/lhcr/sandbox/sandboxtest"
	"github.com/gm-lhcr/lhcr/sdk"
)

// localSandbox starts an in-process sandbox for an example: in your code, the base URL and
// credentials come from your configuration (the sandbox's banner prints them).
func localSandbox() *sandboxtest.Sandbox {
	sb, err := sandboxtest.Start(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	return sb
}

// A client that authenticates with a client id and secret.
func ExampleNewClient() {
	sb := localSandbox()
	defer sb.Close()

	c, err := sdk.NewClient(sb.FHIRBaseURL, // e.g. http://localhost:8080/fhir/R4
		sdk.WithClientSecret(sb.ClientID, sb.ClientSecret),
		sdk.WithUserAgent("gm-diabetes-dashboard/1.0"))
	if err != nil {
		log.Fatal(err)
	}
	p, err := c.Patients.Get(context.Background(), "story-diabetes")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sdk.DisplayName(p), sdk.NHSNumber(p), *p.BirthDate)
	// Output: Tariq Mahmood 9990000018 1967-03-14
}

// A client that authenticates with a signed JWT (private_key_jwt): register the public key with
// the app (here through the developer API), keep the private key to yourself.
func ExampleNewClient_privateKeyJWT() {
	sb := localSandbox()
	defer sb.Close()
	ctx := context.Background()

	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader) // or load yours; a KMS crypto.Signer works too
	if err != nil {
		log.Fatal(err)
	}
	jwks, err := sdk.PublicJWKS(key, "key-2026-01", sdk.ES384)
	if err != nil {
		log.Fatal(err)
	}
	dev, err := sdk.NewDeveloperClient(sb.URL, sb.DeveloperAPIKey)
	if err != nil {
		log.Fatal(err)
	}
	method := sdk.AppAuthMethod("private_key_jwt")
	app, err := dev.CreateApp(ctx, sdk.AppCreateRequest{Name: "Signed-JWT app", AuthMethod: &method, JWKS: jwks})
	if err != nil {
		log.Fatal(err)
	}

	c, err := sdk.NewClient(sb.FHIRBaseURL, sdk.WithPrivateKeyJWT(app.App.ClientID, key, "key-2026-01", sdk.ES384))
	if err != nil {
		log.Fatal(err)
	}
	p, err := c.Patients.Get(ctx, "story-penicillin-allergy")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sdk.DisplayName(p))
	// Output: Priya Sharma
}

// A client that takes its tokens from a TokenSource of your own, here golang.org/x/oauth2's
// clientcredentials (which caches tokens itself).
func ExampleNewClient_tokenSource() {
	sb := localSandbox()
	defer sb.Close()
	ctx := context.Background()

	cc := clientcredentials.Config{ClientID: sb.ClientID, ClientSecret: sb.ClientSecret, TokenURL: sb.TokenURL,
		Scopes: []string{"system/Patient.rs"}}
	c, err := sdk.NewClient(sb.FHIRBaseURL, sdk.WithTokenSource(cc.TokenSource(ctx)))
	if err != nil {
		log.Fatal(err)
	}
	p, err := c.Patients.ByNHSNumber(ctx, "999 000 0018")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*p.ID)
	// Output: story-diabetes
}

// Retries, logging and a client of your own.
func ExampleNewClient_options() {
	c, err := sdk.NewClient("http://localhost:8080/fhir/R4",
		sdk.WithClientSecret(os.Getenv("LHCR_CLIENT_ID"), os.Getenv("LHCR_CLIENT_SECRET")),
		sdk.WithScopes("system/Patient.rs", "system/Observation.rs"),
		sdk.WithRetry(sdk.RetryPolicy{MaxAttempts: 6, MaxDelay: 10 * time.Second}),
		sdk.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	)
	if err != nil {
		log.Fatal(err)
	}
	_ = c
}

// Read one resource by id.
func ExampleService_Get() {
	sb := localSandbox()
	defer sb.Close()
	c, err := sdk.NewClient(sb.FHIRBaseURL, sdk.WithClientSecret(sb.ClientID, sb.ClientSecret))
	if err != nil {
		log.Fatal(err)
	}

	o, err := c.Observations.Get(context.Background(), "story-diabetes-obs-2")
	if err != nil {
		log.Fatal(err)
	}
	when, _ := sdk.ObservationTime(o)
	fmt.Println(sdk.ConceptText(&o.Code), "=", sdk.ObservationValueText(o), "on", when.Format(time.DateOnly))
	// Output: Hemoglobin A1c/Hemoglobin.total in Blood = 54 mmol/mol on 2019-05-20
}

// Iterate over every match: pages are fetched as the loop needs them.
func ExampleService_Search() {
	sb := localSandbox()
	defer sb.Close()
	c, err := sdk.NewClient(sb.FHIRBaseURL, sdk.WithClientSecret(sb.ClientID, sb.ClientSecret))
	if err != nil {
		log.Fatal(err)
	}

	q := sdk.ObservationQuery{
		Patient: "story-diabetes",
		Code:    sdk.LOINC("4548-4"), // HbA1c
		Date:    sdk.Since(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)),
		Sort:    sdk.Descending("date"),
		Count:   2, // small pages, to show the paging
	}
	for o, err := range c.Observations.Search(context.Background(), q) {
		if err != nil {
			log.Fatal(err)
		}
		when, _ := sdk.ObservationTime(o)
		fmt.Println(when.Format("2006-01"), sdk.ObservationValueText(o))
	}
	// Output:
	// 2025-08 78 mmol/mol
	// 2025-02 74 mmol/mol
	// 2024-08 71 mmol/mol
	// 2024-02 68 mmol/mol
}

// One page at a time, with the total.
func ExampleService_SearchPage() {
	sb := localSandbox()
	defer sb.Close()
	c, err := sdk.NewClient(sb.FHIRBaseURL, sdk.WithClientSecret(sb.ClientID, sb.ClientSecret))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	page, err := c.Conditions.SearchPage(ctx, sdk.ConditionQuery{Patient: "story-copd-heart-failure", Count: 4, Total: sdk.TotalAccurate})
	for n := 1; ; n++ {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("page %d: %d of %d conditions\n", n, len(page.Resources), page.Total)
		if page.Next == "" {
			break
		}
		page, err = c.Conditions.Page(ctx, page.Next)
	}
	// Output:
	// page 1: 4 of 6 conditions
	// page 2: 2 of 6 conditions
}

// Find a patient by NHS number; the check digit is verified before anything is sent.
func ExamplePatientService_ByNHSNumber() {
	sb := localSandbox()
	defer sb.Close()
	c, err := sdk.NewClient(sb.FHIRBaseURL, sdk.WithClientSecret(sb.ClientID, sb.ClientSecret))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	p, err := c.Patients.ByNHSNumber(ctx, "9990000018")
	fmt.Println(sdk.DisplayName(p), err)
	_, err = c.Patients.ByNHSNumber(ctx, "9990000019")
	fmt.Println(errors.Is(err, sdk.ErrInvalidNHSNumber))
	// Output:
	// Tariq Mahmood <nil>
	// true
}

// Handle errors: the Is functions for the common cases, errors.As for the details.
func ExampleError() {
	sb := localSandbox()
	defer sb.Close()
	c, err := sdk.NewClient(sb.FHIRBaseURL, sdk.WithClientSecret(sb.ClientID, sb.ClientSecret))
	if err != nil {
		log.Fatal(err)
	}

	_, err = c.Patients.Get(context.Background(), "no-such-patient")
	switch {
	case sdk.IsNotFound(err):
		fmt.Println("not found")
	case sdk.IsUnauthorized(err), sdk.IsForbidden(err):
		fmt.Println("check the app's credentials and scopes")
	}
	var fe *sdk.Error
	if errors.As(err, &fe) {
		fmt.Println(fe.Status, fe.Code(), fe.Diagnostics())
		// fe.RequestID identifies the request in the server's logs and the portal's request log.
	}
	// Output:
	// not found
	// 404 not-found not-found: Patient/no-such-patient is not known to this server
}

// Write: create, then update with optimistic locking.
func ExampleService_Update() {
	sb := localSandbox()
	defer sb.Close()
	c, err := sdk.NewClient(sb.FHIRBaseURL, sdk.WithClientSecret(sb.ClientID, sb.ClientSecret))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	p, err := c.Patients.Create(ctx, &sdk.Patient{
		Identifier: []sdk.Identifier{{System: sdk.String(sdk.SystemNHSNumber), Value: sdk.String("9990001960")}},
		Name:       []sdk.HumanName{{Family: sdk.String("Okafor"), Given: []string{"Ada"}}},
	})
	if err != nil {
		log.Fatal(err)
	}
	p.Name[0].Family = sdk.String("Okafor-Jones")
	p2, err := c.Patients.Update(ctx, p) // If-Match: the version p was read at
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sdk.DisplayName(p2), "version", *p2.Meta.VersionID)
	_, err = c.Patients.Update(ctx, p) // p is now stale
	fmt.Println(sdk.IsConflict(err))
	// Output:
	// Ada Okafor-Jones version 2
	// true
}

// Register an app through the developer API.
func ExampleDeveloperClient_CreateApp() {
	sb := localSandbox()
	defer sb.Close()
	dev, err := sdk.NewDeveloperClient(sb.URL, sb.DeveloperAPIKey) // the server root, not the FHIR base
	if err != nil {
		log.Fatal(err)
	}

	app, err := dev.CreateApp(context.Background(), sdk.AppCreateRequest{Name: "Clinic dashboard", Scopes: []string{"system/Patient.rs"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(app.App.Name, app.App.AuthMethod, app.App.Scopes, app.ClientSecret != nil)
	// Output: Clinic dashboard client_secret [system/Patient.rs] true
}
