package portal

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/gm-lhcr/lhcr/sandbox/internal/apps"
	"github.com/gm-lhcr/lhcr/sandbox/internal/store"
)

// Passwords are hashed with argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane)
// and stored in the PHC string format, so that the parameters can be raised later without
// invalidating stored hashes.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	// MinPasswordLen is the shortest password accepted (NIST SP 800-63B: at least 8; we ask 12).
	MinPasswordLen = 12
	maxPasswordLen = 256
)

// hashPassword returns the argon2id PHC string of password with a random salt.
func hashPassword(password string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	sum := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(sum))
}

// dummyHash is checked against when there is no account, so that an unknown email costs the
// same time as a wrong password.
var dummyHash = hashPassword("not a password anyone has")

// checkPassword reports whether password matches the PHC string phc ("" checks a dummy).
func checkPassword(phc, password string) bool {
	ok := phc != ""
	if !ok {
		phc = dummyHash
	}
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &threads); err != nil || m > 1<<20 || t > 10 || threads == 0 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1 && ok
}

// Failed password sign-ins are limited per email: after maxFailures within failureWindow the
// email is locked for the rest of that window (a password-guessing brake; the KDF's cost is
// the other).
const (
	maxFailures   = 10
	failureWindow = 15 * time.Minute
	maxTracked    = 10000
)

type failures struct {
	n     int
	since time.Time
}

// locked reports whether email has used up its sign-in attempts.
func (p *Portal) locked(email string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.failed[strings.ToLower(email)]
	return f != nil && f.n >= maxFailures && p.now().Sub(f.since) < failureWindow
}

// recordFailure counts a failed sign-in for email; success forgets the count.
func (p *Portal) recordFailure(email string, failed bool) {
	k := strings.ToLower(email)
	p.mu.Lock()
	defer p.mu.Unlock()
	if !failed {
		delete(p.failed, k)
		return
	}
	now := p.now()
	f := p.failed[k]
	if f == nil || now.Sub(f.since) >= failureWindow {
		if len(p.failed) >= maxTracked {
			for key, old := range p.failed {
				if now.Sub(old.since) >= failureWindow {
					delete(p.failed, key)
				}
			}
		}
		if len(p.failed) >= maxTracked {
			return
		}
		f = &failures{since: now}
		p.failed[k] = f
	}
	f.n++
}

type signUpData struct {
	Error, Field, Email string
}

// welcomeData is the page after sign-up: the new developer's API key, shown once.
type welcomeData struct {
	Email, APIKey string
}

func (p *Portal) signUpPage(w http.ResponseWriter, r *http.Request) {
	if !p.cfg.Accounts {
		p.notFound(w, r)
		return
	}
	p.render(w, r, http.StatusOK, "signup", "Create an account", "", signUpData{})
}

// signUp creates a developer with an account, signs them in and shows their API key once.
func (p *Portal) signUp(w http.ResponseWriter, r *http.Request, _ *session) {
	if !p.cfg.Accounts {
		p.notFound(w, r)
		return
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	password := r.PostFormValue("password")
	refuse := func(field, msg string) {
		p.render(w, r, http.StatusUnprocessableEntity, "signup", "Create an account", "", signUpData{Error: msg, Field: field, Email: email})
	}
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		refuse("email", "Enter an email address, like name@example.org.")
		return
	}
	switch n := utf8.RuneCountInString(password); {
	case n < MinPasswordLen:
		refuse("password", fmt.Sprintf("Choose a password of at least %d characters.", MinPasswordLen))
		return
	case n > maxPasswordLen:
		refuse("password", fmt.Sprintf("Choose a password of at most %d characters.", maxPasswordLen))
		return
	case password != r.PostFormValue("confirm"):
		refuse("confirm", "The two passwords differ: type the same password twice.")
		return
	}
	ctx := r.Context()
	if _, err := p.cfg.Store.AccountByEmail(ctx, email); err == nil {
		refuse("email", "There is already an account with this email: sign in instead.")
		return
	} else if !errors.Is(err, store.ErrNotFound) {
		p.internal(w, r, err)
		return
	}
	devID := "dev_" + strings.ToLower(token()[:20])
	apiKey := apps.NewSecret()
	if err := p.cfg.Registry.EnsureDeveloper(ctx, devID, "", apiKey); err != nil {
		p.internal(w, r, err)
		return
	}
	err := p.cfg.Store.CreateAccount(ctx, store.Account{DeveloperID: devID, Email: email, PasswordHash: hashPassword(password), CreatedAt: p.now()})
	if errors.Is(err, store.ErrExists) {
		refuse("email", "There is already an account with this email: sign in instead.")
		return
	}
	if err != nil {
		p.internal(w, r, err)
		return
	}
	p.log.InfoContext(ctx, "portal account created", "developer_id", devID)
	s := p.newSession(w, r, devID, strings.ToLower(email))
	r = r.WithContext(context.WithValue(ctx, sessionKey{}, s))
	p.render(w, r, http.StatusCreated, "welcome", "Welcome", "apps", welcomeData{Email: email, APIKey: apiKey})
}
