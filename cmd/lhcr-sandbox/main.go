// Command lhcr-sandbox runs the LHCR developer sandbox: a FHIR R4 (UK Core) server with synthetic
// patients, OAuth2 app credentials and a developer portal, on one SQLite file.
//
//	go run ./cmd/lhcr-sandbox            # serves http://localhost:8080
//	go run ./cmd/lhcr-sandbox --help     # every flag, with its LHCR_* environment twin
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/gm-lhcr/lhcr/sandbox"
)

func main() {
	opts, err := parseFlags(os.Args[1:], os.Getenv)
	if errors.Is(err, errHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "lhcr-sandbox:", err)
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: opts.logLevel}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, opts, log); err != nil {
		log.Error("lhcr-sandbox stopped", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, opts options, log *slog.Logger) error {
	ln, err := net.Listen("tcp", opts.addr)
	if err != nil {
		return err
	}
	opts.cfg.Logger = log
	opts.cfg.Progress = os.Stderr
	if opts.cfg.PublicURL == "" {
		opts.cfg.PublicURL = publicURL(ln.Addr())
	}
	sb, err := sandbox.New(ctx, opts.cfg)
	if err != nil {
		ln.Close()
		return err
	}
	defer sb.Close()
	if os.Getenv("GOGC") == "" {
		// After seeding, whose heap is larger: see sandbox.ServingGCPercent.
		debug.SetGCPercent(sandbox.ServingGCPercent)
	}
	srv := &http.Server{
		Handler:           sb,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprint(os.Stdout, sb.Banner(opts.cfg.PublicURL))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// publicURL is the URL a local user reaches a listener at.
func publicURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil || host == "::" || host == "0.0.0.0" || host == "" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
