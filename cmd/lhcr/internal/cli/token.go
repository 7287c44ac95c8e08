package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gm-lhcr/lhcr/sdk"
)

func (a *app) tokenCmd() *cobra.Command {
	var scopes []string
	cmd := &cobra.Command{
		Use:   "token [--scope SCOPE...]",
		Short: "Get an access token as the configured app and print it",
		Long: `Token gets an access token with the client credentials grant, as the profile's app (a
client secret, or a JWT signed with its private key), and prints it: for curl and other tools.
With -o json it prints the token with its type, expiry and scopes. Without --scope the token
carries all of the app's scopes.`,
		Example: `  curl -H "Authorization: Bearer $(lhcr token)" http://localhost:8080/fhir/R4/Patient/story-diabetes
  lhcr token --scope system/Patient.rs -o json`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var opts []sdk.Option
			if len(scopes) > 0 {
				opts = append(opts, sdk.WithScopes(scopes...))
			}
			c, err := a.fhir(opts...)
			if err != nil {
				return err
			}
			start := time.Now()
			tok, err := c.Token(cmd.Context())
			if err != nil {
				return err
			}
			if a.output == "table" {
				_, err := fmt.Fprintln(a.stdout, tok.AccessToken)
				return err
			}
			expiry := tok.Expiry
			if s, ok := tok.Extra("expires_in").(float64); ok && s > 0 {
				expiry = start.Add(time.Duration(s) * time.Second) // the server's expiry, not the SDK's refresh time
			}
			scope, _ := tok.Extra("scope").(string)
			out := struct {
				AccessToken string    `json:"access_token"`
				TokenType   string    `json:"token_type"`
				ExpiresAt   time.Time `json:"expires_at"`
				Scopes      []string  `json:"scopes"`
			}{tok.AccessToken, tok.Type(), expiry.UTC().Truncate(time.Second), strings.Fields(scope)}
			return a.printValue(out)
		},
	}
	cmd.Flags().StringSliceVar(&scopes, "scope", nil, "a SMART system scope to ask for (repeat, or comma-separate)")
	return cmd
}
