package sdk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"testing"
	"time"

	"github.com/gm-lhcr/lhcr/sandbox/sandboxtest"
	"github.com/gm-lhcr/lhcr/sdk"
)

// Benchmarks of the SDK against an in-process sandbox over loopback HTTP, each beside the same
// calls made with a bare net/http client (a token, a GET, json.Unmarshal into the same models),
// so that the SDK's own cost shows as a ratio. Run with:
//
//	go test -run='^$' -bench=. -benchtime=2s -count=6 ./sdk/ > new.txt
//	benchstat old.txt new.txt
//
// The "interleaved" sub-benchmarks alternate SDK and bare calls in one loop, so that both see
// the same machine state, and report the ratio directly as sdk/bare.

// bare is the baseline: net/http with a token got once.
type bare struct {
	hc    *http.Client
	base  string
	token string
}

func newBare(b *testing.B, sb *sandboxtest.Sandbox) *bare {
	resp, err := http.PostForm(sb.TokenURL, url.Values{"grant_type": {"client_credentials"}, "client_id": {sb.ClientID}, "client_secret": {sb.ClientSecret}})
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		b.Fatalf("token: %v", err)
	}
	return &bare{hc: &http.Client{}, base: sb.FHIRBaseURL, token: tok.AccessToken}
}

func (c *bare) get(target string, v any) error {
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/fhir+json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// walkPatients follows next links from target, decoding every entry; it returns how many.
func (c *bare) walkPatients(target string) (int, error) {
	n := 0
	for target != "" {
		var bundle sdk.Bundle
		if err := c.get(target, &bundle); err != nil {
			return n, err
		}
		for _, e := range bundle.Entry {
			var p sdk.Patient
			if err := json.Unmarshal(*e.Resource, &p); err != nil {
				return n, err
			}
			n++
		}
		target = ""
		for _, l := range bundle.Link {
			if l.Relation == "next" {
				target = l.URL
			}
		}
	}
	return n, nil
}

func benchClient(b *testing.B, sb *sandboxtest.Sandbox) *sdk.Client {
	c, err := sdk.NewClient(sb.FHIRBaseURL, sdk.WithClientSecret(sb.ClientID, sb.ClientSecret))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.Token(context.Background()); err != nil {
		b.Fatal(err)
	}
	return c
}

// interleave runs sdkCall and bareCall alternately, b.N times each, and reports each one's
// time per call and their ratio.
func interleave(b *testing.B, sdkCall, bareCall func() error) {
	var tSDK, tBare time.Duration
	for b.Loop() {
		start := time.Now()
		if err := sdkCall(); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if err := bareCall(); err != nil {
			b.Fatal(err)
		}
		tSDK += mid.Sub(start)
		tBare += time.Since(mid)
	}
	b.ReportMetric(float64(tSDK.Nanoseconds())/float64(b.N), "sdk-ns/op")
	b.ReportMetric(float64(tBare.Nanoseconds())/float64(b.N), "bare-ns/op")
	b.ReportMetric(float64(tSDK)/float64(tBare), "sdk/bare")
}

// BenchmarkGet reads one Patient.
func BenchmarkGet(b *testing.B) {
	sb := sandboxtest.New(b)
	ctx := context.Background()
	c, raw := benchClient(b, sb), newBare(b, sb)
	target := sb.FHIRBaseURL + "/Patient/" + sandboxtest.StoryDiabetes
	sdkGet := func() error { _, err := c.Patients.Get(ctx, sandboxtest.StoryDiabetes); return err }
	bareGet := func() error { var p sdk.Patient; return raw.get(target, &p) }
	b.Run("sdk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := sdkGet(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := bareGet(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("interleaved", func(b *testing.B) { interleave(b, sdkGet, bareGet) })
}

// BenchmarkSearchWalk walks 500 patients in pages of 50 (10 requests per walk).
func BenchmarkSearchWalk(b *testing.B) {
	const patients = 500
	sb := sandboxtest.New(b, sandboxtest.WithPatients(patients))
	ctx := context.Background()
	c, raw := benchClient(b, sb), newBare(b, sb)
	sdkWalk := func() error {
		n := 0
		for _, err := range c.Patients.Search(ctx, sdk.PatientQuery{Count: 50}) {
			if err != nil {
				return err
			}
			n++
		}
		if n != patients {
			return fmt.Errorf("walked %d patients", n)
		}
		return nil
	}
	bareWalk := func() error {
		n, err := raw.walkPatients(sb.FHIRBaseURL + "/Patient?_count=50")
		if err == nil && n != patients {
			err = fmt.Errorf("walked %d patients", n)
		}
		return err
	}
	b.Run("sdk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := sdkWalk(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := bareWalk(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("interleaved", func(b *testing.B) { interleave(b, sdkWalk, bareWalk) })
}

// BenchmarkSearchMemory iterates 1,000 and 10,000 Observations (pages of 500) and reports the
// allocations per resource and the largest live heap seen during the walk (sampled after a GC
// every 1,000 resources). Memory is flat when peak-live-MB stays the same for 10× the resources
// and B/resource stays constant: the iterator holds one page, never the results so far.
func BenchmarkSearchMemory(b *testing.B) {
	sb := sandboxtest.New(b, sandboxtest.WithPatients(950))
	ctx := context.Background()
	c := benchClient(b, sb)
	if n, err := c.Observations.Count(ctx, sdk.ObservationQuery{}); err != nil || n < 10_000 {
		b.Fatalf("the sandbox has %d observations (%v), want 10,000", n, err)
	}
	for _, resources := range []int{1_000, 10_000} {
		b.Run(fmt.Sprint(resources), func(b *testing.B) {
			var peak uint64
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			before := ms.TotalAlloc
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				for o, err := range c.Observations.Search(ctx, sdk.ObservationQuery{Count: 500}) {
					if err != nil {
						b.Fatal(err)
					}
					if o.Status == "" {
						b.Fatal("an empty observation")
					}
					if n++; n%1000 == 0 {
						runtime.GC()
						runtime.ReadMemStats(&ms)
						peak = max(peak, ms.HeapAlloc)
					}
					if n == resources {
						break
					}
				}
			}
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(peak)/(1<<20), "peak-live-MB")
			b.ReportMetric(float64(ms.TotalAlloc-before)/float64(b.N*resources), "B/resource")
		})
	}
}
