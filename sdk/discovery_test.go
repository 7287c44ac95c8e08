package sdk

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// fakeAuthServer serves a SMART configuration body and a token endpoint at /auth/token.
func fakeAuthServer(t *testing.T, smart string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/fhir/R4/.well-known/smart-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, smart)
	})
	mux.HandleFunc("/auth/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"t","token_type":"Bearer","expires_in":300}`)
	})
	mux.HandleFunc("/fhir/R4/Patient/p1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/fhir+json")
		io.WriteString(w, `{"resourceType":"Patient","id":"p1"}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestDiscovery(t *testing.T) {
	ctx := context.Background()
	t.Run("relative token endpoint", func(t *testing.T) {
		srv := fakeAuthServer(t, `{"token_endpoint":"/auth/token","capabilities":[],"grant_types_supported":[]}`)
		c, _ := NewClient(srv.URL+"/fhir/R4", WithClientSecret("a", "b"))
		if u, err := c.TokenURL(ctx); err != nil || u != srv.URL+"/auth/token" {
			t.Fatalf("TokenURL %q %v", u, err)
		}
		if _, err := c.Patients.Get(ctx, "p1"); err != nil {
			t.Fatal(err)
		}
	})
	for name, body := range map[string]string{
		"no token endpoint": `{"capabilities":[]}`,
		"not JSON":          `<html>`,
		"not http":          `{"token_endpoint":"file:///etc/passwd"}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := fakeAuthServer(t, body)
			c, _ := NewClient(srv.URL+"/fhir/R4", WithClientSecret("a", "b"))
			_, err := c.Patients.Get(ctx, "p1")
			if err == nil || !strings.Contains(err.Error(), "token") {
				t.Fatalf("Get: %v, want a discovery error", err)
			}
		})
	}
	t.Run("discovery answers 404", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		defer srv.Close()
		c, _ := NewClient(srv.URL+"/fhir/R4", WithClientSecret("a", "b"))
		if _, err := c.TokenURL(ctx); statusOf(err) != 404 {
			t.Fatalf("TokenURL: %v, want the 404", err)
		}
	})
}

// Network errors keep the *url.Error but lose the query, which may hold identifiers.
func TestTransportErrorsHideTheQuery(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	c, err := NewClient("http://"+addr+"/fhir/R4", WithTokenSource(staticToken("t")), WithRetry(NoRetry))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Patients.SearchPage(context.Background(), PatientQuery{Family: "Mahmood", Identifier: NHSNumberIdentifier("9990000018")})
	var ue *url.Error
	if !errors.As(err, &ue) || strings.Contains(err.Error(), "Mahmood") || strings.Contains(err.Error(), "9990000018") || !strings.Contains(err.Error(), "/fhir/R4/Patient") {
		t.Errorf("error %v: want a *url.Error naming the path only", err)
	}
}
