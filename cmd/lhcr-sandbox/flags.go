package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/gm-lhcr/lhcr/sandbox"
)

var errHelp = errors.New("help shown")

type options struct {
	addr     string
	logLevel slog.Level
	cfg      sandbox.Config
}

// parseFlags reads flags, each with an LHCR_* environment twin (the flag wins). Bad values are
// one-line errors.
func parseFlags(args []string, getenv func(string) string) (options, error) {
	var o options
	fs := flag.NewFlagSet("lhcr-sandbox", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var level, asOf string
	fs.StringVar(&o.addr, "addr", ":8080", "address to listen on (LHCR_ADDR)")
	fs.StringVar(&o.cfg.DBPath, "db", "lhcr-sandbox.db", "SQLite database file, created if absent (LHCR_DB)")
	fs.BoolVar(&o.cfg.InMemory, "in-memory", false, "keep data in a temporary database removed at exit (LHCR_IN_MEMORY)")
	fs.StringVar(&o.cfg.PublicURL, "public-url", "", "URL clients reach the sandbox at, for links (LHCR_PUBLIC_URL; default http://localhost:PORT)")
	fs.StringVar(&level, "log-level", "info", "debug, info, warn or error (LHCR_LOG_LEVEL)")
	fs.IntVar(&o.cfg.Patients, "patients", sandbox.DefaultPatients, "synthetic patients to seed an empty database with; 0 for none (LHCR_PATIENTS)")
	fs.Int64Var(&o.cfg.Seed, "seed", sandbox.DefaultSeed, "seed of the synthetic population: same seed, same data (LHCR_SEED)")
	fs.StringVar(&asOf, "as-of", sandbox.DefaultAsOf.Format(time.DateOnly), "reference date YYYY-MM-DD of the synthetic histories (LHCR_AS_OF)")
	fs.BoolVar(&o.cfg.Reset, "reset", false, "empty the database and seed it afresh (LHCR_RESET)")
	fs.BoolVar(&o.cfg.Accounts, "accounts", false, "hosted mode: developers sign up to the portal with email and password (LHCR_ACCOUNTS)")
	fs.Float64Var(&o.cfg.RateLimit, "rate-limit", sandbox.DefaultRateLimit, "FHIR requests per second per app, bursts of twice as many; 0 for no limit (LHCR_RATE_LIMIT)")
	fs.DurationVar(&o.cfg.TokenTTL, "token-ttl", 5*time.Minute, "lifetime of access tokens; shorten it to test token refresh (LHCR_TOKEN_TTL)")
	// Environment twins first, so that the command line, parsed next, wins.
	for _, name := range envNames(fs) {
		if v := getenv(name.env); v != "" {
			if err := fs.Set(name.flag, v); err != nil {
				return o, fmt.Errorf("invalid %s=%q: %v", name.env, v, err)
			}
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(os.Stdout)
			fmt.Fprintln(os.Stdout, "Usage: lhcr-sandbox [flags]\n\nRuns the LHCR developer sandbox. Every flag has an LHCR_* environment twin.\nCredentials for CI come from the environment only: LHCR_TEST_CLIENT_ID, LHCR_TEST_CLIENT_SECRET,\nLHCR_TEST_JWT_CLIENT_ID with LHCR_TEST_CLIENT_JWKS (a public JWKS file), LHCR_DEVELOPER_API_KEY.\n\nFlags:")
			fs.PrintDefaults()
			return o, errHelp
		}
		return o, errors.New(strings.TrimSpace(strings.SplitN(err.Error(), "\n", 2)[0]) + " (see --help)")
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	if o.cfg.TokenTTL < time.Second || o.cfg.TokenTTL > 24*time.Hour {
		return o, fmt.Errorf("invalid --token-ttl %s: choose between 1s and 24h", o.cfg.TokenTTL)
	}
	// Credentials come from the environment only, never from flags (which other users can see).
	o.cfg.TestClientID = getenv("LHCR_TEST_CLIENT_ID")
	o.cfg.TestClientSecret = getenv("LHCR_TEST_CLIENT_SECRET")
	o.cfg.TestJWTClientID = getenv("LHCR_TEST_JWT_CLIENT_ID")
	o.cfg.DeveloperAPIKey = getenv("LHCR_DEVELOPER_API_KEY")
	if path := getenv("LHCR_TEST_CLIENT_JWKS"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return o, fmt.Errorf("LHCR_TEST_CLIENT_JWKS: %v", err)
		}
		o.cfg.TestJWKS = b
	}
	if o.cfg.Patients < 0 || o.cfg.Patients > sandbox.MaxPatients {
		return o, fmt.Errorf("invalid --patients %d: choose between 0 and %d", o.cfg.Patients, sandbox.MaxPatients)
	}
	t, err := time.Parse(time.DateOnly, asOf)
	if err != nil {
		return o, fmt.Errorf("invalid --as-of %q: use a date such as %s", asOf, sandbox.DefaultAsOf.Format(time.DateOnly))
	}
	o.cfg.AsOf = t
	if err := o.logLevel.UnmarshalText([]byte(level)); err != nil {
		return o, fmt.Errorf("invalid --log-level %q: use debug, info, warn or error", level)
	}
	return o, nil
}

type envName struct{ flag, env string }

func envNames(fs *flag.FlagSet) []envName {
	var out []envName
	fs.VisitAll(func(f *flag.Flag) {
		out = append(out, envName{f.Name, "LHCR_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))})
	})
	return out
}
