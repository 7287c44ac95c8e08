package sdk_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gm-lhcr/lhcr/sandbox/sandboxtest"
	"github.com/gm-lhcr/lhcr/sdk"
)

// lifecycle runs create, get, search, count, update (with and without a stale version), vread,
// history, delete and get-after-delete on one resource type.
func lifecycle[T any, Q sdk.Query](t *testing.T, svc *sdk.Service[T, Q], res *T, byID func(id string) Q,
	id func(*T) *string, meta func(*T) *sdk.Meta, change func(*T)) {
	t.Helper()
	ctx := context.Background()
	created, err := svc.Create(ctx, res)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	rid := sdk.Deref(id(created))
	if rid == "" || meta(created) == nil || sdk.Deref(meta(created).VersionID) != "1" {
		t.Fatalf("created resource has id %q meta %+v: want an id and version 1", rid, meta(created))
	}
	got, err := svc.Get(ctx, rid)
	if err != nil || sdk.Deref(id(got)) != rid {
		t.Fatalf("Get: %v", err)
	}
	n := 0
	for r, err := range svc.Search(ctx, byID(rid)) {
		if err != nil || sdk.Deref(id(r)) != rid {
			t.Fatalf("Search by id: %v", err)
		}
		n++
	}
	if n != 1 {
		t.Errorf("Search by id found %d", n)
	}
	if c, err := svc.Count(ctx, byID(rid)); err != nil || c != 1 {
		t.Errorf("Count by id: %d, %v", c, err)
	}

	change(got)
	updated, err := svc.Update(ctx, got) // If-Match: W/"1", from got's meta
	if err != nil || sdk.Deref(meta(updated).VersionID) != "2" {
		t.Fatalf("Update: %v", err)
	}
	// got still says version 1: updating it again must not overwrite version 2.
	if _, err := svc.Update(ctx, got); !sdk.IsConflict(err) {
		t.Fatalf("Update with a stale version: %v, want a conflict (412)", err)
	}
	if _, err := svc.Update(ctx, got, sdk.IfMatch(`W/"2"`)); err != nil {
		t.Fatalf("Update with IfMatch(2): %v", err)
	}
	v1, err := svc.GetVersion(ctx, rid, "1")
	if err != nil || sdk.Deref(meta(v1).VersionID) != "1" {
		t.Fatalf("GetVersion 1: %v", err)
	}
	if err := svc.Delete(ctx, rid, sdk.IfMatch("1")); !sdk.IsConflict(err) {
		t.Fatalf("Delete with a stale version: %v, want a conflict", err)
	}
	if err := svc.Delete(ctx, rid); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := svc.Get(ctx, rid); !sdk.IsGone(err) || !sdk.IsNotFound(err) {
		t.Fatalf("Get after Delete: %v, want 410", err)
	}
	var versions []*sdk.Version[T]
	for v, err := range svc.History(ctx, rid) {
		if err != nil {
			t.Fatalf("History: %v", err)
		}
		versions = append(versions, v)
	}
	if len(versions) != 4 || !versions[0].Deleted || versions[0].Resource != nil || versions[0].Method != "DELETE" ||
		versions[3].VersionID != "1" || versions[3].Method != "POST" || versions[1].Resource == nil || versions[1].LastModified.IsZero() {
		t.Errorf("History: %d versions, newest %+v: want delete, 3, 2, 1", len(versions), versions[0])
	}
}

func ref(typ, id string) sdk.Reference { return *sdk.Ref(typ, id) }

// Every resource service, through every write and read it has.
func TestResourceLifecycles(t *testing.T) {
	sb, _ := start(t)
	c := client(t, sb)
	patient := ref("Patient", sandboxtest.StoryDiabetes)
	final := "final"
	t.Run("Patient", func(t *testing.T) {
		lifecycle(t, &c.Patients.Service, &sdk.Patient{
			Identifier: []sdk.Identifier{{System: sdk.String(sdk.SystemNHSNumber), Value: sdk.String("9990001960")}},
			Name:       []sdk.HumanName{{Family: sdk.String("Okafor"), Given: []string{"Ada"}}},
			BirthDate:  sdk.String("1990-02-03"),
		}, func(id string) sdk.PatientQuery { return sdk.PatientQuery{ID: []string{id}} },
			func(r *sdk.Patient) *string { return r.ID }, func(r *sdk.Patient) *sdk.Meta { return r.Meta },
			func(r *sdk.Patient) { r.Name[0].Family = sdk.String("Okafor-Jones") })
	})
	t.Run("Observation", func(t *testing.T) {
		lifecycle(t, c.Observations, &sdk.Observation{
			Status: sdk.ObservationStatus(final), Subject: &patient, EffectiveDateTime: sdk.String("2025-11-01T09:00:00Z"),
			Code:          sdk.CodeableConcept{Coding: []sdk.Coding{{System: sdk.String(sdk.SystemLOINC), Code: sdk.String("4548-4"), Display: sdk.String("HbA1c")}}},
			ValueQuantity: &sdk.Quantity{Value: jsonNumber("81"), Unit: sdk.String("mmol/mol")},
		}, func(id string) sdk.ObservationQuery { return sdk.ObservationQuery{ID: []string{id}} },
			func(r *sdk.Observation) *string { return r.ID }, func(r *sdk.Observation) *sdk.Meta { return r.Meta },
			func(r *sdk.Observation) { r.ValueQuantity.Value = jsonNumber("80") })
	})
	t.Run("Condition", func(t *testing.T) {
		lifecycle(t, c.Conditions, &sdk.Condition{
			Subject: patient, Code: concept(sdk.SystemSNOMED, "38341003", "Hypertension"),
		}, func(id string) sdk.ConditionQuery { return sdk.ConditionQuery{ID: []string{id}} },
			func(r *sdk.Condition) *string { return r.ID }, func(r *sdk.Condition) *sdk.Meta { return r.Meta },
			func(r *sdk.Condition) { r.OnsetDateTime = sdk.String("2020-01-01") })
	})
	t.Run("MedicationRequest", func(t *testing.T) {
		lifecycle(t, c.MedicationRequests, &sdk.MedicationRequest{
			Status: "active", Intent: "order", Subject: patient,
			MedicationCodeableConcept: concept(sdk.SystemDMD, "39113611000001102", "Metformin 500mg tablets"),
		}, func(id string) sdk.MedicationRequestQuery { return sdk.MedicationRequestQuery{ID: []string{id}} },
			func(r *sdk.MedicationRequest) *string { return r.ID }, func(r *sdk.MedicationRequest) *sdk.Meta { return r.Meta },
			func(r *sdk.MedicationRequest) { r.Status = "stopped" })
	})
	t.Run("AllergyIntolerance", func(t *testing.T) {
		lifecycle(t, c.AllergyIntolerances, &sdk.AllergyIntolerance{
			Patient: patient, Code: concept(sdk.SystemSNOMED, "91935009", "Allergy to peanut"),
		}, func(id string) sdk.AllergyIntoleranceQuery { return sdk.AllergyIntoleranceQuery{ID: []string{id}} },
			func(r *sdk.AllergyIntolerance) *string { return r.ID }, func(r *sdk.AllergyIntolerance) *sdk.Meta { return r.Meta },
			func(r *sdk.AllergyIntolerance) { r.Code.Text = sdk.String("Peanut allergy") })
	})
	t.Run("Immunization", func(t *testing.T) {
		lifecycle(t, c.Immunizations, &sdk.Immunization{
			Status: "completed", Patient: patient, OccurrenceDateTime: sdk.String("2025-10-01"),
			VaccineCode: *concept(sdk.SystemSNOMED, "1181000221105", "Influenza vaccine"),
		}, func(id string) sdk.ImmunizationQuery { return sdk.ImmunizationQuery{ID: []string{id}} },
			func(r *sdk.Immunization) *string { return r.ID }, func(r *sdk.Immunization) *sdk.Meta { return r.Meta },
			func(r *sdk.Immunization) { r.LotNumber = sdk.String("AB123") })
	})
	t.Run("Encounter", func(t *testing.T) {
		lifecycle(t, c.Encounters, &sdk.Encounter{
			Status: "finished", Subject: &patient,
			Class: sdk.Coding{System: sdk.String("http://terminology.hl7.org/CodeSystem/v3-ActCode"), Code: sdk.String("AMB")},
		}, func(id string) sdk.EncounterQuery { return sdk.EncounterQuery{ID: []string{id}} },
			func(r *sdk.Encounter) *string { return r.ID }, func(r *sdk.Encounter) *sdk.Meta { return r.Meta },
			func(r *sdk.Encounter) { r.Status = "cancelled" })
	})
	t.Run("Organization", func(t *testing.T) {
		lifecycle(t, c.Organizations, &sdk.Organization{
			Name:       sdk.String("Ancoats Test Practice"),
			Identifier: []sdk.Identifier{{System: sdk.String(sdk.SystemODSCode), Value: sdk.String("Y99999")}},
		}, func(id string) sdk.OrganizationQuery { return sdk.OrganizationQuery{ID: []string{id}} },
			func(r *sdk.Organization) *string { return r.ID }, func(r *sdk.Organization) *sdk.Meta { return r.Meta },
			func(r *sdk.Organization) { r.Name = sdk.String("Ancoats Health Centre") })
	})
	t.Run("Practitioner", func(t *testing.T) {
		lifecycle(t, c.Practitioners, &sdk.Practitioner{
			Name: []sdk.HumanName{{Family: sdk.String("Khan"), Given: []string{"Amira"}, Prefix: []string{"Dr"}}},
		}, func(id string) sdk.PractitionerQuery { return sdk.PractitionerQuery{ID: []string{id}} },
			func(r *sdk.Practitioner) *string { return r.ID }, func(r *sdk.Practitioner) *sdk.Meta { return r.Meta },
			func(r *sdk.Practitioner) { r.Name[0].Given = []string{"Amira", "Noor"} })
	})
}

func concept(system, code, display string) *sdk.CodeableConcept {
	return &sdk.CodeableConcept{Coding: []sdk.Coding{{System: sdk.String(system), Code: sdk.String(code), Display: sdk.String(display)}}}
}

func TestCreateOptions(t *testing.T) {
	sb, rec := start(t)
	c := client(t, sb)
	ctx := context.Background()
	p := &sdk.Patient{Identifier: []sdk.Identifier{{System: sdk.String(sdk.SystemNHSNumber), Value: sdk.String("9990001979")}}}
	q := sdk.PatientQuery{Identifier: sdk.NHSNumberIdentifier("9990001979")}
	first, err := c.Patients.Create(ctx, p, sdk.IfNoneExist(q))
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Patients.Create(ctx, p, sdk.IfNoneExist(q))
	if err != nil || *again.ID != *first.ID {
		t.Fatalf("conditional create: %v; ids %s and %s, want the existing one", err, *first.ID, sdk.Deref(again.ID))
	}
	var ine []string
	for _, s := range rec.all() {
		if s.Method == "POST" && strings.HasSuffix(s.Path, "/Patient") {
			ine = append(ine, s.Header.Get("If-None-Exist"))
			if ct := s.Header.Get("Content-Type"); ct != "application/fhir+json" {
				t.Errorf("Content-Type %q", ct)
			}
		}
	}
	if len(ine) != 2 || ine[0] != "identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9990001979" {
		t.Errorf("If-None-Exist headers %q", ine)
	}
	// Update-as-create: a new id, no version to match.
	np := &sdk.Patient{ID: sdk.String("sme-patient-1"), Name: []sdk.HumanName{{Family: sdk.String("Lowry")}}}
	if got, err := c.Patients.Update(ctx, np); err != nil || *got.ID != "sme-patient-1" {
		t.Fatalf("update-as-create: %v", err)
	}
	for _, bad := range []*sdk.Patient{nil, {}, {ID: sdk.String("../Observation/x")}} {
		if _, err := c.Patients.Update(ctx, bad); err == nil {
			t.Errorf("Update(%+v) succeeded", bad)
		}
	}
	if _, err := c.Patients.Create(ctx, nil); err == nil {
		t.Error("Create(nil) succeeded")
	}
	if _, err := c.Patients.Get(ctx, "has/slash"); err == nil || !strings.Contains(err.Error(), "not a FHIR id") {
		t.Errorf("Get with a bad id: %v", err)
	}
}

// Each query type's fields reach the server as the contract's parameters, and find what they
// should in the seeded data.
func TestQueries(t *testing.T) {
	_, c := readOnly(t)
	ctx := context.Background()
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	count := func(t *testing.T, n int, err error, min int) {
		t.Helper()
		if err != nil || n < min {
			t.Errorf("%d results, %v: want at least %d", n, err, min)
		}
	}
	t.Run("Patient", func(t *testing.T) {
		q := sdk.PatientQuery{Family: "Mahmood", Given: "Tariq", Name: "tar", Gender: "male", Birthdate: sdk.Before(day(1990, 1, 1)),
			Identifier: sdk.NHSNumberIdentifier("9990000018"), AddressPostalcode: "M", Sort: sdk.Descending("birthdate"), Total: sdk.TotalAccurate}
		p, err := c.Patients.SearchPage(ctx, q)
		if err != nil || len(p.Resources) != 1 || *p.Resources[0].ID != sandboxtest.StoryDiabetes || !p.TotalKnown || p.Total != 1 {
			t.Fatalf("%+v %v", p, err)
		}
		n, err := c.Patients.Count(ctx, sdk.PatientQuery{DeathDate: sdk.Since(day(2025, 1, 1))})
		count(t, n, err, 1)
		dead, err := c.Patients.Get(ctx, sandboxtest.StoryDeceased)
		if err != nil {
			t.Fatal(err)
		}
		n, err = c.Patients.Count(ctx, sdk.PatientQuery{GeneralPractitioner: *dead.GeneralPractitioner[0].Reference})
		count(t, n, err, 1)
	})
	t.Run("Observation", func(t *testing.T) {
		q := sdk.ObservationQuery{Patient: sandboxtest.StoryDiabetes, Code: sdk.LOINC("4548-4"), Status: sdk.Code("", "final"),
			Category: sdk.Code("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory"),
			Date:     sdk.Between(day(2021, 1, 1), day(2026, 1, 1)), Sort: sdk.Descending("date"), Count: 4}
		var values []string
		for o, err := range c.Observations.Search(ctx, q) {
			if err != nil {
				t.Fatal(err)
			}
			values = append(values, sdk.ObservationValueText(o))
		}
		if strings.Join(values, ",") != "78 mmol/mol,74 mmol/mol,71 mmol/mol,68 mmol/mol,65 mmol/mol,62 mmol/mol,60 mmol/mol,57 mmol/mol,55 mmol/mol,52 mmol/mol" {
			t.Errorf("HbA1c 2021–2025, newest first: %v", values)
		}
		n, err := c.Observations.Count(ctx, sdk.ObservationQuery{Subject: "Patient/" + sandboxtest.StoryDiabetes, LastUpdated: sdk.Until(day(2026, 1, 2))})
		count(t, n, err, 11)
	})
	t.Run("Condition", func(t *testing.T) {
		n, err := c.Conditions.Count(ctx, sdk.ConditionQuery{Code: sdk.SNOMED("44054006"), ClinicalStatus: sdk.Code("", "active")})
		count(t, n, err, 2)
		n, err = c.Conditions.Count(ctx, sdk.ConditionQuery{Patient: sandboxtest.StoryDiabetes, Subject: "Patient/" + sandboxtest.StoryDiabetes,
			OnsetDate: sdk.Since(day(2019, 1, 1)), Sort: sdk.Ascending("onset-date")})
		count(t, n, err, 1)
	})
	t.Run("MedicationRequest", func(t *testing.T) {
		n, err := c.MedicationRequests.Count(ctx, sdk.MedicationRequestQuery{Patient: sandboxtest.StoryDiabetes, Status: sdk.Code("", "active"),
			AuthoredOn: sdk.Since(day(2000, 1, 1)), Sort: sdk.Descending("authoredon")})
		count(t, n, err, 3)
		n, err = c.MedicationRequests.Count(ctx, sdk.MedicationRequestQuery{Subject: "Patient/" + sandboxtest.StoryDiabetes, Code: sdk.Code("", "39113611000001102").Or(sdk.DMD("0"))})
		count(t, n, err, 0)
	})
	t.Run("AllergyIntolerance", func(t *testing.T) {
		n, err := c.AllergyIntolerances.Count(ctx, sdk.AllergyIntoleranceQuery{Patient: sandboxtest.StoryPenicillinAllergy, ClinicalStatus: sdk.Code("", "active")})
		count(t, n, err, 1)
		n, err = c.AllergyIntolerances.Count(ctx, sdk.AllergyIntoleranceQuery{Code: sdk.SNOMED("764146007")})
		count(t, n, err, 0)
	})
	t.Run("Immunization", func(t *testing.T) {
		n, err := c.Immunizations.Count(ctx, sdk.ImmunizationQuery{Patient: sandboxtest.StoryAsthmaChild, Date: sdk.Since(day(2017, 1, 1)), Sort: sdk.Ascending("date")})
		count(t, n, err, 10)
		n, err = c.Immunizations.Count(ctx, sdk.ImmunizationQuery{VaccineCode: sdk.SNOMED("38598009")})
		count(t, n, err, 0)
	})
	t.Run("Encounter", func(t *testing.T) {
		n, err := c.Encounters.Count(ctx, sdk.EncounterQuery{Patient: sandboxtest.StoryCOPDHeartFailure, Class: sdk.Code("", "IMP"),
			Status: sdk.Code("", "finished"), Date: sdk.On(day(2024, 11, 1)).And(sdk.After(day(2020, 1, 1)))})
		count(t, n, err, 0)
		n, err = c.Encounters.Count(ctx, sdk.EncounterQuery{Subject: "Patient/" + sandboxtest.StoryCOPDHeartFailure, Sort: sdk.Descending("date")})
		count(t, n, err, 1)
	})
	t.Run("Organization", func(t *testing.T) {
		p, err := c.Organizations.SearchPage(ctx, sdk.OrganizationQuery{Name: "Manchester University", Sort: sdk.SortRecentlyUpdated})
		if err != nil || len(p.Resources) == 0 {
			t.Fatalf("%v %v", p, err)
		}
		ods := sdk.IdentifierValue(p.Resources[0].Identifier, sdk.SystemODSCode)
		n, err := c.Organizations.Count(ctx, sdk.OrganizationQuery{Identifier: sdk.ODSCode(ods), Type: sdk.Token{}})
		if err != nil || n != 1 {
			t.Errorf("by ODS code %s: %d, %v", ods, n, err)
		}
	})
	t.Run("Practitioner", func(t *testing.T) {
		p, err := c.Practitioners.SearchPage(ctx, sdk.PractitionerQuery{Count: 1, Total: sdk.TotalNone})
		if err != nil || len(p.Resources) != 1 || p.TotalKnown || p.Next == "" {
			t.Fatalf("%+v %v", p, err)
		}
		fam := sdk.Deref(p.Resources[0].Name[0].Family)
		n, err := c.Practitioners.Count(ctx, sdk.PractitionerQuery{Name: fam, Identifier: sdk.Token{}})
		count(t, n, err, 1)
	})
}

func jsonNumber(s string) *sdk.Number { n := sdk.Number(s); return &n }

func TestSearchPaging(t *testing.T) {
	sb, rec := start(t)
	c := client(t, sb)
	ctx := context.Background()
	q := sdk.PatientQuery{Count: 7, Total: sdk.TotalAccurate}

	// Page by page, by hand.
	var paged []string
	page, err := c.Patients.SearchPage(ctx, q)
	for pages := 1; ; pages++ {
		if err != nil {
			t.Fatal(err)
		}
		if !page.TotalKnown || page.Total != sandboxtest.DefaultPatients || page.Self == "" {
			t.Fatalf("page %d: total %d (known %v), self %q", pages, page.Total, page.TotalKnown, page.Self)
		}
		if pages > 1 && page.Previous == "" {
			t.Errorf("page %d has no previous link", pages)
		}
		for _, p := range page.Resources {
			paged = append(paged, *p.ID)
		}
		if page.Next == "" {
			break
		}
		page, err = c.Patients.Page(ctx, page.Next)
	}
	// The iterator walks the same pages.
	var walked []string
	rec.reset()
	for p, err := range c.Patients.Search(ctx, q) {
		if err != nil {
			t.Fatal(err)
		}
		walked = append(walked, *p.ID)
	}
	if len(walked) != sandboxtest.DefaultPatients || strings.Join(walked, ",") != strings.Join(paged, ",") {
		t.Fatalf("the iterator found %d patients, paging by hand %d", len(walked), len(paged))
	}
	if n := rec.count("/fhir/R4/Patient"); n != (sandboxtest.DefaultPatients+6)/7 {
		t.Errorf("%d page requests, want %d", n, (sandboxtest.DefaultPatients+6)/7)
	}

	// Lazy: breaking out after the first patient fetches one page.
	rec.reset()
	for range c.Patients.Search(ctx, q) {
		break
	}
	if n := rec.count("/fhir/R4/Patient"); n != 1 {
		t.Errorf("breaking after one result: %d page requests, want 1", n)
	}

	t.Run("links outside the base are not followed", func(t *testing.T) {
		for _, link := range []string{"http://evil.example/fhir/R4/Patient?_cursor=x", sb.URL + "/developer/v1/apps", "::not a url"} {
			if _, err := c.Patients.Page(ctx, link); err == nil || !strings.Contains(err.Error(), "link") {
				t.Errorf("Page(%q): %v, want a refusal", link, err)
			}
		}
	})
	t.Run("errors end the iteration", func(t *testing.T) {
		var errs int
		for p, err := range c.Patients.Search(ctx, sdk.PatientQuery{Sort: "no-such-sort"}) {
			if err == nil || p != nil {
				t.Fatalf("got %v, %v", p, err)
			}
			if !strings.Contains(err.Error(), "400") {
				t.Errorf("error %v: want a 400", err)
			}
			errs++
		}
		if errs != 1 {
			t.Errorf("%d errors yielded, want 1", errs)
		}
	})
}

func TestByNHSNumber(t *testing.T) {
	sb, rec := start(t)
	c := client(t, sb)
	ctx := context.Background()
	for _, s := range sandboxtest.Stories() {
		p, err := c.Patients.ByNHSNumber(ctx, s.NHSNumber)
		if err != nil || *p.ID != s.ID {
			t.Fatalf("ByNHSNumber(%s): %v, %v; want %s", s.NHSNumber, p, err, s.ID)
		}
	}
	for _, r := range rec.all() {
		if strings.Contains(r.Query, "999") {
			t.Errorf("an NHS number went into a URL: %s?%s", r.Path, r.Query)
		}
	}
	if p, err := c.Patients.ByNHSNumber(ctx, "999 000 0018"); err != nil || *p.ID != sandboxtest.StoryDiabetes {
		t.Errorf("with spaces: %v", err)
	}
	rec.reset()
	for _, bad := range []string{"9990000019", "999000001", "99900000180", "999000001X", ""} {
		if _, err := c.Patients.ByNHSNumber(ctx, bad); !errors.Is(err, sdk.ErrInvalidNHSNumber) {
			t.Errorf("ByNHSNumber(%q): %v, want ErrInvalidNHSNumber", bad, err)
		}
	}
	if len(rec.all()) != 0 {
		t.Errorf("invalid NHS numbers were sent: %d requests", len(rec.all()))
	}
	_, err := c.Patients.ByNHSNumber(ctx, "9434765919") // valid check digit, nobody has it
	var fe *sdk.Error
	if !errors.As(err, &fe) || !sdk.IsNotFound(err) || fe.RequestID == "" || !strings.Contains(err.Error(), "9434765919") {
		t.Errorf("unknown NHS number: %v, want a 404 *sdk.Error with a request id", err)
	}
}

func TestEverything(t *testing.T) {
	_, c := readOnly(t)
	ctx := context.Background()
	types := map[string]int{}
	var hba1c []float64
	for r, err := range c.Patients.Everything(ctx, sandboxtest.StoryDiabetes) {
		if err != nil {
			t.Fatal(err)
		}
		types[r.ResourceType]++
		if r.ResourceType == "Observation" {
			var o sdk.Observation
			if err := r.Decode(&o); err != nil {
				t.Fatal(err)
			}
			if sdk.HasCoding(&o.Code, sdk.SystemLOINC, "4548-4") {
				v, unit, ok := sdk.ObservationValue(&o)
				if !ok || unit != "mmol/mol" {
					t.Errorf("HbA1c %v %q %v", v, unit, ok)
				}
				hba1c = append(hba1c, v)
			}
		}
		if r.ResourceType == "Patient" {
			var o sdk.Observation
			if err := r.Decode(&o); err == nil {
				t.Error("a Patient decoded as an Observation")
			}
		}
	}
	if types["Patient"] != 1 || types["Observation"] < 11 || types["Condition"] < 2 || types["MedicationRequest"] < 3 || len(hba1c) != 11 {
		t.Errorf("everything: %v, %d HbA1c", types, len(hba1c))
	}
	for r, err := range c.Patients.Everything(ctx, "no-such-patient") {
		if !sdk.IsNotFound(err) || r != nil {
			t.Errorf("unknown patient: %v %v", r, err)
		}
	}
}

func TestCapabilitiesAndSmartConfiguration(t *testing.T) {
	sb, c := readOnly(t)
	ctx := context.Background()
	cs, err := c.Capabilities(ctx)
	if err != nil || cs.FHIRVersion != "4.0.1" {
		t.Fatalf("%v %v", cs, err)
	}
	sc, err := c.SmartConfiguration(ctx)
	if err != nil || sc.TokenEndpoint != sb.TokenURL {
		t.Fatalf("%v %v", sc, err)
	}
	if c.BaseURL() != sb.FHIRBaseURL {
		t.Errorf("BaseURL %q", c.BaseURL())
	}
}
