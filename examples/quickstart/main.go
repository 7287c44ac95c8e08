// Quickstart gets an access token and reads a story patient from the LHCR sandbox.
//
// Start the sandbox in one terminal (it prints the test app's client secret), then:
//
//	LHCR_CLIENT_SECRET=<secret from the banner> go run ./examples/quickstart
//
// LHCR_FHIR_BASE_URL (default http://localhost:8080/fhir/R4) and LHCR_CLIENT_ID (default
// sandbox-test-app) point it elsewhere.
package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/gm-lhcr/lhcr/sdk"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx, os.Stdout,
		cmp.Or(os.Getenv("LHCR_FHIR_BASE_URL"), "http://localhost:8080/fhir/R4"),
		cmp.Or(os.Getenv("LHCR_CLIENT_ID"), "sandbox-test-app"),
		os.Getenv("LHCR_CLIENT_SECRET"))
	if err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer, baseURL, clientID, secret string) error {
	if secret == "" {
		return fmt.Errorf("set LHCR_CLIENT_SECRET to the client secret the sandbox printed at start-up")
	}
	c, err := sdk.NewClient(baseURL, sdk.WithClientSecret(clientID, secret), sdk.WithUserAgent("lhcr-quickstart"))
	if err != nil {
		return err
	}
	tok, err := c.Token(ctx)
	if err != nil {
		return fmt.Errorf("getting a token: %w", err)
	}
	fmt.Fprintf(out, "Got an access token valid until %s.\n\n", tok.Expiry.Format(time.TimeOnly))

	p, err := c.Patients.ByNHSNumber(ctx, "9990000018") // the story patient "story-diabetes"
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s, NHS number %s, born %s (%s)\n", sdk.DisplayName(p), sdk.NHSNumber(p), sdk.Deref(p.BirthDate), sdk.Deref(p.Gender))
	for _, gp := range p.GeneralPractitioner {
		fmt.Fprintf(out, "Registered with %s\n", sdk.Deref(gp.Display))
	}

	fmt.Fprintln(out, "\nActive problems:")
	for cond, err := range c.Conditions.Search(ctx, sdk.ConditionQuery{Patient: *p.ID, ClinicalStatus: sdk.Code("", "active")}) {
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "  %s (since %s)\n", sdk.ConceptText(cond.Code), sdk.Deref(cond.OnsetDateTime))
	}
	return nil
}
