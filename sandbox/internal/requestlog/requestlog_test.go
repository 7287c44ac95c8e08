package requestlog

import (
	"fmt"
	"testing"
)

func TestRecent(t *testing.T) {
	var l Log
	for i := range PerApp + 50 {
		status := 200
		if i%10 == 0 {
			status = 401
		}
		l.Add(Entry{ClientID: "a", Path: fmt.Sprint(i), Status: status})
	}
	l.Add(Entry{ClientID: "b", Path: "other", Status: 200})
	l.Add(Entry{Path: "anonymous", Status: 401})

	all := l.Recent("a", 0, 1000)
	if len(all) != PerApp {
		t.Fatalf("kept %d entries, want %d", len(all), PerApp)
	}
	if all[0].Path != fmt.Sprint(PerApp+49) || all[len(all)-1].Path != "50" {
		t.Errorf("order: newest %s, oldest %s", all[0].Path, all[len(all)-1].Path)
	}
	errs := l.Recent("a", 4, 1000)
	if len(errs) != 20 {
		t.Errorf("4xx entries %d, want 20", len(errs))
	}
	for _, e := range errs {
		if e.Status != 401 {
			t.Errorf("class filter let %d through", e.Status)
		}
	}
	if got := l.Recent("a", 0, 5); len(got) != 5 {
		t.Errorf("limit: %d entries", len(got))
	}
	if got := l.Recent("b", 0, 10); len(got) != 1 || got[0].Path != "other" {
		t.Errorf("one app sees another's entries: %v", got)
	}
	l.Forget("a")
	if got := l.Recent("a", 0, 10); len(got) != 0 {
		t.Errorf("after Forget: %d entries", len(got))
	}
}
