// Command baseline serves the load runs' baselines on one port:
//
//	GET /b0          the identical pre-serialised bytes of a resource (B0: the limit of net/http here)
//	GET /b0/{name}   the pre-serialised bytes of file DIR/{name}: each scenario's own answer, so
//	                 that a search is compared with serving its own (larger) Bundle
//	GET /b1          the resource's bytes after one modernc SELECT by primary key on the
//	                 sandbox's database (B1)
//
// Usage: baseline -addr 127.0.0.1:18181 -db copy-of-lhcr-sandbox.db -body patient.json -dir answers/
package main

import (
	"context"
	"database/sql"
	"flag"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"runtime"

	_ "modernc.org/sqlite"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18181", "listen address")
	dbPath := flag.String("db", "lhcr-sandbox.db", "a copy of the sandbox's SQLite database (the sandbox holds its file exclusively)")
	bodyPath := flag.String("body", "", "file with the bytes to serve")
	typ := flag.String("type", "Patient", "resource type of the row B1 selects")
	id := flag.String("id", "story-diabetes", "resource id of the row B1 selects")
	dir := flag.String("dir", "", "directory of scenario answers served at /b0/{name}")
	flag.Parse()
	body, err := os.ReadFile(*bodyPath)
	if err != nil {
		log.Fatal(err)
	}
	// The sandbox's VFS (unix-excl: the WAL index in process memory, no file lock per
	// transaction), so that B1's SELECT costs what the sandbox's would. The file must be a copy:
	// the sandbox holds its own exclusively.
	vfs := ""
	if runtime.GOOS != "windows" {
		vfs = "&vfs=unix-excl"
	}
	db, err := sql.Open("sqlite", "file:"+*dbPath+"?_pragma=busy_timeout(5000)&_pragma=mmap_size(1073741824)&_query_only=1"+vfs)
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(max(2, runtime.NumCPU()))
	db.SetMaxIdleConns(max(2, runtime.NumCPU()))
	var rid int64
	if err := db.QueryRow(`SELECT rid FROM resources WHERE type = ? AND id = ?`, *typ, *id).Scan(&rid); err != nil {
		log.Fatalf("find %s/%s: %v", *typ, *id, err)
	}
	stmt, err := db.Prepare(`SELECT json FROM resources WHERE rid = ?`)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /b0", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/fhir+json; charset=utf-8")
		w.Write(body)
	})
	answers := map[string][]byte{}
	if *dir != "" {
		entries, err := os.ReadDir(*dir)
		if err != nil {
			log.Fatal(err)
		}
		for _, e := range entries {
			if answers[e.Name()], err = os.ReadFile(filepath.Join(*dir, e.Name())); err != nil {
				log.Fatal(err)
			}
		}
	}
	mux.HandleFunc("GET /b0/{name}", func(w http.ResponseWriter, r *http.Request) {
		b, ok := answers[r.PathValue("name")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/fhir+json; charset=utf-8")
		w.Write(b)
	})
	mux.HandleFunc("GET /b1", func(w http.ResponseWriter, r *http.Request) {
		var js []byte
		// As the sandbox's read does: a cancellable context costs a goroutine per query in
		// database/sql and another in the driver.
		if err := stmt.QueryRowContext(context.WithoutCancel(r.Context()), rid).Scan(&js); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/fhir+json; charset=utf-8")
		w.Write(body)
	})
	log.Fatal(http.ListenAndServe(*addr, mux))
}
