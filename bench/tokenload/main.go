// Command tokenload measures token issuance, which wrk cannot drive for signed JWTs: every
// private_key_jwt request needs a fresh assertion (a new jti). Assertions are signed before the
// timed run, so the client's signing does not compete with the server for the CPU.
//
//	tokenload keys -out DIR                       # an ES384 key pair: DIR/key.pem, DIR/jwks.json
//	tokenload secret -url URL -id ID -secret S    # client_secret_basic
//	tokenload jwt -url URL -id ID -key DIR/key.pem
//
// Flags -c (concurrency, 32) and -d (duration, 10s). Prints requests/s and latency percentiles.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

func main() {
	if len(os.Args) < 2 {
		log.Fatal("usage: tokenload keys|secret|jwt [flags]")
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	base := fs.String("url", "http://127.0.0.1:18180", "the sandbox's URL")
	id := fs.String("id", "", "client id")
	secret := fs.String("secret", "", "client secret")
	keyPath := fs.String("key", "", "private key PEM")
	out := fs.String("out", ".", "directory for keys")
	conc := fs.Int("c", 32, "concurrent clients")
	dur := fs.Duration("d", 10*time.Second, "duration")
	fs.Parse(os.Args[2:])
	switch os.Args[1] {
	case "keys":
		keys(*out)
	case "secret":
		run("secret", *base, *conc, *dur, func(int) *http.Request {
			req, _ := http.NewRequest(http.MethodPost, *base+"/oauth2/token", strings.NewReader("grant_type=client_credentials"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(*id, *secret)
			return req
		})
	case "jwt":
		key := loadKey(*keyPath)
		// Enough assertions for the run at a generous rate, signed beforehand.
		n := int(dur.Seconds()) * 4000
		forms := make([]string, n)
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES384, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "bench-1"))
		if err != nil {
			log.Fatal(err)
		}
		exp := jwt.NewNumericDate(time.Now().Add(4 * time.Minute))
		for i := range forms {
			a, err := jwt.Signed(signer).Claims(jwt.Claims{Issuer: *id, Subject: *id, Audience: jwt.Audience{*base + "/oauth2/token"},
				Expiry: exp, ID: fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), i)}).Serialize()
			if err != nil {
				log.Fatal(err)
			}
			forms[i] = url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {a}}.Encode()
		}
		run("jwt", *base, *conc, *dur, func(i int) *http.Request {
			if i >= len(forms) {
				return nil
			}
			req, _ := http.NewRequest(http.MethodPost, *base+"/oauth2/token", strings.NewReader(forms[i]))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return req
		})
	default:
		log.Fatalf("unknown command %q", os.Args[1])
	}
}

func run(name, base string, conc int, dur time.Duration, next func(int) *http.Request) {
	tr := &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}
	client := &http.Client{Transport: tr}
	var counter, failures atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) {
				req := next(int(counter.Add(1) - 1))
				if req == nil {
					break
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failures.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					failures.Add(1)
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	fmt.Printf("%s\t%.0f\t%s\t%s\t%d\n", name, float64(len(lat))/elapsed.Seconds(), pct(0.5), pct(0.99), failures.Load())
}

func keys(dir string) {
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	der, _ := x509.MarshalECPrivateKey(key)
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		log.Fatal(err)
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "bench-1", Algorithm: "ES384", Use: "sig"}}}
	b, _ := json.Marshal(set)
	if err := os.WriteFile(filepath.Join(dir, "jwks.json"), b, 0o644); err != nil {
		log.Fatal(err)
	}
}

func loadKey(path string) *ecdsa.PrivateKey {
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		log.Fatal("no PEM in ", path)
	}
	k, err := x509.ParseECPrivateKey(block.Bytes)
	if err != nil {
		log.Fatal(err)
	}
	return k
}
