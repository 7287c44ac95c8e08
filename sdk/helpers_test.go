package sdk_test

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gm-lhcr/lhcr/sdk"
)

func TestParseNHSNumber(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"9990000018", "9990000018", true},
		{"999 000 0018", "9990000018", true},
		{"999-000-0018", "9990000018", true},
		{"9434765919", "9434765919", true},
		{"4010232137", "4010232137", true},
		{"9990000019", "", false}, // wrong check digit
		{"1000000010", "", false}, // check digit would be 10: never issued
		{"999000001", "", false},
		{"99900000181", "", false},
		{"99900000a8", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := sdk.ParseNHSNumber(tt.in)
		if got != tt.want || (err == nil) != tt.ok || sdk.ValidNHSNumber(tt.in) != tt.ok {
			t.Errorf("ParseNHSNumber(%q) = %q, %v", tt.in, got, err)
		}
		if !tt.ok && !errors.Is(err, sdk.ErrInvalidNHSNumber) {
			t.Errorf("ParseNHSNumber(%q): %v is not ErrInvalidNHSNumber", tt.in, err)
		}
	}
}

func TestQueryValues(t *testing.T) {
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	at := time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		q    sdk.Query
		want string
	}{
		{"zero", sdk.PatientQuery{}, ""},
		{"patient", sdk.PatientQuery{ID: []string{"a", "b"}, Identifier: sdk.NHSNumberIdentifier("9990000018"), Family: "Taylor", Given: "Amelia",
			Name: "tay", Birthdate: sdk.Between(day, day.AddDate(1, 0, 0)), Gender: "female", AddressPostalcode: "M3",
			GeneralPractitioner: "Organization/ods-P84001", DeathDate: sdk.Since(day), LastUpdated: sdk.After(at),
			Sort: sdk.Descending("birthdate"), Count: 20, Total: sdk.TotalAccurate},
			"_count=20&_id=a,b&_lastUpdated=gt2024-03-01T09:30:00Z&_sort=-birthdate&_total=accurate&address-postalcode=M3&birthdate=ge2024-03-01&birthdate=lt2025-03-01&death-date=ge2024-03-01&family=Taylor&gender=female&general-practitioner=Organization/ods-P84001&given=Amelia&identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018&name=tay"},
		{"observation", sdk.ObservationQuery{Patient: "p1", Subject: "Patient/p1", Code: sdk.LOINC("4548-4").Or(sdk.SNOMED("1003671000000109")),
			Category: sdk.Code("", "laboratory"), Date: sdk.On(day), Status: sdk.Code("", "final"), Count: 5000},
			"_count=1000&category=laboratory&code=http://loinc.org|4548-4,http://snomed.info/sct|1003671000000109&date=eq2024-03-01&patient=p1&status=final&subject=Patient/p1"},
		{"condition", sdk.ConditionQuery{Patient: "p1", Code: sdk.SNOMED("44054006"), ClinicalStatus: sdk.Code("", "active"), OnsetDate: sdk.Until(day)},
			"clinical-status=active&code=http://snomed.info/sct|44054006&onset-date=le2024-03-01&patient=p1"},
		{"medication request", sdk.MedicationRequestQuery{Subject: "Patient/p1", Status: sdk.Code("", "active"), AuthoredOn: sdk.Before(day), Code: sdk.DMD("39113611000001102")},
			"authoredon=lt2024-03-01&code=https://dmd.nhs.uk|39113611000001102&status=active&subject=Patient/p1"},
		{"allergy", sdk.AllergyIntoleranceQuery{Patient: "p1", ClinicalStatus: sdk.Code("", "active"), Code: sdk.SNOMED("764146007")},
			"clinical-status=active&code=http://snomed.info/sct|764146007&patient=p1"},
		{"immunization", sdk.ImmunizationQuery{Patient: "p1", Date: sdk.DateIs(sdk.DateSA, day), VaccineCode: sdk.SNOMED("38598009")},
			"date=sa2024-03-01&patient=p1&vaccine-code=http://snomed.info/sct|38598009"},
		{"encounter", sdk.EncounterQuery{Patient: "p1", Subject: "Patient/p1", Date: sdk.DateIs(sdk.DateNE, day), Class: sdk.Code("", "AMB"), Status: sdk.Code("", "finished")},
			"class=AMB&date=ne2024-03-01&patient=p1&status=finished&subject=Patient/p1"},
		{"organization", sdk.OrganizationQuery{Identifier: sdk.ODSCode("P84001"), Name: "Salford", Type: sdk.Code("", "prov")},
			"identifier=https://fhir.nhs.uk/Id/ods-organization-code|P84001&name=Salford&type=prov"},
		{"practitioner", sdk.PractitionerQuery{Identifier: sdk.Code("https://fhir.hl7.org.uk/Id/gmc-number", "1234567"), Name: "Khan", Sort: sdk.SortLastUpdated},
			"_sort=_lastUpdated&identifier=https://fhir.hl7.org.uk/Id/gmc-number|1234567&name=Khan"},
		{"escaping", sdk.ObservationQuery{Code: sdk.Code("urn:x", "a,b|c$d\\e")}, `code=urn:x|a\,b\|c\$d\\e`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.q.Values().Encode()
			got = strings.NewReplacer("%2C", ",", "%2F", "/", "%3A", ":", "%7C", "|", "%5C", `\`, "%24", "$").Replace(got)
			if got != tt.want {
				t.Errorf("Values:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestTokenAndDateFilter(t *testing.T) {
	if !(sdk.Token{}).IsZero() || sdk.LOINC("1").IsZero() || !(sdk.DateFilter{}).IsZero() {
		t.Error("IsZero")
	}
	if s := sdk.LOINC("4548-4").Or(sdk.Code("", "x")).String(); s != "http://loinc.org|4548-4,x" {
		t.Errorf("Token.String %q", s)
	}
	bst := time.FixedZone("BST", 3600)
	if s := sdk.Since(time.Date(2024, 6, 1, 0, 0, 0, 0, bst)).And(sdk.Before(time.Date(2024, 6, 1, 12, 0, 0, 0, bst))).String(); s != "ge2024-06-01&lt2024-06-01T12:00:00+01:00" {
		t.Errorf("DateFilter.String %q", s)
	}
}

func TestResourceHelpers(t *testing.T) {
	official, usual := sdk.HumanNameUse("official"), sdk.HumanNameUse("usual")
	p := &sdk.Patient{
		Identifier: []sdk.Identifier{{System: sdk.String("urn:other"), Value: sdk.String("x")}, {System: sdk.String(sdk.SystemNHSNumber), Value: sdk.String("9990000018")}},
		Name:       []sdk.HumanName{{Use: &usual, Given: []string{"Taz"}}, {Use: &official, Given: []string{"Tariq", "Aziz"}, Family: sdk.String("Mahmood")}},
	}
	if sdk.NHSNumber(p) != "9990000018" || sdk.DisplayName(p) != "Tariq Aziz Mahmood" || sdk.NHSNumber(nil) != "" || sdk.DisplayName(nil) != "" {
		t.Errorf("NHSNumber %q DisplayName %q", sdk.NHSNumber(p), sdk.DisplayName(p))
	}
	if got := sdk.NameText([]sdk.HumanName{{Text: sdk.String("Dr A Khan"), Family: sdk.String("Khan")}}); got != "Dr A Khan" {
		t.Errorf("NameText %q", got)
	}
	if got := sdk.PractitionerName(&sdk.Practitioner{Name: []sdk.HumanName{{Prefix: []string{"Dr"}, Given: []string{"Amira"}, Family: sdk.String("Khan")}}}); got != "Dr Amira Khan" {
		t.Errorf("PractitionerName %q", got)
	}
	v := sdk.Number("7.10")
	lt := sdk.QuantityComparator("<")
	o := &sdk.Observation{ValueQuantity: &sdk.Quantity{Value: &v, Unit: sdk.String("mmol/L"), Comparator: &lt}, EffectivePeriod: &sdk.Period{Start: sdk.String("2024-03")}}
	if val, unit, ok := sdk.ObservationValue(o); val != 7.1 || unit != "mmol/L" || !ok {
		t.Errorf("ObservationValue %v %q %v", val, unit, ok)
	}
	if s := sdk.ObservationValueText(o); s != "<7.10 mmol/L" {
		t.Errorf("ObservationValueText %q: want the precision kept", s)
	}
	if tm, ok := sdk.ObservationTime(o); !ok || !tm.Equal(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("ObservationTime %v %v", tm, ok)
	}
	var n int32 = 3
	for _, tt := range []struct {
		o    *sdk.Observation
		want string
	}{
		{&sdk.Observation{ValueInteger: &n}, "3"},
		{&sdk.Observation{ValueString: sdk.String("trace")}, "trace"},
		{&sdk.Observation{ValueCodeableConcept: &sdk.CodeableConcept{Coding: []sdk.Coding{{Code: sdk.String("260385009"), Display: sdk.String("Negative")}}}}, "Negative"},
		{&sdk.Observation{}, ""},
		{nil, ""},
	} {
		if got := sdk.ObservationValueText(tt.o); got != tt.want {
			t.Errorf("ObservationValueText = %q, want %q", got, tt.want)
		}
	}
	if _, _, ok := sdk.ObservationValue(&sdk.Observation{ValueString: sdk.String("x")}); ok {
		t.Error("a string value is numeric")
	}
	if _, ok := sdk.ObservationTime(&sdk.Observation{}); ok {
		t.Error("ObservationTime of nothing")
	}
	for in, want := range map[string]time.Time{
		"2024":                      time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		"2024-03-01T09:30:00+01:00": time.Date(2024, 3, 1, 8, 30, 0, 0, time.UTC),
	} {
		if got, err := sdk.ParseDateTime(in); err != nil || !got.Equal(want) {
			t.Errorf("ParseDateTime(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := sdk.ParseDateTime("March"); err == nil {
		t.Error("ParseDateTime(March)")
	}
	cc := &sdk.CodeableConcept{Coding: []sdk.Coding{{System: sdk.String(sdk.SystemSNOMED), Code: sdk.String("44054006")}}}
	if !sdk.HasCoding(cc, sdk.SystemSNOMED, "44054006") || !sdk.HasCoding(cc, "", "44054006") || sdk.HasCoding(cc, sdk.SystemLOINC, "44054006") || sdk.HasCoding(nil, "", "x") {
		t.Error("HasCoding")
	}
	if sdk.ConceptText(cc) != "44054006" || sdk.ConceptText(&sdk.CodeableConcept{Text: sdk.String("T2DM")}) != "T2DM" || sdk.ConceptText(nil) != "" {
		t.Error("ConceptText")
	}
	if typ, id, ok := sdk.RefID(sdk.Ref("Patient", "p1")); typ != "Patient" || id != "p1" || !ok {
		t.Errorf("RefID %q %q %v", typ, id, ok)
	}
	for _, bad := range []string{"#contained", "p1", "http://x/fhir/Patient/p1", "Patient/"} {
		if _, _, ok := sdk.RefID(&sdk.Reference{Reference: &bad}); ok {
			t.Errorf("RefID(%q) ok", bad)
		}
	}
	if sdk.Deref[string](nil) != "" || sdk.Deref(sdk.String("x")) != "x" {
		t.Error("Deref")
	}
	if sdk.IdentifierValue(nil, sdk.SystemODSCode) != "" {
		t.Error("IdentifierValue")
	}
}

// Every model of the generated package is re-exported by an alias in types.go, so a contract
// change that adds one cannot leave SDK users importing openapi/api.
func TestEveryModelIsReExported(t *testing.T) {
	fset := token.NewFileSet()
	gen, err := parser.ParseFile(fset, "../openapi/api/api.gen.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	// Response wrappers and the OAuth wire formats are not for SDK users.
	skip := map[string]bool{"TokenActionRequest": true, "TokenActionRequestTokenTypeHint": true, "TokenRequest": true,
		"TokenResponse": true, "IntrospectionResponse": true}
	models := map[string]bool{}
	for _, d := range gen.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.TYPE {
			continue
		}
		for _, s := range g.Specs {
			ts := s.(*ast.TypeSpec)
			doc := g.Doc.Text()
			name := ts.Name.Name
			if strings.Contains(name, "Param") || strings.HasSuffix(name, "Response") || skip[name] || strings.Contains(doc, "defines parameters") ||
				strings.HasSuffix(name, "RequestBody") || strings.HasSuffix(name, "FormdataBody") {
				continue
			}
			// The contract's shared error responses are OperationOutcome or OAuthError under another name.
			if id, ok := ts.Type.(*ast.Ident); ok && (id.Name == "OperationOutcome" || id.Name == "OAuthError") {
				continue
			}
			if strings.Contains(doc, "defines model for") || isModelSection(fset, ts, gen) {
				models[name] = true
			}
		}
	}
	src, err := os.ReadFile("types.go")
	if err != nil {
		t.Fatal(err)
	}
	for name := range models {
		if !strings.Contains(string(src), "\t"+name+" = api."+name+"\n") {
			t.Errorf("types.go does not re-export api.%s: add\n\t// %s is [api.%s].\n\t%s = api.%s", name, name, name, name, name)
		}
	}
	if len(models) < 100 {
		t.Errorf("found only %d models: the test no longer reads api.gen.go right", len(models))
	}
}

// isModelSection reports whether a type is declared before the generated parameter types, in
// the models section of api.gen.go.
func isModelSection(fset *token.FileSet, ts *ast.TypeSpec, f *ast.File) bool {
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.TYPE {
			for _, s := range g.Specs {
				if s.(*ast.TypeSpec).Name.Name == "ListAppsParams" {
					return fset.Position(ts.Pos()).Line < fset.Position(s.Pos()).Line
				}
			}
		}
	}
	return false
}

// The SDK pulls no server code into its users' binaries.
func TestNoServerDependencies(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH, so go list cannot run here")
	}
	out, err := exec.Command(gobin, "list", "-deps", "github.com/gm-lhcr/lhcr/sdk").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"fosite", "sqlite", "gm-lhcr/lhcr/sandbox", "kin-openapi"} {
			if strings.Contains(dep, banned) {
				t.Errorf("sdk depends on %s", dep)
			}
		}
	}
}
