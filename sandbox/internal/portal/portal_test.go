package portal

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestPasswordHash(t *testing.T) {
	h := hashPassword("correct horse battery staple")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not an argon2id PHC string", h)
	}
	if h == hashPassword("correct horse battery staple") {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, tc := range []struct {
		phc, password string
		ok            bool
	}{
		{h, "correct horse battery staple", true},
		{h, "correct horse battery stapler", false},
		{h, "", false},
		{"", "not a password anyone has", false}, // no account: the dummy never matches
		{"$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", "x", false},
		{"$argon2id$v=19$m=99999999,t=2,p=1$c2FsdA$aGFzaA", "x", false}, // absurd cost refused
		{"garbage", "x", false},
	} {
		if got := checkPassword(tc.phc, tc.password); got != tc.ok {
			t.Errorf("checkPassword(%.30q, %q) = %v", tc.phc, tc.password, got)
		}
	}
}

func TestSearchParams(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want url.Values
	}{
		{"", url.Values{"_count": {"25"}}},
		{"mahmood", url.Values{"_count": {"25"}, "name": {"mahmood"}}},
		{"999 000 0018", url.Values{"_count": {"25"}, "identifier": {NHSNumberSystem + "|9990000018"}}},
		{"999-000-0018", url.Values{"_count": {"25"}, "identifier": {NHSNumberSystem + "|9990000018"}}},
		{"12345", url.Values{"_count": {"25"}, "name": {"12345"}}},
	} {
		if got := searchParams(tc.q); got.Encode() != tc.want.Encode() {
			t.Errorf("searchParams(%q) = %v, want %v", tc.q, got, tc.want)
		}
	}
}

func TestSignInLinkOnce(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	p := &Portal{cfg: Config{LinkTTL: time.Hour}, now: func() time.Time { return now }, links: map[string]time.Time{}}
	token := func(link string) string {
		u, err := url.Parse(link)
		if err != nil || u.Path != "/portal/signin/link" {
			t.Fatalf("link %q", link)
		}
		return u.Query().Get("token")
	}
	a := token(p.SignInLink("http://localhost:8080/"))
	b := token(p.SignInLink("http://localhost:8080"))
	if a == b || len(a) != 43 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if !p.useLink(a) || p.useLink(a) {
		t.Error("a link must work exactly once")
	}
	now = now.Add(time.Hour)
	if p.useLink(b) {
		t.Error("an expired link worked")
	}
	if p.useLink("") || p.useLink("made-up") {
		t.Error("an unknown token worked")
	}
	if _, kept := p.links[key(b)]; kept {
		t.Error("a used or expired token is still held")
	}
}

func TestSignInLimit(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	p := &Portal{now: func() time.Time { return now }, failed: map[string]*failures{}}
	for range maxFailures - 1 {
		p.recordFailure("a@example.org", true)
	}
	if p.locked("A@example.org") {
		t.Fatal("locked too early")
	}
	p.recordFailure("A@example.org", true)
	if !p.locked("a@example.org") || p.locked("b@example.org") {
		t.Fatal("the limit is not per email")
	}
	now = now.Add(failureWindow)
	if p.locked("a@example.org") {
		t.Error("still locked after the window")
	}
	p.recordFailure("a@example.org", true)
	p.recordFailure("a@example.org", false)
	if _, kept := p.failed["a@example.org"]; kept {
		t.Error("a success did not clear the count")
	}
}
