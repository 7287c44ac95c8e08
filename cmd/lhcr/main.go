// Command lhcr is the partner CLI of the Greater Manchester Local Health and Care Record: it
// logs in to a sandbox (or the service), registers apps and their keys, gets access tokens and
// reads FHIR resources, all through the Go SDK. Its reference is docs/cli.md.
package main

//go:generate go run ./internal/gendocs -out ../../docs/cli.md

import (
	"context"
	"os"
	"os/signal"

	"github.com/gm-lhcr/lhcr/cmd/lhcr/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
