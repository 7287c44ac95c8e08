package sandbox_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/gm-lhcr/lhcr/sandbox"
)

// The portal in a real browser: Debian's headless Chromium driven by chromedp. Without
// Chromium the test skips, unless LHCR_REQUIRE_BROWSER=1 makes that a failure. With
// LHCR_SCREENSHOTS=DIR it saves a PNG of each page it visits (docs/portal.md describes them).

const chromiumPath = "/usr/bin/chromium"

// newChrome starts headless Chromium with a fresh profile; the context lives as long as the test.
func newChrome(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("LHCR_REQUIRE_BROWSER") == "1" {
			t.Fatalf("chromium not found at %s (LHCR_REQUIRE_BROWSER=1): install Debian's chromium", chromiumPath)
		}
		t.Skip("chromium not found at /usr/bin/chromium: install Debian's chromium, or set LHCR_REQUIRE_BROWSER=1 to make this a failure")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(cancelTab)
	if _, err := chromedp.Run(ctx, chromedp.Title()); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// shooter saves screenshots when LHCR_SCREENSHOTS names a directory.
type shooter struct {
	t   *testing.T
	dir string
}

func newShooter(t *testing.T) shooter {
	dir := os.Getenv("LHCR_SCREENSHOTS")
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return shooter{t: t, dir: dir}
}

// shot is an action that saves the page as DIR/name.png (the whole page; the viewport only
// when viewport is set, for very long pages).
func (s shooter) shot(name string, viewport bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if s.dir == "" {
			return nil
		}
		capture := chromedp.FullScreenshot(100)
		if viewport {
			capture = chromedp.CaptureScreenshot()
		}
		png, err := capture(ctx, t)
		if err != nil {
			return fmt.Errorf("screenshot %s: %w", name, err)
		}
		return os.WriteFile(filepath.Join(s.dir, name+".png"), png, 0o644)
	})
}

// TestPortalInBrowser: sign in with the banner link, register an app, copy its secret with the
// copy button, get a token and read a patient with it, find those requests (and a 403's
// OperationOutcome) in the app's request log, rotate the secret, and see the old one refused.
func TestPortalInBrowser(t *testing.T) {
	ctx := newChrome(t)
	ps := newPortalServer(t, sandbox.Config{})
	snap := newShooter(t)
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	do("sign-in page",
		chromedp.Navigate(ps.URL+"/portal/signin"),
		chromedp.WaitVisible(chromedp.CSS("h1")),
		snap.shot("01-signin", false))
	do("sign in with the banner link",
		chromedp.Navigate(ps.signInLink(t)),
		chromedp.WaitVisible(`//h1[text()="Your apps"]`),
		snap.shot("02-apps", false))
	if who := text("header .who"); who != "local developer" {
		t.Errorf("signed in as %q", who)
	}

	do("register an app",
		chromedp.Click(`//a[text()="Register an app"]`),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "Ward dashboard"),
		chromedp.SendKeys(chromedp.CSS("#description"), "Shows the patients of a ward"),
		chromedp.SetValue(chromedp.CSS("#scopes"), "system/Patient.rs"),
		snap.shot("03-register", false),
		chromedp.Click(`//button[text()="Register the app"]`),
		chromedp.WaitVisible(chromedp.CSS("#client-secret")))

	// The copy button puts the secret on the clipboard.
	for _, perm := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: perm}, Setting: browser.PermissionSettingGranted, Origin: ps.URL,
		}); err != nil {
			t.Fatalf("grant %s: %v", perm, err)
		}
	}
	clientID, shown := text("#client-id"), text("#client-secret")
	do("copy the secret",
		chromedp.Click(chromedp.CSS(`button[data-copy="client-secret"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-copy="client-secret"][data-copied="true"]`)),
		snap.shot("04-credentials", false))
	copied, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("read the clipboard: %v", err)
	}
	if status := text(".secret-box .copy-status"); copied != shown || len(copied) != 43 || status != "Copied." {
		t.Fatalf("clipboard %q, page %q, status %q", copied, shown, status)
	}

	// The app at work: a token, a read, and a read its scopes do not cover.
	code, tok := ps.token(t, clientID, copied)
	if code != http.StatusOK {
		t.Fatalf("token with the copied secret: %d", code)
	}
	if st, _ := ps.fhirGet(t, tok, "/fhir/R4/Patient/"+storyPatient); st != http.StatusOK {
		t.Fatalf("read a patient: %d", st)
	}
	st, forbiddenID := ps.fhirGet(t, tok, "/fhir/R4/Observation?patient="+storyPatient)
	if st != http.StatusForbidden {
		t.Fatalf("read outside the scopes: %d", st)
	}

	do("the request log",
		chromedp.Click(`//a[text()="I have stored it: go to the app"]`),
		chromedp.WaitVisible(`//h1[text()="Ward dashboard"]`),
		snap.shot("05-app", false),
		chromedp.Click(`//a[text()="Request log"]`),
		chromedp.WaitVisible(chromedp.CSS("table.log")),
		snap.shot("06-requests", false))
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("table.log tbody tr")].map(r => r.innerText)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || !strings.Contains(rows[0], "/fhir/R4/Observation") || !strings.Contains(rows[1], "GET\t/fhir/R4/Patient/"+storyPatient+"\t200") ||
		!strings.Contains(rows[2], "POST\t/oauth2/token\t200") {
		t.Fatalf("log rows (newest first):\n%s", strings.Join(rows, "\n"))
	}
	do("the 403's OperationOutcome",
		chromedp.Click(`//nav[@aria-label="Filter by status"]//a[text()="4xx"]`),
		chromedp.WaitVisible(`//a[@aria-current="page" and text()="4xx"]`))
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.log tbody tr").length`))
	if err != nil || n != 1 {
		t.Errorf("4xx rows: %d, %v", n, err)
	}
	do("open the 403",
		chromedp.Click(`//a/code[text()="`+forbiddenID+`"]`),
		chromedp.WaitVisible(`//h2[text()="OperationOutcome"]`),
		snap.shot("07-request", false))
	if d := text("td.diagnostics"); !strings.Contains(d, "system/Observation") {
		t.Errorf("diagnostics %q", d)
	}

	do("rotate the secret",
		chromedp.Navigate(ps.URL+"/portal/apps/"+clientID),
		chromedp.WaitVisible(`//button[text()="Rotate secret"]`),
		chromedp.Click(`//button[text()="Rotate secret"]`),
		chromedp.WaitVisible(chromedp.CSS("#client-secret")),
		snap.shot("08-rotated", false))
	rotated := text("#client-secret")
	if rotated == copied || len(rotated) != 43 {
		t.Fatalf("rotated secret %q", rotated)
	}
	if code, _ := ps.token(t, clientID, copied); code != http.StatusUnauthorized {
		t.Errorf("the old secret after rotation: %d, want 401", code)
	}
	if code, _ := ps.token(t, clientID, rotated); code != http.StatusOK {
		t.Errorf("the new secret: %d", code)
	}

	// The other pages, for the screenshots and to see that they render in a browser.
	for _, pg := range []struct{ path, name, h1 string }{
		{"/portal/patients?q=mahmood", "09-patients", "Patients"},
		{"/portal/patients/" + storyPatient, "10-patient", "Tariq Mahmood"},
		{"/portal/patients/" + storyPatient + "/json", "11-patient-json", "Tariq Mahmood: FHIR JSON"},
		{"/portal/reference", "12-reference", "API reference"},
		{"/portal/apps/" + clientID + "/delete", "13-delete", "Delete Ward dashboard?"},
	} {
		do(pg.path,
			chromedp.Navigate(ps.URL+pg.path),
			chromedp.WaitVisible(chromedp.CSS("h1")),
			snap.shot(pg.name, pg.name == "12-reference" || pg.name == "11-patient-json"))
		if h1 := text("h1"); h1 != pg.h1 {
			t.Errorf("%s: h1 %q, want %q", pg.path, h1, pg.h1)
		}
	}
	do("delete the app and sign out",
		chromedp.SendKeys(chromedp.CSS("#confirm"), clientID),
		chromedp.Click(`//button[text()="Delete the app"]`),
		chromedp.WaitVisible(`//p[contains(text(), "was deleted")]`),
		chromedp.Click(`//button[text()="Sign out"]`),
		chromedp.WaitVisible(`//h1[text()="Sign in"]`))
	if code, _ := ps.token(t, clientID, rotated); code != http.StatusUnauthorized {
		t.Errorf("the deleted app's secret: %d", code)
	}
}
