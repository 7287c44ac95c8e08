// Command profile serves a sandbox on an existing database and writes a CPU profile (and,
// optionally, an allocation profile) of the load it receives, for finding where the time goes
// under a real HTTP load rather than in an in-process benchmark:
//
//	go run ./bench/profile -db bench.db -addr 127.0.0.1:18190 -cpuprofile cpu.prof -d 12s &
//	wrk -t2 -c32 -d10s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:18190/fhir/R4/Patient/story-diabetes
//	go tool pprof -top -cum cpu.prof
//
// The sandbox runs as lhcr-sandbox would run it (its GC setting, no rate limit, logs at error
// level); -secret fixes the test app's secret so that a token can be fetched with curl.
package main

import (
	"context"
	"flag"
	"log"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"github.com/gm-lhcr/lhcr/sandbox"
)

func main() {
	dbPath := flag.String("db", "lhcr-sandbox.db", "the sandbox database (seeded already)")
	addr := flag.String("addr", "127.0.0.1:18190", "listen address")
	cpu := flag.String("cpuprofile", "cpu.prof", "where to write the CPU profile")
	mem := flag.String("memprofile", "", "where to write the allocation profile (optional)")
	secret := flag.String("secret", "bench-secret-0123456789abcdefghijklmnopqrstuvwxyz", "the test app's client secret")
	d := flag.Duration("d", 12*time.Second, "how long to profile, from start-up")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	sb, err := sandbox.New(context.Background(), sandbox.Config{DBPath: *dbPath, Logger: logger,
		TestClientSecret: *secret, TokenTTL: time.Hour})
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(sandbox.ServingGCPercent) // as lhcr-sandbox serves
	}
	srv := &http.Server{Addr: *addr, Handler: sb}
	go func() {
		if err := srv.ListenAndServe(); err != http.ErrServerClosed {
			log.Fatal(err)
		}
	}()
	f, err := os.Create(*cpu)
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	log.Printf("serving on %s, profiling for %s", *addr, *d)
	time.Sleep(*d)
	pprof.StopCPUProfile()
	f.Close()
	if *mem != "" {
		runtime.GC()
		mf, err := os.Create(*mem)
		if err != nil {
			log.Fatal(err)
		}
		pprof.Lookup("allocs").WriteTo(mf, 0)
		mf.Close()
	}
	srv.Shutdown(context.Background())
}
