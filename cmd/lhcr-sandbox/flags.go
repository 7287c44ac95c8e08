package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

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
	var level string
	fs.StringVar(&o.addr, "addr", ":8080", "address to listen on (LHCR_ADDR)")
	fs.StringVar(&o.cfg.DBPath, "db", "lhcr-sandbox.db", "SQLite database file, created if absent (LHCR_DB)")
	fs.BoolVar(&o.cfg.InMemory, "in-memory", false, "keep data in a temporary database removed at exit (LHCR_IN_MEMORY)")
	fs.StringVar(&o.cfg.PublicURL, "public-url", "", "URL clients reach the sandbox at, for links (LHCR_PUBLIC_URL; default http://localhost:PORT)")
	fs.StringVar(&level, "log-level", "info", "debug, info, warn or error (LHCR_LOG_LEVEL)")
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
			fmt.Fprintln(os.Stdout, "Usage: lhcr-sandbox [flags]\n\nRuns the LHCR developer sandbox. Every flag has an LHCR_* environment twin.\n\nFlags:")
			fs.PrintDefaults()
			return o, errHelp
		}
		return o, errors.New(strings.TrimSpace(strings.SplitN(err.Error(), "\n", 2)[0]) + " (see --help)")
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
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
