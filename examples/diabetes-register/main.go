// Diabetes-register lists the patients with active type 2 diabetes and their latest HbA1c,
// flagging those above the NICE target of 58 mmol/mol. It walks every matching Condition,
// however many pages that takes, and asks for each patient's newest HbA1c.
//
//	LHCR_CLIENT_SECRET=<secret from the sandbox banner> go run ./examples/diabetes-register
package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"text/tabwriter"
	"time"

	"github.com/gm-lhcr/lhcr/sdk"
)

// hba1cTarget is NICE NG28's HbA1c target for adults on glucose-lowering drugs, in mmol/mol.
const hba1cTarget = 58

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := sdk.NewClient(cmp.Or(os.Getenv("LHCR_FHIR_BASE_URL"), "http://localhost:8080/fhir/R4"),
		sdk.WithClientSecret(cmp.Or(os.Getenv("LHCR_CLIENT_ID"), "sandbox-test-app"), os.Getenv("LHCR_CLIENT_SECRET")))
	if err != nil {
		log.Fatal(err)
	}
	if err := run(ctx, os.Stdout, c); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer, c *sdk.Client) error {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NHS number\tName\tLatest HbA1c\tDate\t")
	seen := map[string]bool{}
	above := 0
	q := sdk.ConditionQuery{Code: sdk.SNOMED("44054006"), ClinicalStatus: sdk.Code("", "active")}
	for cond, err := range c.Conditions.Search(ctx, q) {
		if err != nil {
			return err
		}
		_, id, ok := sdk.RefID(&cond.Subject)
		if !ok || seen[id] {
			continue
		}
		seen[id] = true
		p, err := c.Patients.Get(ctx, id)
		if err != nil {
			return err
		}
		latest, err := c.Observations.SearchPage(ctx, sdk.ObservationQuery{
			Patient: id, Code: sdk.LOINC("4548-4"), Sort: sdk.Descending("date"), Count: 1,
		})
		if err != nil {
			return err
		}
		value, date, flag := "none recorded", "", ""
		if len(latest.Resources) > 0 {
			o := latest.Resources[0]
			value = sdk.ObservationValueText(o)
			if t, ok := sdk.ObservationTime(o); ok {
				date = t.Format(time.DateOnly)
			}
			if v, _, ok := sdk.ObservationValue(o); ok && v > hba1cTarget {
				flag, above = "above target", above+1
			}
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", sdk.NHSNumber(p), sdk.DisplayName(p), value, date, flag)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "\n%d patients with active type 2 diabetes; %d above the HbA1c target of %d mmol/mol.\n", len(seen), above, hba1cTarget)
	return nil
}
