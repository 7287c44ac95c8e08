package auth

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gm-lhcr/lhcr/openapi/api"
)

// BenchmarkTokenSecret issues tokens with client_secret_basic, in-process (no network).
func BenchmarkTokenSecret(b *testing.B) {
	f := newFixture(b, "")
	body := url.Values{"grant_type": {"client_credentials"}, "scope": {"system/Patient.rs"}}.Encode()
	b.ReportAllocs()
	start := time.Now()
	n := 0
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/oauth2/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("secret-app", "s3cret")
		rec := httptest.NewRecorder()
		f.srv.RequestToken(rec, req, api.RequestTokenParams{})
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		n++
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "tokens/s")
}

// BenchmarkTokenPrivateKeyJWT issues tokens with private_key_jwt (ES384 assertions, each with a
// fresh jti; signing the assertion is the client's cost and happens outside the timer).
func BenchmarkTokenPrivateKeyJWT(b *testing.B) {
	f := newFixture(b, "")
	b.ReportAllocs()
	var elapsed time.Duration
	n := 0
	for b.Loop() {
		b.StopTimer()
		sp := f.spec(jose.ES384)
		sp.claims["jti"] = fmt.Sprintf("bench-%d", n)
		body := assertionForm(sign(b, sp)).Encode()
		req := httptest.NewRequest(http.MethodPost, "/oauth2/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		b.StartTimer()
		t0 := time.Now()
		f.srv.RequestToken(rec, req, api.RequestTokenParams{})
		elapsed += time.Since(t0)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		n++
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "tokens/s")
}

// BenchmarkBearerCheck verifies a token and checks its scope, as every FHIR request does.
func BenchmarkBearerCheck(b *testing.B) {
	f := newFixture(b, "")
	tok := f.secretToken(b, "secret-app", "s3cret", "")
	need := Requirement{Bearer: true, Type: "Patient", Interaction: Read}
	req := httptest.NewRequest(http.MethodGet, "/fhir/R4/Patient/1", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		if _, e := f.srv.Authorize(rec, req, need); e != nil {
			b.Fatal(e)
		}
	}
}
