package cli

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/gm-lhcr/lhcr/sdk"
)

func (a *app) keysCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "keys",
		Short:   "Make key pairs for signed-JWT (private_key_jwt) apps",
		Example: "  lhcr keys generate --out ./keys",
		Args:    args(cobra.NoArgs),
	}
	cmd.AddCommand(a.keysGenerateCmd())
	return cmd
}

func (a *app) keysGenerateCmd() *cobra.Command {
	var alg, out, kid string
	var force bool
	cmd := &cobra.Command{
		Use:   "generate --out DIR [--alg ES384|RS384]",
		Short: "Generate a private key and its public JWKS",
		Long: `Generate makes a key pair in DIR: private-key.pem (PKCS #8, mode 0600: keep it secret) and
jwks.json (the public key as a JSON Web Key Set, to register with
"lhcr apps create --auth jwt --jwks DIR/jwks.json" or "lhcr apps set-keys"). The key's kid is
its RFC 7638 thumbprint unless --kid names it; lhcr finds the same kid from the private key, so
only --private-key needs storing. Existing files are not overwritten unless --force.`,
		Example: `  lhcr keys generate --out ./keys
  lhcr keys generate --alg RS384 --out ./keys-rsa`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var key crypto.Signer
			var err error
			switch sdk.SigningAlgorithm(alg) {
			case sdk.ES384:
				key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
			case sdk.RS384:
				key, err = rsa.GenerateKey(rand.Reader, 3072)
			default:
				return usagef("--alg must be ES384 or RS384, not %q", alg)
			}
			if err != nil {
				return err
			}
			_, thumb, err := keyInfo(key)
			if err != nil {
				return err
			}
			if kid == "" {
				kid = thumb
			}
			jwks, err := sdk.PublicJWKS(key, kid, sdk.SigningAlgorithm(alg))
			if err != nil {
				return err
			}
			pub, err := json.MarshalIndent(jwks, "", "  ")
			if err != nil {
				return err
			}
			der, err := x509.MarshalPKCS8PrivateKey(key)
			if err != nil {
				return err
			}
			priv := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
			keyPath, jwksPath := filepath.Join(out, "private-key.pem"), filepath.Join(out, "jwks.json")
			if !force {
				for _, p := range []string{keyPath, jwksPath} {
					if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
						return fmt.Errorf("%s exists: not overwritten (use --force, or another --out)", p)
					}
				}
			}
			if err := os.MkdirAll(out, 0o700); err != nil {
				return err
			}
			if err := writeFile(keyPath, priv, 0o600); err != nil {
				return err
			}
			if err := writeFile(jwksPath, append(pub, '\n'), 0o644); err != nil {
				return err
			}
			if a.output != "table" {
				return a.printValue(map[string]string{"private_key": keyPath, "jwks": jwksPath, "kid": kid, "alg": alg})
			}
			fmt.Fprintf(a.stdout, "Private key: %s (keep it secret)\n", keyPath)
			fmt.Fprintf(a.stdout, "Public JWKS: %s\n", jwksPath)
			fmt.Fprintf(a.stdout, "kid:         %s (%s)\n\n", kid, alg)
			fmt.Fprintf(a.stdout, "Next: lhcr apps create --name NAME --auth jwt --jwks %s\n", jwksPath)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&alg, "alg", "ES384", "the signing algorithm: ES384 (EC P-384) or RS384 (RSA 3072)")
	f.StringVar(&out, "out", "", "the directory to write private-key.pem and jwks.json to (required)")
	f.StringVar(&kid, "kid", "", "the key id (default: the key's RFC 7638 thumbprint)")
	f.BoolVar(&force, "force", false, "overwrite existing files")
	cmd.MarkFlagRequired("out")
	return cmd
}

// writeFile writes data to path with mode perm, whatever the umask or an older file's mode.
func writeFile(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
