package sdk_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/gm-lhcr/lhcr/sandbox/sandboxtest"
	"github.com/gm-lhcr/lhcr/sdk"
)

// The developer API's whole app lifecycle: register, list, get, change, use, rotate, re-key,
// read the request log, delete.
func TestDeveloperClient(t *testing.T) {
	sb, rec := start(t)
	ctx := context.Background()
	dev, err := sdk.NewDeveloperClient(sb.URL, sb.DeveloperAPIKey, sdk.WithUserAgent("lhcr-cli/0.1"))
	if err != nil {
		t.Fatal(err)
	}

	created, err := dev.CreateApp(ctx, sdk.AppCreateRequest{Name: "Reader", Scopes: []string{"system/Patient.rs"}})
	if err != nil || created.ClientSecret == nil || created.App.ClientID == "" {
		t.Fatalf("CreateApp: %+v %v", created, err)
	}
	id := created.App.ClientID
	for _, r := range rec.all() {
		if r.Header.Get("X-API-Key") != sb.DeveloperAPIKey || !strings.HasPrefix(r.Header.Get("User-Agent"), "lhcr-cli/0.1 ") || r.Header.Get("X-Request-ID") == "" {
			t.Errorf("developer request headers %v", r.Header)
		}
	}
	apps, err := dev.ListApps(ctx)
	if err != nil || !containsApp(apps, id) {
		t.Fatalf("ListApps: %v %v", apps, err)
	}
	app, err := dev.GetApp(ctx, id)
	if err != nil || app.Name != "Reader" {
		t.Fatalf("GetApp: %+v %v", app, err)
	}
	app, err = dev.UpdateApp(ctx, id, sdk.AppUpdateRequest{Name: sdk.String("Patient reader"), Scopes: []string{"system/Patient.rs", "system/Observation.rs"}})
	if err != nil || app.Name != "Patient reader" || len(app.Scopes) != 2 {
		t.Fatalf("UpdateApp: %+v %v", app, err)
	}

	c, err := sdk.NewClient(sb.FHIRBaseURL, sdk.WithClientSecret(id, *created.ClientSecret))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Patients.Get(ctx, sandboxtest.StoryDiabetes); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Conditions.Get(ctx, "nope"); !sdk.IsForbidden(err) {
		t.Fatalf("Condition read with Patient and Observation scopes: %v, want 403", err)
	}
	log, err := dev.Requests(ctx, id, sdk.RequestLogQuery{StatusClass: "4xx", Limit: 10})
	if err != nil || len(log) != 1 || log[0].Status != 403 {
		t.Fatalf("Requests: %+v %v", log, err)
	}
	var fe *sdk.Error
	_, err = c.Conditions.Get(ctx, "nope")
	if !errors.As(err, &fe) {
		t.Fatal(err)
	}
	if log, _ := dev.Requests(ctx, id, sdk.RequestLogQuery{}); len(log) == 0 || log[0].RequestID != fe.RequestID {
		t.Errorf("the newest log entry is not the last request (%s)", fe.RequestID)
	}

	rotated, err := dev.RotateSecret(ctx, id)
	if err != nil || rotated.ClientSecret == nil || *rotated.ClientSecret == *created.ClientSecret {
		t.Fatalf("RotateSecret: %v", err)
	}
	old, _ := sdk.NewClient(sb.FHIRBaseURL, sdk.WithClientSecret(id, *created.ClientSecret))
	if _, err := old.Patients.Get(ctx, sandboxtest.StoryDiabetes); !sdk.IsUnauthorized(err) {
		t.Errorf("the old secret after rotation: %v, want 401", err)
	}

	// A private_key_jwt app, re-keyed with SetKeys.
	k1, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	k2, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	jwks1, err := sdk.PublicJWKS(k1, "k1", sdk.ES384)
	if err != nil {
		t.Fatal(err)
	}
	method := sdk.AppAuthMethod("private_key_jwt")
	jwtApp, err := dev.CreateApp(ctx, sdk.AppCreateRequest{Name: "Signed", AuthMethod: &method, JWKS: jwks1})
	if err != nil || jwtApp.ClientSecret != nil {
		t.Fatalf("CreateApp private_key_jwt: %+v %v", jwtApp, err)
	}
	jwks2, _ := sdk.PublicJWKS(k2, "k2", sdk.ES384)
	if _, err := dev.SetKeys(ctx, jwtApp.App.ClientID, sdk.AppKeysRequest{JWKS: jwks2}); err != nil {
		t.Fatalf("SetKeys: %v", err)
	}
	c2, _ := sdk.NewClient(sb.FHIRBaseURL, sdk.WithPrivateKeyJWT(jwtApp.App.ClientID, k2, "k2", sdk.ES384))
	if _, err := c2.Patients.Get(ctx, sandboxtest.StoryDiabetes); err != nil {
		t.Fatalf("with the new key: %v", err)
	}

	if err := dev.DeleteApp(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.GetApp(ctx, id); !sdk.IsNotFound(err) {
		t.Errorf("GetApp after DeleteApp: %v", err)
	}
	if err := dev.DeleteApp(ctx, "no-such-app"); !sdk.IsNotFound(err) {
		t.Errorf("DeleteApp of an unknown app: %v", err)
	}
	if _, err := dev.GetApp(ctx, "bad/id"); err == nil {
		t.Error("GetApp with a slash in the id was sent")
	}

	t.Run("wrong key", func(t *testing.T) {
		bad, _ := sdk.NewDeveloperClient(sb.URL, "wrong-key-wrong-key-wrong-key-wrong")
		_, err := bad.ListApps(ctx)
		if !sdk.IsUnauthorized(err) || strings.Contains(err.Error(), "wrong-key") {
			t.Errorf("wrong API key: %v", err)
		}
	})
	t.Run("options", func(t *testing.T) {
		for _, opts := range [][]sdk.Option{{sdk.WithClientSecret("a", "b")}, {sdk.WithScopes("system/*.rs")}} {
			if _, err := sdk.NewDeveloperClient(sb.URL, "k", opts...); err == nil {
				t.Error("an OAuth option was accepted")
			}
		}
		if _, err := sdk.NewDeveloperClient(sb.URL, ""); err == nil {
			t.Error("an empty key was accepted")
		}
		if _, err := sdk.NewDeveloperClient("not a url", "k"); err == nil {
			t.Error("a bad URL was accepted")
		}
	})
}

func containsApp(apps []sdk.App, id string) bool {
	for _, a := range apps {
		if a.ClientID == id {
			return true
		}
	}
	return false
}
