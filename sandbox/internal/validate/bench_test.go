package validate

import (
	"net/http/httptest"
	"testing"
)

// BenchmarkCheckRead is the validation of a read by id, the most frequent request.
func BenchmarkCheckRead(b *testing.B) {
	v := newValidator(b)
	r := httptest.NewRequest("GET", "/fhir/R4/Patient/story-diabetes", nil)
	b.ReportAllocs()
	for b.Loop() {
		if e := v.Check(r, "GET /fhir/R4/Patient/{id}"); e != nil {
			b.Fatal(e)
		}
	}
}
