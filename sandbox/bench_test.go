package sandbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gm-lhcr/lhcr/sandbox"
)

// Benchmarks of the whole handler (middleware, routing, contract validation, store), called
// directly with a recorder so that no network is measured. Compare runs with benchstat:
//
//	go test -run='^$' -bench=. -benchtime=2s -count=10 ./sandbox/ > new.txt
//	benchstat old.txt new.txt

// newBenchSandbox opens a sandbox on a file in b.TempDir(); requests carry the test app's token,
// so the benchmarks include the bearer check.
func newBenchSandbox(b *testing.B) http.Handler {
	b.Helper()
	sb, err := sandbox.New(context.Background(), sandbox.Config{DBPath: b.TempDir() + "/bench.db"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sb.Close() })
	return withToken(b, sb)
}

// serve runs one request through h and fails b unless the status is want.
func serve(b *testing.B, h http.Handler, method, target, body string, want int) *httptest.ResponseRecorder {
	var req *http.Request
	if body == "" {
		req = httptest.NewRequest(method, target, nil)
	} else {
		req = httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	// net/http serves each request with a context cancelled when the client goes away.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req = req.WithContext(ctx)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: status %d, want %d: %.300s", method, target, rec.Code, want, rec.Body.Bytes())
	}
	return rec
}

// benchPatient is patient i: the family names repeat every 40 patients.
func benchPatient(i int) string {
	families := []string{"Taylor", "Smith", "Jones", "Williams", "Brown", "Davies", "Evans", "Wilson",
		"Thomas", "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White",
		"Edwards", "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel",
		"Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris",
		"Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen"}
	p := patientRes(nhsNumber(i), families[i%len(families)], "Amelia", "Rose")
	p["birthDate"] = fmt.Sprintf("19%02d-%02d-%02d", 30+i%70, 1+i%12, 1+i%28)
	b, _ := json.Marshal(p)
	return string(b)
}

func BenchmarkReadPatient(b *testing.B) {
	sb := newBenchSandbox(b)
	rec := serve(b, sb, "POST", "/fhir/R4/Patient", benchPatient(0), http.StatusCreated)
	var p struct{ ID string }
	json.Unmarshal(rec.Body.Bytes(), &p)
	target := "/fhir/R4/Patient/" + p.ID
	b.ReportAllocs()
	for b.Loop() {
		serve(b, sb, "GET", target, "", http.StatusOK)
	}
}

func BenchmarkSearchPatientPage50(b *testing.B) {
	sb := newBenchSandbox(b)
	const patients = 4000 // 100 Taylors
	for i := range patients {
		serve(b, sb, "POST", "/fhir/R4/Patient", benchPatient(i), http.StatusCreated)
	}
	benchPage(b, sb, "/fhir/R4/Patient?family=taylor&_count=50", 50)
}

// benchPage checks that target answers a page of want entries, then measures it.
func benchPage(b *testing.B, sb http.Handler, target string, want int) {
	rec := serve(b, sb, "GET", target, "", http.StatusOK)
	if n := strings.Count(rec.Body.String(), `"fullUrl"`); n != want {
		b.Fatalf("%s: %d entries, want %d", target, n, want)
	}
	b.ReportAllocs()
	for b.Loop() {
		serve(b, sb, "GET", target, "", http.StatusOK)
	}
}

func BenchmarkCreatePatient(b *testing.B) {
	sb := newBenchSandbox(b)
	body := benchPatient(0)
	b.ReportAllocs()
	for b.Loop() {
		serve(b, sb, "POST", "/fhir/R4/Patient", body, http.StatusCreated)
	}
}

// patientsWithObservations creates 20 patients, each with each observations of every code
// given (as observationRes makes them, with that code), and returns the last patient's id.
func patientsWithObservations(b *testing.B, sb http.Handler, each int, codes ...any) string {
	var id string
	for i := range 20 {
		rec := serve(b, sb, "POST", "/fhir/R4/Patient", benchPatient(i), http.StatusCreated)
		var p struct{ ID string }
		json.Unmarshal(rec.Body.Bytes(), &p)
		id = p.ID
		for _, code := range codes {
			o := observationRes(id)
			o["code"] = code
			body, _ := json.Marshal(o)
			for range each {
				serve(b, sb, "POST", "/fhir/R4/Observation", string(body), http.StatusCreated)
			}
		}
	}
	return id
}

var (
	hba1cCode   = concept(sysLOINC, "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood")
	glucoseCode = concept(sysLOINC, "2339-0", "Glucose [Mass/volume] in Blood")
)

// BenchmarkEverythingPage50 is the first page of $everything for a patient with 200 observations,
// among 20 such patients.
func BenchmarkEverythingPage50(b *testing.B) {
	sb := newBenchSandbox(b)
	id := patientsWithObservations(b, sb, 200, hba1cCode)
	benchPage(b, sb, "/fhir/R4/Patient/"+id+"/$everything?_count=50", 50)
}

// BenchmarkSearchObservationPatientCode is a patient's HbA1c results: 20 patients with 100
// HbA1c and 100 glucose observations each; the page holds the patient's 100 HbA1c results
// (_count=100). The reference clause should drive the scan, the code be checked per row.
func BenchmarkSearchObservationPatientCode(b *testing.B) {
	sb := newBenchSandbox(b)
	id := patientsWithObservations(b, sb, 100, hba1cCode, glucoseCode)
	benchPage(b, sb, "/fhir/R4/Observation?patient="+id+"&code=http://loinc.org|4548-4&_count=100", 100)
}
