// Package cli is the lhcr command tree (cobra). Every command is a thin layer over the SDK
// (github.com/gm-lhcr/lhcr/sdk): it reads flags, calls the SDK and prints the answer. Run is the
// whole program, called by main and, in-process, by the tests.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gm-lhcr/lhcr/sdk"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the command failed
	exitUsage = 2 // the command line is wrong
)

// app is one run of the program: its input, output, environment and global flags.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string

	profile string // --profile
	output  string // --output
	debug   bool   // --debug
}

// usageError is a mistake on the command line (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// Run runs lhcr with args (without the program name) and returns the exit code: 0, 1 when the
// command failed, 2 for a usage error. It never calls os.Exit and never panics on bad input.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	root := a.rootCmd()
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	if isUsage(err) {
		fmt.Fprintf(stderr, "lhcr: %s (see %s --help)\n", a.describe(err), cmd.CommandPath())
		return exitUsage
	}
	fmt.Fprintln(stderr, "lhcr: "+a.describe(err))
	return exitError
}

// NewRootCmd returns the command tree, for generating the reference (docs/cli.md).
func NewRootCmd() *cobra.Command {
	a := &app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
	return a.rootCmd()
}

func isUsage(err error) bool {
	var ue usageError
	if errors.As(err, &ue) {
		return true
	}
	// cobra's own errors for unknown commands and flags are usage errors too.
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "required flag", "accepts ", "requires at least", "if any flags in the group"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// describe turns an error into the one line the user sees: the server's diagnostics or the
// OAuth error description, the status and the request id; never a secret (the SDK keeps them
// out of its errors) and never a stack trace.
func (a *app) describe(err error) string {
	var fe *sdk.Error
	if errors.As(err, &fe) {
		msg := fe.Diagnostics()
		if fe.OAuthCode != "" {
			msg = fe.OAuthCode
			if fe.OAuthDescription != "" {
				msg += ": " + fe.OAuthDescription
			}
		}
		if msg == "" {
			msg = "the server answered " + fmt.Sprint(fe.Status)
		}
		where := fmt.Sprintf("HTTP %d", fe.Status)
		if a.debug && fe.Method != "" {
			where = fe.Method + " " + fe.Path + ": " + where
		}
		if fe.RequestID != "" {
			where += ", request id " + fe.RequestID
		}
		return oneLine(msg + " (" + where + ")")
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		host := ue.URL
		if u, perr := url.Parse(ue.URL); perr == nil {
			host = u.Scheme + "://" + u.Host
		}
		cause := ue.Err
		var oe *net.OpError
		if errors.As(cause, &oe) && oe.Err != nil {
			cause = oe.Err
		}
		if errors.Is(ue.Err, context.DeadlineExceeded) || errors.Is(ue.Err, context.Canceled) {
			return oneLine("cannot reach " + host + ": " + ue.Err.Error())
		}
		return oneLine("cannot reach " + host + ": " + strings.TrimPrefix(cause.Error(), "dial tcp: "))
	}
	return oneLine(strings.ReplaceAll(err.Error(), "sdk: ", ""))
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// logger is the SDK's logger: its debug log (each request's method, path, status and request
// id; tokens and secrets are redacted by the SDK) on stderr with --debug, else nothing.
func (a *app) logger() *slog.Logger {
	if !a.debug {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// sdkOptions are the options every SDK client gets. With --debug, the SDK's DebugTransport
// also writes each HTTP exchange (headers only, credentials redacted) to stderr.
func (a *app) sdkOptions() []sdk.Option {
	opts := []sdk.Option{sdk.WithLogger(a.logger()), sdk.WithUserAgent("lhcr-cli/" + version)}
	if a.debug {
		opts = append(opts, sdk.WithHTTPClient(&http.Client{Transport: sdk.DebugTransport(nil, a.stderr)}))
	}
	return opts
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "lhcr",
		Short: "The Greater Manchester LHCR developer CLI",
		Long: `lhcr manages your apps on the Greater Manchester Local Health and Care Record (LHCR)
developer platform, gets access tokens, and reads FHIR R4 (UK Core) resources, through the
Go SDK.

Start with "lhcr login --url URL" (the sandbox prints its URL and your developer API key).
Settings come from the profile (--profile, LHCR_PROFILE, else "default"), and environment
variables override it, for CI: LHCR_URL, LHCR_API_KEY, LHCR_CLIENT_ID, LHCR_CLIENT_SECRET,
LHCR_PRIVATE_KEY (a PEM file's path, or the PEM itself). When LHCR_CLIENT_ID is set, the app's
credentials come from the environment only.

Exit codes: 0 success, 1 the command failed, 2 a usage error.`,
		Example: `  lhcr login --url http://localhost:8080
  lhcr search Patient family=tay
  lhcr get Patient/story-diabetes -o json`,
		SilenceErrors:     true,
		SilenceUsage:      true,
		DisableAutoGenTag: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			switch a.output {
			case "table", "json", "ndjson":
				return nil
			}
			return usagef("--output must be table, json or ndjson, not %q", a.output)
		},
	}
	root.SetIn(a.stdin)
	root.SetOut(a.stdout) // before InitDefaultCompletionCmd, which keeps the writer it finds
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&a.profile, "profile", "", `the profile to use (default $LHCR_PROFILE, else "default")`)
	pf.StringVarP(&a.output, "output", "o", "table", "output format: table, json or ndjson")
	pf.BoolVar(&a.debug, "debug", false, "write each HTTP exchange (headers, status, request id; credentials redacted) to stderr")
	root.AddGroup(&cobra.Group{ID: "setup", Title: "Setup:"}, &cobra.Group{ID: "fhir", Title: "FHIR:"})
	for _, c := range []*cobra.Command{a.loginCmd(), a.logoutCmd(), a.appsCmd(), a.keysCmd(), a.tokenCmd()} {
		c.GroupID = "setup"
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{a.getCmd(), a.searchCmd(), a.everythingCmd()} {
		c.GroupID = "fhir"
		root.AddCommand(c)
	}
	root.AddCommand(a.versionCmd())
	// cobra adds these when it runs; adding them now lets the reference list them, with examples.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		switch c.Name() {
		case "help":
			c.Example = "  lhcr help search"
		case "completion":
			c.Example = "  source <(lhcr completion bash)\n  lhcr completion zsh > \"${fpath[1]}/_lhcr\""
			for _, sh := range c.Commands() {
				sh.Example = map[string]string{
					"bash":       "  source <(lhcr completion bash)",
					"zsh":        "  lhcr completion zsh > \"${fpath[1]}/_lhcr\"",
					"fish":       "  lhcr completion fish | source",
					"powershell": "  lhcr completion powershell | Out-String | Invoke-Expression",
				}[sh.Name()]
			}
		}
	}
	return root
}

// completeTypes completes a resource type as the first argument.
func completeTypes(_ *cobra.Command, argv []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(argv) > 0 {
		return nil, cobra.ShellCompDirectiveDefault
	}
	return sdk.ResourceTypes(), cobra.ShellCompDirectiveNoFileComp
}

// args wraps a cobra argument check so that its failure is a usage error.
func args(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		if err := check(cmd, a); err != nil {
			return usageError{err}
		}
		return nil
	}
}
