package auth

import "testing"

func TestParseScope(t *testing.T) {
	bad := []string{"patient/Patient.read", "system/Spaceship.read", "system/Patient", "system/.rs", "system/Patient.sr", "system/Patient.rr", "system/Patient.x", "user/*.*", "openid", ""}
	for _, s := range bad {
		if _, err := ParseScope(s); err == nil {
			t.Errorf("ParseScope(%q) accepted", s)
		}
	}
	good := []string{"system/Patient.read", "system/*.write", "system/*.*", "system/Observation.rs", "system/*.cruds", "system/Patient.c", "system/Patient.d"}
	for _, s := range good {
		if _, err := ParseScope(s); err != nil {
			t.Errorf("ParseScope(%q): %v", s, err)
		}
	}
}

func TestScopeStrategy(t *testing.T) {
	tests := []struct {
		registered []string
		requested  string
		want       bool
	}{
		{[]string{"system/*.read"}, "system/Patient.read", true},
		{[]string{"system/*.read"}, "system/Patient.rs", true},
		{[]string{"system/*.read"}, "system/Patient.r", true},
		{[]string{"system/*.read"}, "system/Patient.write", false},
		{[]string{"system/*.read"}, "system/*.cruds", false},
		{[]string{"system/*.cruds"}, "system/*.read", true},
		{[]string{"system/*.cruds"}, "system/*.write", true},
		{[]string{"system/*.*"}, "system/Observation.cruds", true},
		{[]string{"system/Patient.rs"}, "system/Observation.rs", false},
		{[]string{"system/Patient.rs"}, "system/*.rs", false},
		{[]string{"system/Patient.rs"}, "system/Patient.read", true},
		{[]string{"system/Patient.r"}, "system/Patient.read", false},
		{[]string{"system/Patient.rs", "system/Observation.rs"}, "system/Observation.s", true},
		{[]string{"system/*.rs"}, "launch", false},
	}
	for _, tt := range tests {
		if got := scopeStrategy(tt.registered, tt.requested); got != tt.want {
			t.Errorf("registered %v, requested %s: %v, want %v", tt.registered, tt.requested, got, tt.want)
		}
	}
}

func TestGrantedAllows(t *testing.T) {
	g := ParseGranted("system/Patient.rs system/Observation.c openid")
	tests := []struct {
		typ  string
		in   Interaction
		want bool
	}{
		{"Patient", Read, true},
		{"Patient", Search, true},
		{"Patient", Create, false},
		{"Observation", Create, true},
		{"Observation", Read, false},
		{"Condition", Read, false},
		{"*", Read, false},
	}
	for _, tt := range tests {
		if got := g.Allows(tt.typ, tt.in); got != tt.want {
			t.Errorf("%s %s: %v, want %v", tt.typ, tt.in, got, tt.want)
		}
	}
	if !ParseGranted("system/*.read").Allows("*", Read) {
		t.Error("system/*.read should allow reading every type")
	}
}
