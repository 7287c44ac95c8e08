package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gm-lhcr/lhcr/sdk"
)

func (a *app) appsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "apps",
		Short: "Register and manage your apps (the developer API)",
		Long: `The apps commands manage the apps of your developer account with the developer API key of
the profile (lhcr login --api-key, or LHCR_API_KEY).`,
		Example: `  lhcr apps create --name "Clinic dashboard" --scope system/Patient.rs
  lhcr apps list`,
		Args: args(cobra.NoArgs),
	}
	cmd.AddCommand(a.appsCreateCmd(), a.appsListCmd(), a.appsGetCmd(), a.appsRotateCmd(), a.appsSetKeysCmd(), a.appsDeleteCmd())
	return cmd
}

func (a *app) appsCreateCmd() *cobra.Command {
	var name, description, auth, jwksFile, jwksURL string
	var scopes []string
	cmd := &cobra.Command{
		Use:   "create --name NAME [--auth secret|jwt] [--jwks FILE | --jwks-url URL] [--scope SCOPE...]",
		Short: "Register an app",
		Long: `Create registers an app and prints its client id. A client_secret app's secret is printed
this once: store it now. A signed-JWT app (--auth jwt) needs its public keys: a JWKS file
(lhcr keys generate writes one) or a URL serving them. Without --scope the app gets the
server's default scopes.`,
		Example: `  lhcr apps create --name "Clinic dashboard" --scope system/Patient.rs --scope system/Observation.rs
  lhcr keys generate --out ./keys
  lhcr apps create --name "Partner feed" --auth jwt --jwks ./keys/jwks.json`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			req := sdk.AppCreateRequest{Name: name, Scopes: scopes}
			if description != "" {
				req.Description = &description
			}
			switch auth {
			case "secret":
				if jwksFile != "" || jwksURL != "" {
					return usagef("--jwks and --jwks-url are for --auth jwt")
				}
				m := sdk.AppAuthMethod("client_secret")
				req.AuthMethod = &m
			case "jwt":
				if jwksFile == "" && jwksURL == "" {
					return usagef("--auth jwt needs the public keys: --jwks FILE or --jwks-url URL")
				}
				m := sdk.AppAuthMethod("private_key_jwt")
				req.AuthMethod = &m
				var err error
				if req.JWKS, req.JWKSURL, err = keysFrom(jwksFile, jwksURL); err != nil {
					return err
				}
			default:
				return usagef("--auth must be secret or jwt, not %q", auth)
			}
			d, err := a.developer()
			if err != nil {
				return err
			}
			creds, err := d.CreateApp(cmd.Context(), req)
			if err != nil {
				return err
			}
			return a.printCredentials(creds, "Created app")
		},
	}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "the app's name (required)")
	f.StringVar(&description, "description", "", "what the app does")
	f.StringVar(&auth, "auth", "secret", "how the app authenticates: secret (client_secret) or jwt (private_key_jwt)")
	f.StringVar(&jwksFile, "jwks", "", "a JWKS file with the app's public keys (--auth jwt)")
	f.StringVar(&jwksURL, "jwks-url", "", "a URL serving the app's public keys (--auth jwt)")
	f.StringSliceVar(&scopes, "scope", nil, "a SMART system scope the app may request (repeat, or comma-separate)")
	cmd.MarkFlagRequired("name")
	cmd.MarkFlagsMutuallyExclusive("jwks", "jwks-url")
	return cmd
}

// keysFrom reads a JWKS file, or takes a JWKS URL.
func keysFrom(file, u string) (*sdk.JWKS, *string, error) {
	if u != "" {
		return nil, &u, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the JWKS: %w", err)
	}
	var jwks sdk.JWKS
	if err := json.Unmarshal(b, &jwks); err != nil || len(jwks.Keys) == 0 {
		return nil, nil, fmt.Errorf("%s is not a JSON Web Key Set (want {\"keys\": [...]})", file)
	}
	return &jwks, nil, nil
}

// printCredentials prints an app and, clearly and once, its new secret.
func (a *app) printCredentials(creds *sdk.AppCredentials, verb string) error {
	if a.output != "table" {
		return a.printValue(creds)
	}
	app := creds.App
	fmt.Fprintf(a.stdout, "%s %q.\n", verb, app.Name)
	fmt.Fprintf(a.stdout, "  client id:     %s\n", app.ClientID)
	fmt.Fprintf(a.stdout, "  auth method:   %s\n", app.AuthMethod)
	fmt.Fprintf(a.stdout, "  scopes:        %s\n", strings.Join(app.Scopes, " "))
	if creds.ClientSecret != nil {
		fmt.Fprintf(a.stdout, "  client secret: %s\n\n", *creds.ClientSecret)
		fmt.Fprintln(a.stdout, "The client secret is shown this once: store it now (e.g. in LHCR_CLIENT_SECRET).")
		fmt.Fprintf(a.stdout, "To act as this app: lhcr login --client-id %s --client-secret SECRET\n", app.ClientID)
	} else {
		fmt.Fprintf(a.stdout, "\nTo act as this app: lhcr login --client-id %s --private-key PRIVATE_KEY.pem\n", app.ClientID)
	}
	return nil
}

func (a *app) appsListCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List your apps, newest first",
		Example: "  lhcr apps list\n  lhcr apps list -o json",
		Args:    args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := a.developer()
			if err != nil {
				return err
			}
			apps, err := d.ListApps(cmd.Context())
			if err != nil {
				return err
			}
			if a.output != "table" {
				return a.printValues(apps)
			}
			t := a.table("CLIENT ID", "NAME", "AUTH", "SCOPES", "CREATED")
			for _, app := range apps {
				t.row(app.ClientID, app.Name, string(app.AuthMethod), strings.Join(app.Scopes, " "), app.CreatedAt.UTC().Format(time.DateTime))
			}
			return t.flush()
		},
	}
}

func (a *app) appsGetCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "get CLIENT_ID",
		Short:   "Show one of your apps",
		Example: "  lhcr apps get app_3f9c1a7e2b",
		Args:    args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			d, err := a.developer()
			if err != nil {
				return err
			}
			app, err := d.GetApp(cmd.Context(), argv[0])
			if err != nil {
				return err
			}
			return a.printApp(app)
		},
	}
}

// printApp prints one app as "field: value" lines (or JSON).
func (a *app) printApp(app *sdk.App) error {
	if a.output != "table" {
		return a.printValue(app)
	}
	t := a.table()
	t.row("client id:", app.ClientID)
	t.row("name:", app.Name)
	t.row("description:", sdk.Deref(app.Description))
	t.row("auth method:", string(app.AuthMethod))
	t.row("scopes:", strings.Join(app.Scopes, " "))
	if app.SecretHint != nil {
		t.row("secret:", "…"+*app.SecretHint)
	}
	if app.JWKS != nil {
		var kids []string
		for _, k := range app.JWKS.Keys {
			kids = append(kids, sdk.Deref(k.Kid))
		}
		t.row("public keys:", strings.Join(kids, " "))
	}
	if app.JWKSURL != nil {
		t.row("JWKS URL:", *app.JWKSURL)
	}
	t.row("created:", app.CreatedAt.UTC().Format(time.RFC3339))
	return t.flush()
}

func (a *app) appsRotateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "rotate-secret CLIENT_ID",
		Short: "Issue a new client secret; the old one stops working at once",
		Long: `Rotate-secret issues a new client secret for a client_secret app and prints it this once.
The old secret stops working at once.`,
		Example: "  lhcr apps rotate-secret app_3f9c1a7e2b",
		Args:    args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			d, err := a.developer()
			if err != nil {
				return err
			}
			creds, err := d.RotateSecret(cmd.Context(), argv[0])
			if err != nil {
				return err
			}
			return a.printCredentials(creds, "New secret for app")
		},
	}
}

func (a *app) appsSetKeysCmd() *cobra.Command {
	var jwksFile, jwksURL string
	cmd := &cobra.Command{
		Use:     "set-keys CLIENT_ID --jwks FILE | --jwks-url URL",
		Short:   "Replace a signed-JWT app's public keys",
		Example: "  lhcr keys generate --out ./keys-2027\n  lhcr apps set-keys app_3f9c1a7e2b --jwks ./keys-2027/jwks.json",
		Args:    args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			if jwksFile == "" && jwksURL == "" {
				return usagef("give the public keys: --jwks FILE or --jwks-url URL")
			}
			var req sdk.AppKeysRequest
			var err error
			if req.JWKS, req.JWKSURL, err = keysFrom(jwksFile, jwksURL); err != nil {
				return err
			}
			d, err := a.developer()
			if err != nil {
				return err
			}
			app, err := d.SetKeys(cmd.Context(), argv[0], req)
			if err != nil {
				return err
			}
			return a.printApp(app)
		},
	}
	cmd.Flags().StringVar(&jwksFile, "jwks", "", "a JWKS file with the app's public keys")
	cmd.Flags().StringVar(&jwksURL, "jwks-url", "", "a URL serving the app's public keys")
	cmd.MarkFlagsMutuallyExclusive("jwks", "jwks-url")
	return cmd
}

func (a *app) appsDeleteCmd() *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "delete CLIENT_ID [--yes]",
		Short: "Delete an app: its credentials and tokens stop working at once",
		Long: `Delete deletes an app, after asking for confirmation on stdin unless --yes. Its
credentials stop working and its tokens are revoked at once.`,
		Example: "  lhcr apps delete app_3f9c1a7e2b\n  lhcr apps delete app_3f9c1a7e2b --yes",
		Args:    args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			d, err := a.developer()
			if err != nil {
				return err
			}
			id := argv[0]
			if !yes {
				app, err := d.GetApp(cmd.Context(), id)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stderr, "Delete app %q (%s)? Its credentials stop working at once. [y/N] ", app.Name, id)
				line, _ := bufio.NewReader(a.stdin).ReadString('\n')
				if ans := strings.ToLower(strings.TrimSpace(line)); ans != "y" && ans != "yes" {
					fmt.Fprintln(a.stderr)
					return errors.New("not deleted (answer y, or use --yes)")
				}
			}
			if err := d.DeleteApp(cmd.Context(), id); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Deleted app %s.\n", id)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "delete without asking")
	return cmd
}
