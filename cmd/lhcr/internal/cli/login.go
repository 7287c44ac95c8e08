package cli

import (
	"bufio"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

func (a *app) loginCmd() *cobra.Command {
	var p Profile
	var noVerify bool
	cmd := &cobra.Command{
		Use:   "login --url URL [--api-key KEY] [--client-id ID --client-secret S | --private-key FILE]",
		Short: "Store a profile: the server's URL, your developer API key and an app's credentials",
		Long: `Login stores a profile in the user config directory (config.json under lhcr/ in
os.UserConfigDir(), mode 0600): the server's root URL (a FHIR base URL ending in /fhir/R4 is
accepted and cut back to the root), your developer API key (for the apps commands), and
optionally the credentials of the app that the token, get, search and everything commands act
as: a client id with a client secret or with the path of a private key (PEM).

Logging in to an existing profile changes only the settings given. Without --api-key, the key
is read from stdin (the sandbox's banner prints it). The key and any app credentials are
checked against the server before they are stored, unless --no-verify.`,
		Example: `  lhcr login --url http://localhost:8080 --api-key "$KEY"
  lhcr login --client-id app_3f9c1a7e2b --private-key ./keys/private-key.pem
  lhcr login --profile prod --url https://lhcr.example.nhs.uk`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			name, _ := a.profileName()
			cfg, path, err := loadConfig()
			if err != nil {
				return err
			}
			cur := Profile{}
			if old, ok := cfg.Profiles[name]; ok {
				cur = *old
			}
			f := cmd.Flags()
			if f.Changed("url") {
				cur.URL = normalizeURL(p.URL)
			}
			if cur.URL == "" {
				return usagef("profile %q is new: give --url (the server's URL, e.g. http://localhost:8080)", name)
			}
			if f.Changed("api-key") {
				cur.APIKey = p.APIKey
			} else if cur.APIKey == "" {
				fmt.Fprint(a.stderr, "Developer API key (Enter to skip): ")
				line, _ := bufio.NewReader(a.stdin).ReadString('\n')
				fmt.Fprintln(a.stderr)
				cur.APIKey = strings.TrimSpace(line)
			}
			if f.Changed("client-id") {
				cur.ClientID, cur.ClientSecret, cur.PrivateKey, cur.KeyID = p.ClientID, "", "", ""
			}
			if f.Changed("client-secret") {
				cur.ClientSecret, cur.PrivateKey, cur.KeyID = p.ClientSecret, "", ""
			}
			if f.Changed("private-key") {
				abs, err := filepath.Abs(p.PrivateKey)
				if err != nil {
					return err
				}
				if _, err := readPrivateKey(abs); err != nil {
					return err
				}
				cur.PrivateKey, cur.ClientSecret = abs, ""
			}
			if f.Changed("kid") {
				cur.KeyID = p.KeyID
			}
			if (cur.ClientSecret != "" || cur.PrivateKey != "") && cur.ClientID == "" {
				return usagef("give --client-id with --client-secret or --private-key")
			}
			if !noVerify {
				if err := a.verify(cmd, name, cur); err != nil {
					return err
				}
			}
			cfg.Profiles[name] = &cur
			if err := cfg.save(path); err != nil {
				return fmt.Errorf("saving %s: %w", path, err)
			}
			fmt.Fprintf(a.stdout, "Logged in to %s as profile %q (saved in %s).\n", cur.URL, name, path)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&p.URL, "url", "", "the server's root URL (http://localhost:8080) or FHIR base URL")
	f.StringVar(&p.APIKey, "api-key", "", "your developer API key (else read from stdin)")
	f.StringVar(&p.ClientID, "client-id", "", "the client id of the app to act as")
	f.StringVar(&p.ClientSecret, "client-secret", "", "the app's client secret (prefer LHCR_CLIENT_SECRET in scripts)")
	f.StringVar(&p.PrivateKey, "private-key", "", "the app's private key (PEM file), for private_key_jwt apps")
	f.StringVar(&p.KeyID, "kid", "", "the key's kid, if not its RFC 7638 thumbprint (as lhcr keys generate makes it)")
	f.BoolVar(&noVerify, "no-verify", false, "store the settings without checking them against the server")
	cmd.MarkFlagsMutuallyExclusive("client-secret", "private-key")
	return cmd
}

// verify checks a profile against the server: the API key by listing apps, the app's
// credentials by getting a token.
func (a *app) verify(cmd *cobra.Command, name string, p Profile) error {
	s := &settings{name: name, Profile: p}
	if p.APIKey != "" {
		d, err := a.newDeveloper(s)
		if err != nil {
			return err
		}
		if _, err := d.ListApps(cmd.Context()); err != nil {
			return fmt.Errorf("checking the developer API key: %w", err)
		}
	}
	if p.ClientID != "" {
		c, err := a.newFHIR(s)
		if err != nil {
			return err
		}
		if _, err := c.Token(cmd.Context()); err != nil {
			return fmt.Errorf("checking app %s's credentials: %w", p.ClientID, err)
		}
	}
	return nil
}

func (a *app) logoutCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "logout",
		Short:   "Remove a profile and the credentials stored in it",
		Example: "  lhcr logout\n  lhcr logout --profile prod",
		Args:    args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			name, _ := a.profileName()
			cfg, path, err := loadConfig()
			if err != nil {
				return err
			}
			if _, ok := cfg.Profiles[name]; !ok {
				return fmt.Errorf("no profile %q in %s (profiles: %s)", name, path, strings.Join(cfg.names(), ", "))
			}
			delete(cfg.Profiles, name)
			if err := cfg.save(path); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Logged out: profile %q removed.\n", name)
			return nil
		},
	}
}
