package sandbox_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gm-lhcr/lhcr/sandbox"
)

// tryCreate POSTs a resource and returns its id; unlike create it is safe to call from any
// goroutine (it reports failures as errors, not with t.Fatal).
func (ts *testServer) tryCreate(resource obj) (string, error) {
	b := strings.NewReader(mustJSONString(resource))
	resp, err := ts.client.Post(ts.URL+"/fhir/R4/"+resource["resourceType"].(string), "application/fhir+json", b)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("create: status %d: %s", resp.StatusCode, body)
	}
	ri, err := parseInfo(body)
	if err != nil || ri.ID == "" {
		return "", fmt.Errorf("create: no id in %s", body)
	}
	return ri.ID, nil
}

// createMany creates n resources with a few concurrent clients and returns their ids.
func (ts *testServer) createMany(t *testing.T, n int, build func(i int) obj) []string {
	t.Helper()
	ids := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				id, err := ts.tryCreate(build(i))
				if err != nil {
					errs <- err
					return
				}
				ids[i] = id
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return ids
}

// hba1c is an HbA1c result of patient on one of 100 days: many results share a date, so that
// sorting by date has ties to page through.
func hba1c(patient string, i int) obj {
	return with(observationRes(patient),
		"effectiveDateTime", fmt.Sprintf("2024-%02d-%02dT09:30:00Z", 1+i%10, 1+(i/10)%10),
		"valueQuantity", obj{"value": 40 + i%40, "unit": "mmol/mol", "system": sysUCUM, "code": "mmol/mol"})
}

// A walk through a large result set by next links sees every row that existed when it started
// exactly once, although new matching rows are written while it walks; the previous links lead
// back through the same pages; every link is absolute and replayable.
func TestPagingWalk(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{})
	patient := ts.create(t, patientRes(nhsNumber(1), "Taylor", "Amelia"))
	const n = 1200
	initial := ts.createMany(t, n, func(i int) obj { return hba1c(patient, i) })
	query := "/fhir/R4/Observation?" + esc("patient=Patient/"+patient+"&code="+sysLOINC+"|4548-4&_count=100")

	// Insert matching observations while the walk goes on.
	stop := make(chan struct{})
	var inserted atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; i < 300; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := ts.tryCreate(hba1c(patient, n+i)); err != nil {
				t.Errorf("concurrent insert: %v", err)
				return
			}
			inserted.Add(1)
		}
	})
	pages := ts.walk(t, query)
	close(stop)
	wg.Wait()

	seen := map[string]int{}
	var walked []string
	for i, p := range pages {
		if len(p.Entry) > 100 || (i < len(pages)-1 && len(p.Entry) != 100) {
			t.Errorf("page %d has %d entries; want 100 on every page but the last", i, len(p.Entry))
		}
		for _, l := range p.Link {
			if !strings.HasPrefix(l.URL, ts.URL+"/fhir/R4/Observation?") {
				t.Errorf("page %d: %s link %q is not absolute", i, l.Relation, l.URL)
			}
		}
		if (i == 0) != (p.link("previous") == "") {
			t.Errorf("page %d: previous link %q", i, p.link("previous"))
		}
		for _, id := range p.ids() {
			seen[id]++
			walked = append(walked, id)
		}
	}
	for id, k := range seen {
		if k > 1 {
			t.Errorf("%s was served %d times", id, k)
		}
	}
	missing := 0
	for _, id := range initial {
		if seen[id] == 0 {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of the %d observations that existed before the walk were never served", missing, n)
	}
	t.Logf("walked %d pages, %d resources; %d inserted during the walk", len(pages), len(walked), inserted.Load())

	// Replay: a page's self link serves the same page again (these pages lie before any row
	// inserted during the walk).
	for _, i := range []int{0, 1, 5} {
		if again := ts.search(t, pages[i].link("self")); !slices.Equal(again.ids(), pages[i].ids()) {
			t.Errorf("page %d replayed from its self link %s: %d entries, first %v; want the same page (first %v)",
				i, pages[i].link("self"), len(again.Entry), first(again.ids()), first(pages[i].ids()))
		}
		if i+1 < len(pages) {
			if again := ts.search(t, pages[i].link("next")); !slices.Equal(again.ids(), pages[i+1].ids()) {
				t.Errorf("page %d's next link replayed: not page %d", i, i+1)
			}
		}
	}

	// Back: previous links from the last page lead through the same pages to the first.
	last := ts.walkBack(t, pages[len(pages)-1])
	if len(last) != len(pages)-1 {
		t.Fatalf("walking back from page %d took %d steps, want %d", len(pages)-1, len(last), len(pages)-1)
	}
	for k, p := range last {
		want := pages[len(pages)-2-k]
		if !slices.Equal(p.ids(), want.ids()) {
			t.Errorf("walking back, step %d: %d entries, want page %d", k, len(p.Entry), len(pages)-2-k)
		}
	}
	if prev := last[len(last)-1].link("previous"); prev != "" {
		t.Errorf("the first page reached by walking back has a previous link %q", prev)
	}
}

// walkBack follows previous links from page p and returns the pages reached, nearest first.
func (ts *testServer) walkBack(t *testing.T, p bundle) []bundle {
	t.Helper()
	var out []bundle
	for prev := p.link("previous"); prev != ""; prev = out[len(out)-1].link("previous") {
		out = append(out, ts.search(t, prev))
		if len(out) > 1000 {
			t.Fatal("previous links loop")
		}
	}
	return out
}

func first(ids []string) []string { return ids[:min(3, len(ids))] }

// A walk sorted on a date with many ties pages through every row once, in order, and _count
// is capped at 1000.
func TestPagingSortedWalk(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{})
	patient := ts.create(t, patientRes(nhsNumber(1), "Taylor", "Amelia"))
	const n = 1100
	ids := ts.createMany(t, n, func(i int) obj { return hba1c(patient, i) })

	for _, sort := range []string{"date", "-date", "_lastUpdated", "-_lastUpdated"} {
		t.Run(sort, func(t *testing.T) {
			pages := ts.walk(t, "/fhir/R4/Observation?"+esc("patient="+patient+"&_sort="+sort+"&_count=250"))
			var got []string
			var dates []string
			for _, p := range pages {
				got = append(got, p.ids()...)
				for _, e := range p.Entry {
					var o struct {
						Effective string `json:"effectiveDateTime"`
						Meta      struct {
							LastUpdated string `json:"lastUpdated"`
						} `json:"meta"`
					}
					json.Unmarshal(e.Resource, &o)
					if strings.HasSuffix(sort, "date") {
						dates = append(dates, o.Effective)
					} else {
						dates = append(dates, o.Meta.LastUpdated)
					}
				}
			}
			if len(got) != n || !sameSet(got, ids) {
				t.Errorf("_sort=%s: %d resources served, %d distinct; want each of %d once", sort, len(got), len(distinct(got)), n)
			}
			sorted := slices.IsSorted(dates)
			if strings.HasPrefix(sort, "-") {
				slices.Reverse(dates)
				sorted = slices.IsSorted(dates)
			}
			if !sorted {
				t.Errorf("_sort=%s: results out of order", sort)
			}
			back := ts.walkBack(t, pages[len(pages)-1])
			for k, p := range back {
				if !slices.Equal(p.ids(), pages[len(pages)-2-k].ids()) {
					t.Errorf("_sort=%s: walking back, step %d is not page %d", sort, k, len(pages)-2-k)
				}
			}
		})
	}

	b := ts.search(t, "/fhir/R4/Observation?_count=5000")
	if len(b.Entry) != 1000 || b.link("next") == "" {
		t.Errorf("_count=5000: %d entries, next %q; want the cap, 1000, and a next link", len(b.Entry), b.link("next"))
	}
	if rest := ts.search(t, b.link("next")); len(rest.Entry) != n-1000 {
		t.Errorf("_count=5000, page 2: %d entries, want %d", len(rest.Entry), n-1000)
	}
}

func distinct(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// A cursor the server did not issue for this query is refused with a 400 OperationOutcome,
// never silently misapplied.
func TestPagingBadCursor(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{})
	taylor := ts.create(t, patientRes(nhsNumber(1), "Taylor", "Amelia"))
	zoe := ts.create(t, patientRes(nhsNumber(2), "Ashworth", "Zoë"))
	for i := range 5 {
		ts.create(t, hba1c(taylor, i))
		ts.create(t, hba1c(zoe, i))
	}
	ts.do(t, "PUT", "/fhir/R4/Patient/"+taylor, mustJSON(t, with(patientRes(nhsNumber(1), "Taylor", "Amelia"), "id", taylor)))
	ts.do(t, "PUT", "/fhir/R4/Patient/"+taylor, mustJSON(t, with(patientRes(nhsNumber(1), "Taylor", "Amelia"), "id", taylor)))

	search := "/fhir/R4/Observation?" + esc("patient="+taylor+"&_count=2")
	cursorOf := func(path string) string {
		t.Helper()
		next := ts.search(t, path).link("next")
		c := queryOf(t, next).Get("_cursor")
		if c == "" {
			t.Fatalf("%s: no cursor in the next link %q", path, next)
		}
		return c
	}
	good := cursorOf(search)
	other := cursorOf("/fhir/R4/Observation?" + esc("patient="+zoe+"&_count=2"))
	sorted := cursorOf("/fhir/R4/Observation?" + esc("patient="+taylor+"&_count=2&_sort=date"))
	history := cursorOf("/fhir/R4/Patient/" + taylor + "/_history?_count=1")
	everything := cursorOf("/fhir/R4/Patient/" + taylor + "/$everything?_count=2")

	raw, err := base64.RawURLEncoding.DecodeString(good)
	if err != nil {
		t.Fatalf("the cursor is not base64url: %v", err)
	}
	tampered := []byte(strings.Replace(string(raw), `"r":`, `"r":1`, 1))
	flipped := []byte(good)
	flipped[len(flipped)/2] ^= 1

	if status, _, body := ts.do(t, "GET", search+"&_cursor="+url.QueryEscape(good), ""); status != http.StatusOK {
		t.Fatalf("the cursor as issued: status %d: %s", status, body)
	}
	tests := []struct{ name, path, cursor string }{
		{"garbage", search, "not-a-cursor!"},
		{"valid base64, not a cursor", search, base64.RawURLEncoding.EncodeToString([]byte(`{"hello":"world"}`))},
		{"a byte flipped", search, string(flipped)},
		{"position edited", search, base64.RawURLEncoding.EncodeToString(tampered)},
		{"truncated", search, good[:len(good)-4]},
		{"another patient's search", search, other},
		{"the same search sorted", search, sorted},
		{"a history cursor", search, history},
		{"an $everything cursor", search, everything},
		{"a search cursor in history", "/fhir/R4/Patient/" + taylor + "/_history?_count=1", good},
		{"another resource's history", "/fhir/R4/Patient/" + zoe + "/_history?_count=1", history},
		{"a search cursor in $everything", "/fhir/R4/Patient/" + taylor + "/$everything?_count=2", good},
		{"another patient's $everything", "/fhir/R4/Patient/" + zoe + "/$everything?_count=2", everything},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sep := "?"
			if strings.Contains(tt.path, "?") {
				sep = "&"
			}
			status, _, body := ts.do(t, "GET", tt.path+sep+"_cursor="+url.QueryEscape(tt.cursor), "")
			if status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %.300s", status, body)
			}
			if code, diag := outcomeOf(t, body); code != "invalid" || !strings.Contains(diag, "_cursor") {
				t.Errorf("issue %q %q: want invalid, explaining _cursor", code, diag)
			}
		})
	}
}
