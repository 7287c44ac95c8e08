package apps

import (
	"strings"
	"testing"
)

func TestValidScope(t *testing.T) {
	tests := []struct {
		scope string
		want  string // "" for valid, else in the error
	}{
		{"system/Patient.read", ""},
		{"system/Patient.write", ""},
		{"system/Patient.*", ""},
		{"system/*.read", ""},
		{"system/*.*", ""},
		{"system/*.rs", ""},
		{"system/*.cruds", ""},
		{"system/Observation.rs", ""},
		{"system/Patient.c", ""},
		{"system/Patient.d", ""},
		{"system/Patient.cd", ""},
		{"system/Patient.us", ""},
		{"system/MedicationRequest.r", ""},
		{"system/AllergyIntolerance.s", ""},
		{"system/Immunization.cruds", ""},
		{"system/Practitioner.read", ""},
		{"system/Organization.rs", ""},
		{"system/Encounter.read", ""},
		{"system/Condition.cud", ""},
		{"", "not a system scope"},
		{"openid", "not a system scope"},
		{"patient/*.read", "not a system scope"},
		{"user/Patient.rs", "not a system scope"},
		{"System/Patient.read", "not a system scope"},
		{"system/Patient", "not a system scope"},
		{"system/.read", "not a system scope"},
		{"system/Patient.", "not a system scope"},
		{"system/patient.read", "does not serve"},
		{"system/Medication.read", "does not serve"},
		{"system/Patient.Read", "in that order"},
		{"system/Patient.sr", "in that order"},
		{"system/Patient.rr", "without repeats"},
		{"system/Patient.crudsx", "in that order"},
		{"system/Patient.readwrite", "in that order"},
		{"system/Patient.rs?category=x", "not supported"},
		{"system/Patient.read ", "in that order"},
		{"system/Patient.r.s", "in that order"},
	}
	for _, tt := range tests {
		err := ValidScope(tt.scope)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("ValidScope(%q) = %v, want nil", tt.scope, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("ValidScope(%q) = %v, want an error saying %q", tt.scope, err, tt.want)
		}
	}
}

func TestCheckJWKSURL(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://example.org/.well-known/jwks.json", true},
		{"https://example.org:8443/jwks?tenant=1", true},
		{"http://localhost:8080/jwks.json", true},
		{"http://LOCALHOST/jwks.json", true},
		{"http://127.0.0.1:9000/jwks", true},
		{"http://[::1]:9000/jwks", true},
		{"http://example.org/jwks", false},
		{"http://127.0.0.1.nip.io/jwks", false},
		{"ftp://example.org/jwks", false},
		{"file:///etc/passwd", false},
		{"https:example.org/jwks", false},
		{"//example.org/jwks", false},
		{"/jwks", false},
		{"", false},
		{"https://user:pass@example.org/jwks", false},
		{"https://example.org/jwks#frag", false},
		{"https://example.org/" + strings.Repeat("a", MaxJWKSURLLen), false},
		{"https://exa mple.org/", false},
	}
	for _, tt := range tests {
		if err := checkJWKSURL(tt.url); (err == nil) != tt.ok {
			t.Errorf("checkJWKSURL(%q) = %v, want ok %v", tt.url, err, tt.ok)
		}
	}
}
