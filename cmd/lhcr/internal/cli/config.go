package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// defaultProfile is the profile used when neither --profile nor LHCR_PROFILE names one.
const defaultProfile = "default"

// Profile is one stored login: where the server is and the credentials to use there.
type Profile struct {
	// URL is the server's root URL (http://localhost:8080), not the FHIR base: the developer API
	// is URL/developer/v1 and the FHIR base URL/fhir/R4.
	URL string `json:"url"`
	// APIKey is the developer API key (apps commands).
	APIKey string `json:"api_key,omitempty"`
	// ClientID is the app the token and FHIR commands act as.
	ClientID string `json:"client_id,omitempty"`
	// ClientSecret is the app's secret (client_secret apps).
	ClientSecret string `json:"client_secret,omitempty"`
	// PrivateKey is the path of the app's PEM private key (private_key_jwt apps).
	PrivateKey string `json:"private_key,omitempty"`
	// KeyID is the kid of the key; empty means its RFC 7638 thumbprint, as keys generate sets it.
	KeyID string `json:"kid,omitempty"`
}

// config is the file os.UserConfigDir()/lhcr/config.json.
type config struct {
	Profiles map[string]*Profile `json:"profiles"`
}

// configPath returns the config file's path.
func configPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the user config directory: %w", err)
	}
	return filepath.Join(dir, "lhcr", "config.json"), nil
}

// loadConfig reads the config file; a missing file is an empty config.
func loadConfig() (*config, string, error) {
	path, err := configPath()
	if err != nil {
		return nil, "", err
	}
	c := &config{Profiles: map[string]*Profile{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, path, nil
	}
	if err != nil {
		return nil, "", err
	}
	if err := json.Unmarshal(b, c); err != nil {
		return nil, "", fmt.Errorf("%s is not valid JSON (%v): fix or delete it, then lhcr login", path, err)
	}
	if c.Profiles == nil {
		c.Profiles = map[string]*Profile{}
	}
	return c, path, nil
}

// save writes the config file with mode 0600 (it holds secrets), in a directory of mode 0700.
func (c *config) save(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".config-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func (c *config) names() []string {
	var n []string
	for k := range c.Profiles {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// normalizeURL turns what the user gave (the root or the FHIR base) into the root URL.
func normalizeURL(raw string) string {
	u := strings.TrimRight(strings.TrimSpace(raw), "/")
	u = strings.TrimSuffix(u, "/fhir/R4")
	return strings.TrimRight(u, "/")
}
