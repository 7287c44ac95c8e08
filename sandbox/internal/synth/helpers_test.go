package synth

import (
	"encoding/json"
	"runtime"
	"sync"
	"testing"
)

// population generates patients 0..n-1 with a pool of workers taking indices in the given
// order. The result is indexed by patient.
func population(tb testing.TB, g *Generator, order []int, workers int) [][]Resource {
	tb.Helper()
	out := make([][]Resource, g.Len())
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = g.Patient(i)
			}
		}()
	}
	for _, i := range order {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// inOrder returns 0..n-1.
func inOrder(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func mustNew(tb testing.TB, cfg Config) *Generator {
	tb.Helper()
	g, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

// decoded is a resource decoded into generic JSON.
type decoded struct {
	Resource
	v map[string]any
}

func decodeAll(tb testing.TB, res []Resource) []decoded {
	tb.Helper()
	out := make([]decoded, len(res))
	for i, r := range res {
		out[i].Resource = r
		if err := json.Unmarshal(r.JSON, &out[i].v); err != nil {
			tb.Fatalf("%s/%s: invalid JSON: %v\n%s", r.Type, r.ID, err, r.JSON)
		}
	}
	return out
}

// walk calls fn for every object in v (depth first), with the key path leading to it.
func walk(v any, path string, fn func(path string, obj map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		fn(path, x)
		for k, c := range x {
			walk(c, path+"."+k, fn)
		}
	case []any:
		for _, c := range x {
			walk(c, path, fn)
		}
	}
}

func str(m map[string]any, path ...string) string {
	var v any = m
	for _, p := range path {
		o, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = o[p]
	}
	s, _ := v.(string)
	return s
}

func list(m map[string]any, key string) []any {
	l, _ := m[key].([]any)
	return l
}

func obj(v any) map[string]any {
	o, _ := v.(map[string]any)
	return o
}

// firstCode returns the first coding's code of the CodeableConcept at m[key].
func firstCode(m map[string]any, key string) string {
	c := list(obj(m[key]), "coding")
	if len(c) == 0 {
		return ""
	}
	return str(obj(c[0]), "code")
}

func num(v any) float64 { f, _ := v.(float64); return f }

var gomaxprocsMu sync.Mutex

// withGOMAXPROCS runs fn with runtime.GOMAXPROCS set to n.
func withGOMAXPROCS(n int, fn func()) {
	gomaxprocsMu.Lock()
	defer gomaxprocsMu.Unlock()
	old := runtime.GOMAXPROCS(n)
	defer runtime.GOMAXPROCS(old)
	fn()
}
