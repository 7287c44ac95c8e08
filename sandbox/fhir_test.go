package sandbox_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gm-lhcr/lhcr/sandbox"
)

// kind describes one resource type for the interaction tests: how to build a realistic resource
// that a query finds and nothing else does, and how to change it for an update.
type kind struct {
	typ string
	// build returns resource number n; subject is a patient id for types that reference one.
	build func(subject string, n int) obj
	// query finds resource n (and any other resource built with the same subject and n).
	query func(subject string, n int) string
	// change returns an edited copy for an update.
	change func(obj) obj
}

var kinds = []kind{
	{"Patient",
		func(_ string, n int) obj { return patientRes(nhsNumber(n), "Taylor", "Amelia", "Rose") },
		func(_ string, n int) string { return "identifier=" + sysNHS + "|" + nhsNumber(n) },
		func(o obj) obj { return with(o, "active", true, "gender", "other") }},
	{"Practitioner",
		func(_ string, n int) obj { return practitionerRes(fmt.Sprintf("7%06d", n), "Okafor", "Chidi") },
		func(_ string, n int) string { return "identifier=" + sysGMC + "|" + fmt.Sprintf("7%06d", n) },
		func(o obj) obj { return with(o, "active", false) }},
	{"Organization",
		func(_ string, n int) obj { return organizationRes(fmt.Sprintf("P8%04d", n), "Salford Care Practice") },
		func(_ string, n int) string { return "identifier=" + sysODS + "|" + fmt.Sprintf("P8%04d", n) },
		func(o obj) obj { return with(o, "name", "Salford Care Practice (Chapel Street)") }},
	{"Encounter",
		func(s string, _ int) obj { return encounterRes(s) },
		func(s string, _ int) string { return "patient=Patient/" + s },
		func(o obj) obj { return with(o, "status", "entered-in-error") }},
	{"Condition",
		func(s string, _ int) obj { return conditionRes(s) },
		func(s string, _ int) string { return "patient=" + s + "&code=" + sysSNOMED + "|44054006" },
		func(o obj) obj { return with(o, "clinicalStatus", concept(sysCondClin, "resolved", "Resolved")) }},
	{"Observation",
		func(s string, _ int) obj { return observationRes(s) },
		func(s string, _ int) string { return "subject=Patient/" + s + "&code=" + sysLOINC + "|4548-4" },
		func(o obj) obj { return with(o, "status", "amended") }},
	{"MedicationRequest",
		func(s string, _ int) obj { return medicationRequestRes(s) },
		func(s string, _ int) string { return "patient=" + s },
		func(o obj) obj { return with(o, "status", "stopped") }},
	{"AllergyIntolerance",
		func(s string, _ int) obj { return allergyRes(s) },
		func(s string, _ int) string { return "patient=Patient/" + s },
		func(o obj) obj { return with(o, "criticality", "low") }},
	{"Immunization",
		func(s string, _ int) obj { return immunizationRes(s) },
		func(s string, _ int) string { return "patient=" + s + "&vaccine-code=38598009" },
		func(o obj) obj { return with(o, "lotNumber", "MMR-2020-0417") }},
}

// esc escapes a readable query ("code=http://loinc.org|4548-4&date=ge2024") for a URL.
func esc(raw string) string {
	if raw == "" {
		return ""
	}
	var parts []string
	for _, kv := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(kv, "=")
		parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
	}
	return strings.Join(parts, "&")
}

// Every interaction of the contract, on every resource type: create, read, vread, update with
// and without a matching If-Match, update-as-create, delete (and what a deleted resource
// answers), history, search by GET and by POST, and conditional create.
func TestInteractions(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{})
	for i, k := range kinds {
		t.Run(k.typ, func(t *testing.T) {
			base := "/fhir/R4/" + k.typ
			subject := ts.create(t, patientRes(nhsNumber(900+i), "Subject", k.typ))
			n := 100 * (i + 1)

			// create: the server assigns the id, whatever the body says.
			res := with(k.build(subject, n), "id", "chosen-by-client")
			status, h, created := ts.do(t, "POST", base, mustJSON(t, res))
			if status != http.StatusCreated {
				t.Fatalf("create: status %d: %s", status, created)
			}
			info := decodeInfo(t, created)
			id := info.ID
			if id == "" || id == "chosen-by-client" || info.ResourceType != k.typ || info.Meta.VersionID != "1" {
				t.Fatalf("create: resourceType %q id %q versionId %q; want a server-assigned id and version 1", info.ResourceType, id, info.Meta.VersionID)
			}
			if want := ts.URL + base + "/" + id + "/_history/1"; h.Get("Location") != want {
				t.Errorf("create: Location %q, want %q", h.Get("Location"), want)
			}
			checkVersionHeaders(t, "create", h, 1)

			// read and vread serve the stored bytes.
			status, h, body := ts.do(t, "GET", base+"/"+id, "")
			if status != http.StatusOK || string(body) != string(created) {
				t.Fatalf("read: status %d body %s, want 200 and the created resource %s", status, body, created)
			}
			checkVersionHeaders(t, "read", h, 1)
			status, h, body = ts.do(t, "GET", base+"/"+id+"/_history/1", "")
			if status != http.StatusOK || string(body) != string(created) {
				t.Fatalf("vread 1: status %d body %s", status, body)
			}
			checkVersionHeaders(t, "vread", h, 1)

			// update with the right If-Match makes version 2.
			v2 := with(k.change(k.build(subject, n)), "id", id)
			status, h, updated := ts.do(t, "PUT", base+"/"+id, mustJSON(t, v2), "If-Match", `W/"1"`)
			if status != http.StatusOK {
				t.Fatalf("update: status %d: %s", status, updated)
			}
			if info := decodeInfo(t, updated); info.ID != id || info.Meta.VersionID != "2" {
				t.Errorf("update: id %q versionId %q, want %s and 2", info.ID, info.Meta.VersionID, id)
			}
			checkVersionHeaders(t, "update", h, 2)

			// a stale If-Match is refused and changes nothing.
			status, _, body = ts.do(t, "PUT", base+"/"+id, mustJSON(t, with(k.build(subject, n), "id", id)), "If-Match", `W/"1"`)
			if status != http.StatusPreconditionFailed {
				t.Fatalf("stale If-Match: status %d, want 412: %s", status, body)
			}
			if code, diag := outcomeOf(t, body); code != "conflict" || !strings.Contains(diag, "If-Match") {
				t.Errorf("stale If-Match: issue %q %q", code, diag)
			}
			if _, _, body := ts.do(t, "GET", base+"/"+id, ""); string(body) != string(updated) {
				t.Errorf("after a refused update the resource changed: %s", body)
			}
			if status, _, _ := ts.do(t, "GET", base+"/"+id+"/_history/3", ""); status != http.StatusNotFound {
				t.Errorf("vread of a version that does not exist: status %d, want 404", status)
			}

			// search by GET and by POST find the same, and only it.
			query := k.query(subject, n)
			got := ts.search(t, base+"?"+esc(query))
			if ids := got.ids(); !slices.Equal(ids, []string{id}) {
				t.Errorf("GET %s?%s: %v, want [%s]", k.typ, query, ids, id)
			}
			if got.Type != "searchset" || got.Total == nil || *got.Total != 1 {
				t.Errorf("GET %s?%s: type %q total %v, want searchset and 1", k.typ, query, got.Type, got.Total)
			}
			post := ts.searchPost(t, k.typ, esc(query))
			if !slices.Equal(post.ids(), got.ids()) || post.link("self") != got.link("self") {
				t.Errorf("POST _search: %v (self %s), GET: %v (self %s)", post.ids(), post.link("self"), got.ids(), got.link("self"))
			}
			if e := got.Entry[0]; e.FullURL != ts.URL+base+"/"+id || e.Search == nil || e.Search.Mode != "match" {
				t.Errorf("entry fullUrl %q search %v", e.FullURL, e.Search)
			}

			// update-as-create: PUT to an id that does not exist creates it with that id.
			other := ts.create(t, patientRes(nhsNumber(950+i), "Other", k.typ))
			newID := "put-" + strings.ToLower(k.typ)
			status, h, body = ts.do(t, "PUT", base+"/"+newID, mustJSON(t, with(k.build(other, n+1), "id", newID)))
			if status != http.StatusCreated {
				t.Fatalf("update-as-create: status %d: %s", status, body)
			}
			if info := decodeInfo(t, body); info.ID != newID || info.Meta.VersionID != "1" {
				t.Errorf("update-as-create: id %q version %q", info.ID, info.Meta.VersionID)
			}
			if want := ts.URL + base + "/" + newID + "/_history/1"; h.Get("Location") != want {
				t.Errorf("update-as-create: Location %q, want %q", h.Get("Location"), want)
			}
			checkVersionHeaders(t, "update-as-create", h, 1)

			// delete: 204, then the resource is gone but its history stays.
			if status, _, body := ts.do(t, "DELETE", base+"/"+id, ""); status != http.StatusNoContent || len(body) != 0 {
				t.Fatalf("delete: status %d body %q, want 204 and no body", status, body)
			}
			status, _, body = ts.do(t, "GET", base+"/"+id, "")
			if status != http.StatusGone {
				t.Fatalf("read after delete: status %d, want 410", status)
			}
			if code, _ := outcomeOf(t, body); code != "deleted" {
				t.Errorf("read after delete: issue code %q, want deleted", code)
			}
			if status, _, body := ts.do(t, "GET", base+"/"+id+"/_history/2", ""); status != http.StatusOK || string(body) != string(updated) {
				t.Errorf("vread 2 after delete: status %d body %s", status, body)
			}
			status, _, body = ts.do(t, "GET", base+"/"+id+"/_history/3", "")
			if status != http.StatusGone {
				t.Errorf("vread of the deletion: status %d, want 410", status)
			} else if code, _ := outcomeOf(t, body); code != "deleted" {
				t.Errorf("vread of the deletion: issue code %q", code)
			}
			if ids := ts.search(t, base+"?"+esc(query)).ids(); len(ids) != 0 {
				t.Errorf("search after delete: %v, want nothing", ids)
			}
			checkHistory(t, ts.search(t, base+"/"+id+"/_history"), k.typ, id)

			// delete is idempotent: a deleted or unknown id answers 204 too.
			for _, gone := range []string{id, "never-existed"} {
				if status, _, body := ts.do(t, "DELETE", base+"/"+gone, ""); status != http.StatusNoContent {
					t.Errorf("delete %s: status %d, want 204: %s", gone, status, body)
				}
			}
			if status, _, _ := ts.do(t, "GET", base+"/never-existed", ""); status != http.StatusNotFound {
				t.Errorf("read of an unknown id after its delete: status %d, want 404", status)
			}

			checkConditionalCreate(t, ts, k, ts.create(t, patientRes(nhsNumber(980+i), "Conditional", k.typ)), n+2)
		})
	}
}

// checkVersionHeaders checks the ETag and Last-Modified of a single-resource answer.
func checkVersionHeaders(t *testing.T, what string, h http.Header, version int) {
	t.Helper()
	if want := fmt.Sprintf(`W/"%d"`, version); h.Get("ETag") != want {
		t.Errorf("%s: ETag %q, want %q", what, h.Get("ETag"), want)
	}
	lm, err := http.ParseTime(h.Get("Last-Modified"))
	if err != nil || time.Since(lm) > time.Hour || time.Until(lm) > time.Minute {
		t.Errorf("%s: Last-Modified %q is not a recent HTTP date", what, h.Get("Last-Modified"))
	}
	if !strings.HasPrefix(h.Get("Content-Type"), "application/fhir+json") && h.Get("Content-Type") != "" {
		t.Errorf("%s: Content-Type %q", what, h.Get("Content-Type"))
	}
}

// checkHistory checks the history of a resource created, updated once and deleted.
func checkHistory(t *testing.T, b bundle, typ, id string) {
	t.Helper()
	if b.Type != "history" || len(b.Entry) != 3 {
		t.Fatalf("history: type %q with %d entries, want 3 history entries", b.Type, len(b.Entry))
	}
	want := []struct {
		method, status, etag string
		resource             bool
	}{
		{"DELETE", "204", `W/"3"`, false},
		{"PUT", "200", `W/"2"`, true},
		{"POST", "201", `W/"1"`, true},
	}
	for i, w := range want {
		e := b.Entry[i]
		if e.Request == nil || e.Request.Method != w.method || e.Response == nil || !strings.HasPrefix(e.Response.Status, w.status) || e.Response.Etag != w.etag {
			t.Errorf("history entry %d: request %+v response %+v, want %s %s %s", i, e.Request, e.Response, w.method, w.status, w.etag)
		}
		if (len(e.Resource) > 0) != w.resource {
			t.Errorf("history entry %d (%s): resource %s", i, w.method, e.Resource)
		}
		if w.resource {
			if info := decodeInfo(t, e.Resource); info.ID != id || info.Meta.VersionID != strings.Trim(w.etag, `W/"`) {
				t.Errorf("history entry %d: %s/%s version %s", i, info.ResourceType, info.ID, info.Meta.VersionID)
			}
		}
		if !strings.HasSuffix(e.FullURL, "/"+typ+"/"+id) {
			t.Errorf("history entry %d: fullUrl %q", i, e.FullURL)
		}
	}
}

// checkConditionalCreate: If-None-Exist creates with no match, returns the match and creates
// nothing with one, and refuses with several.
func checkConditionalCreate(t *testing.T, ts *testServer, k kind, subject string, n int) {
	t.Helper()
	base := "/fhir/R4/" + k.typ
	query := k.query(subject, n)
	matches := func() int { return len(ts.search(t, base+"?"+esc(query)).ids()) }
	if got := matches(); got != 0 {
		t.Fatalf("If-None-Exist: %d resources match %s before the test", got, query)
	}
	body := mustJSON(t, k.build(subject, n))
	status, _, first := ts.do(t, "POST", base, body, "If-None-Exist", query)
	if status != http.StatusCreated {
		t.Fatalf("If-None-Exist with no match: status %d, want 201: %s", status, first)
	}
	status, h, again := ts.do(t, "POST", base, body, "If-None-Exist", query)
	if status != http.StatusOK || string(again) != string(first) {
		t.Errorf("If-None-Exist with one match: status %d body %s, want 200 and the existing %s", status, again, first)
	}
	if h.Get("Location") != "" || h.Get("ETag") != `W/"1"` {
		t.Errorf("If-None-Exist with one match: Location %q ETag %q", h.Get("Location"), h.Get("ETag"))
	}
	if got := matches(); got != 1 {
		t.Errorf("If-None-Exist with one match created a duplicate: %d match", got)
	}
	ts.create(t, k.build(subject, n)) // a second match, created unconditionally
	status, _, oo := ts.do(t, "POST", base, body, "If-None-Exist", query)
	if status != http.StatusPreconditionFailed {
		t.Errorf("If-None-Exist with two matches: status %d, want 412: %s", status, oo)
	} else if code, _ := outcomeOf(t, oo); code != "multiple-matches" {
		t.Errorf("If-None-Exist with two matches: issue code %q", code)
	}
	if got := matches(); got != 2 {
		t.Errorf("If-None-Exist with two matches: %d match afterwards, want 2", got)
	}
}

// Prefer: return=minimal answers without a body, return=OperationOutcome with an outcome; the
// headers are those of the default answer. The contract declares only the resource as the body
// of a write's answer, so these two answers are not checked against it (see doUnchecked).
func TestPreferReturn(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{})
	p := patientRes(nhsNumber(1), "Taylor", "Amelia")

	status, h, body := ts.doUnchecked(t, "POST", "/fhir/R4/Patient", mustJSON(t, p), "Prefer", "return=minimal")
	if status != http.StatusCreated || len(body) != 0 {
		t.Fatalf("return=minimal: status %d body %q, want 201 and no body", status, body)
	}
	loc := h.Get("Location")
	if !strings.HasPrefix(loc, ts.URL+"/fhir/R4/Patient/") || !strings.HasSuffix(loc, "/_history/1") || h.Get("ETag") != `W/"1"` {
		t.Fatalf("return=minimal: Location %q ETag %q", loc, h.Get("ETag"))
	}
	id := strings.TrimSuffix(strings.TrimPrefix(loc, ts.URL+"/fhir/R4/Patient/"), "/_history/1")

	status, h, body = ts.doUnchecked(t, "PUT", "/fhir/R4/Patient/"+id, mustJSON(t, with(p, "id", id)), "Prefer", "return=OperationOutcome", "If-Match", `W/"1"`)
	if status != http.StatusOK || h.Get("ETag") != `W/"2"` {
		t.Fatalf("return=OperationOutcome: status %d ETag %q: %s", status, h.Get("ETag"), body)
	}
	if code, diag := outcomeOf(t, body); code != "informational" || !strings.Contains(diag, "Patient/"+id) {
		t.Errorf("return=OperationOutcome: issue %q %q", code, diag)
	}

	status, _, body = ts.do(t, "PUT", "/fhir/R4/Patient/"+id, mustJSON(t, with(p, "id", id)), "Prefer", "return=representation")
	if status != http.StatusOK || decodeInfo(t, body).Meta.VersionID != "3" {
		t.Errorf("return=representation: status %d: %s", status, body)
	}
}

// $everything answers the patient first, then everything that references them, and nothing of
// other patients', paged with next links.
func TestPatientEverything(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{})
	amelia := ts.create(t, patientRes(nhsNumber(1), "Taylor", "Amelia"))
	zoe := ts.create(t, patientRes(nhsNumber(2), "Ashworth", "Zoë"))
	ts.create(t, practitionerRes("7012345", "Okafor", "Chidi"))
	ts.create(t, organizationRes("P84001", "Salford Care Practice"))
	want := []string{"Patient/" + amelia}
	for _, b := range []func(string) obj{encounterRes, conditionRes, observationRes, observationRes, medicationRequestRes, allergyRes, immunizationRes} {
		r := b(amelia)
		want = append(want, r["resourceType"].(string)+"/"+ts.create(t, r))
		ts.create(t, b(zoe))
	}
	// A deleted observation of Amelia's is not part of her record any more.
	gone := ts.create(t, observationRes(amelia))
	ts.do(t, "DELETE", "/fhir/R4/Observation/"+gone, "")

	one := ts.search(t, "/fhir/R4/Patient/"+amelia+"/$everything")
	if got := one.refs(); len(got) == 0 || got[0] != "Patient/"+amelia || !sameSet(got, want) {
		t.Fatalf("$everything: %v\nwant the patient first, then %v", got, want)
	}
	if one.Type != "searchset" || one.Total == nil || *one.Total != len(want) {
		t.Errorf("$everything: type %q total %v, want searchset and %d", one.Type, one.Total, len(want))
	}

	pages := ts.walk(t, "/fhir/R4/Patient/"+amelia+"/$everything?_count=3")
	var got []string
	for i, p := range pages {
		if len(p.Entry) > 3 {
			t.Errorf("page %d has %d entries, more than _count=3", i, len(p.Entry))
		}
		got = append(got, p.refs()...)
	}
	if len(pages) != 3 || !slices.Equal(got, one.refs()) {
		t.Errorf("$everything in pages of 3: %d pages %v, want 3 pages of %v", len(pages), got, one.refs())
	}
	if prev := pages[len(pages)-1].link("previous"); prev == "" {
		t.Error("the last page of $everything has no previous link")
	} else if back := ts.search(t, prev); !slices.Equal(back.refs(), pages[len(pages)-2].refs()) {
		t.Errorf("previous of the last page: %v, want %v", back.refs(), pages[len(pages)-2].refs())
	}

	if status, _, _ := ts.do(t, "GET", "/fhir/R4/Patient/unknown-patient/$everything", ""); status != http.StatusNotFound {
		t.Errorf("$everything of an unknown patient: status %d, want 404", status)
	}
	ts.do(t, "DELETE", "/fhir/R4/Patient/"+zoe, "")
	if status, _, _ := ts.do(t, "GET", "/fhir/R4/Patient/"+zoe+"/$everything", ""); status != http.StatusGone {
		t.Errorf("$everything of a deleted patient: status %d, want 410", status)
	}
}

// History pages newest first and keeps every version.
func TestHistoryPaging(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{})
	p := patientRes(nhsNumber(1), "Taylor", "Amelia")
	id := ts.create(t, p)
	for v := 2; v <= 7; v++ {
		if status, _, body := ts.do(t, "PUT", "/fhir/R4/Patient/"+id, mustJSON(t, with(p, "id", id, "birthDate", fmt.Sprintf("19%02d", 50+v)))); status != http.StatusOK {
			t.Fatalf("update %d: %d %s", v, status, body)
		}
	}
	var versions []string
	pages := ts.walk(t, "/fhir/R4/Patient/"+id+"/_history?_count=3")
	for _, pg := range pages {
		for _, e := range pg.Entry {
			versions = append(versions, decodeInfo(t, e.Resource).Meta.VersionID)
		}
	}
	if want := []string{"7", "6", "5", "4", "3", "2", "1"}; !slices.Equal(versions, want) || len(pages) != 3 {
		t.Errorf("history in pages of 3: %d pages, versions %v, want 3 pages of %v", len(pages), versions, want)
	}
	back := ts.search(t, pages[2].link("previous"))
	if !slices.Equal(back.ids(), pages[1].ids()) || len(back.Entry) != 3 || decodeInfo(t, back.Entry[0].Resource).Meta.VersionID != "4" {
		t.Errorf("previous of the last history page: %d entries", len(back.Entry))
	}
	if status, _, _ := ts.do(t, "GET", "/fhir/R4/Patient/unknown/_history", ""); status != http.StatusNotFound {
		t.Errorf("history of an unknown id: status %d, want 404", status)
	}
}

// A resource read back is exactly the resource stored: every element the client sent survives.
func TestRoundTripKeepsElements(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{})
	for _, k := range kinds {
		sent := k.build("9a1b2c3d-0000-4000-8000-000000000001", 7)
		id := ts.create(t, sent)
		_, _, body := ts.do(t, "GET", "/fhir/R4/"+k.typ+"/"+id, "")
		var got obj
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		var want obj
		json.Unmarshal([]byte(mustJSON(t, sent)), &want)
		for key, v := range want {
			if key == "meta" {
				continue
			}
			if mustJSON(t, got[key]) != mustJSON(t, v) {
				t.Errorf("%s.%s: sent %s, read back %s", k.typ, key, mustJSON(t, v), mustJSON(t, got[key]))
			}
		}
		if meta, _ := got["meta"].(map[string]any); meta == nil || mustJSON(t, meta["profile"]) != mustJSON(t, want["meta"].(map[string]any)["profile"]) {
			t.Errorf("%s.meta.profile lost: %v", k.typ, got["meta"])
		}
	}
}

// Writes race safely: of concurrent conditional creates exactly one creates, and of concurrent
// updates with the same If-Match exactly one wins.
func TestConcurrentWrites(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{})
	const n = 8
	p := patientRes(nhsNumber(1), "Taylor", "Amelia")
	cond := "identifier=" + sysNHS + "|" + nhsNumber(1)
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", ts.URL+"/fhir/R4/Patient", strings.NewReader(mustJSONString(p)))
			req.Header.Set("Content-Type", "application/fhir+json")
			req.Header.Set("If-None-Exist", cond)
			resp, err := ts.client.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		})
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[http.StatusCreated] != 1 || count[http.StatusOK] != n-1 {
		t.Errorf("concurrent conditional creates: statuses %v, want one 201 and %d 200", count, n-1)
	}
	id := ts.search(t, "/fhir/R4/Patient?"+esc(cond)).ids()
	if len(id) != 1 {
		t.Fatalf("concurrent conditional creates stored %d patients", len(id))
	}

	statuses = make(chan int, n)
	for i := range n {
		wg.Go(func() {
			body := mustJSONString(with(p, "id", id[0], "birthDate", fmt.Sprintf("19%02d", 50+i)))
			req, _ := http.NewRequest("PUT", ts.URL+"/fhir/R4/Patient/"+id[0], strings.NewReader(body))
			req.Header.Set("Content-Type", "application/fhir+json")
			req.Header.Set("If-Match", `W/"1"`)
			resp, err := ts.client.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		})
	}
	wg.Wait()
	close(statuses)
	count = map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[http.StatusOK] != 1 || count[http.StatusPreconditionFailed] != n-1 {
		t.Errorf("concurrent updates with If-Match: statuses %v, want one 200 and %d 412", count, n-1)
	}
	if _, h, _ := ts.do(t, "GET", "/fhir/R4/Patient/"+id[0], ""); h.Get("ETag") != `W/"2"` {
		t.Errorf("after the race: ETag %q, want W/\"2\"", h.Get("ETag"))
	}
}

// With a PublicURL, every link and Location uses it, whatever Host the request came to.
func TestPublicURLLinks(t *testing.T) {
	const public = "https://sandbox.example.org"
	ts := newTestServer(t, sandbox.Config{PublicURL: public})
	status, h, body := ts.do(t, "POST", "/fhir/R4/Patient", mustJSON(t, patientRes(nhsNumber(1), "Taylor", "Amelia")))
	if status != http.StatusCreated || !strings.HasPrefix(h.Get("Location"), public+"/fhir/R4/Patient/") {
		t.Fatalf("create: status %d Location %q", status, h.Get("Location"))
	}
	id := decodeInfo(t, body).ID
	ts.create(t, observationRes(id))
	for _, path := range []string{"/fhir/R4/Patient?_count=1", "/fhir/R4/Patient/" + id + "/$everything?_count=1", "/fhir/R4/Patient/" + id + "/_history"} {
		b := ts.search(t, path)
		for _, l := range b.Link {
			if !strings.HasPrefix(l.URL, public+"/fhir/R4/") {
				t.Errorf("%s: %s link %q does not start with the public URL", path, l.Relation, l.URL)
			}
		}
		for _, e := range b.Entry {
			if !strings.HasPrefix(e.FullURL, public+"/fhir/R4/") {
				t.Errorf("%s: fullUrl %q", path, e.FullURL)
			}
		}
	}
}

// _count=0 asks only for the total, on $everything too.
func TestEverythingCountZero(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{})
	id := ts.create(t, patientRes(nhsNumber(1), "Taylor", "Amelia"))
	ts.create(t, observationRes(id))
	ts.create(t, conditionRes(id))
	b := ts.search(t, "/fhir/R4/Patient/"+id+"/$everything?_count=0")
	if len(b.Entry) != 0 || b.Total == nil || *b.Total != 3 {
		t.Errorf("$everything?_count=0: %d entries, total %s; want no entries and total 3", len(b.Entry), totalOf(b))
	}
}
