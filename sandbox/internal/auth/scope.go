package auth

import (
	"fmt"
	"strings"

	"github.com/gm-lhcr/lhcr/sandbox/internal/search"
)

// Permission letters of SMART v2 scopes: create, read, update, delete, search.
const (
	permC = 1 << iota
	permR
	permU
	permD
	permS
)

// Scope is a parsed SMART system scope: system/<Type or *>.<permissions>.
type Scope struct {
	Resource string // a resource type, or "*"
	perms    int
}

// ParseScope parses a SMART v1 (system/Patient.read, .write, .*) or v2 (system/Patient.rs,
// system/*.cruds) system scope.
func ParseScope(s string) (Scope, error) {
	rest, ok := strings.CutPrefix(s, "system/")
	if !ok {
		return Scope{}, fmt.Errorf("scope %q: only SMART system scopes are supported here, e.g. system/Patient.rs or system/*.read", s)
	}
	res, perm, ok := strings.Cut(rest, ".")
	if !ok || res == "" || perm == "" {
		return Scope{}, fmt.Errorf("scope %q: expected system/<ResourceType or *>.<permissions>", s)
	}
	if res != "*" && !isResourceType(res) {
		return Scope{}, fmt.Errorf("scope %q: %s is not a resource type of this API", s, res)
	}
	sc := Scope{Resource: res}
	switch perm {
	case "read": // v1
		sc.perms = permR | permS
	case "write":
		sc.perms = permC | permU | permD
	case "*":
		sc.perms = permC | permR | permU | permD | permS
	default: // v2: a subsequence of "cruds"
		const order = "cruds"
		last := -1
		for _, c := range perm {
			i := strings.IndexRune(order, c)
			if i <= last {
				return Scope{}, fmt.Errorf("scope %q: permissions must be read, write, * (SMART v1) or letters of cruds in that order (SMART v2)", s)
			}
			last = i
			sc.perms |= 1 << i
		}
	}
	return sc, nil
}

func isResourceType(t string) bool {
	for _, rt := range search.ResourceTypes() {
		if rt == t {
			return true
		}
	}
	return false
}

// Covers reports whether s grants everything other grants.
func (s Scope) Covers(other Scope) bool {
	if s.Resource != "*" && s.Resource != other.Resource {
		return false
	}
	return other.perms&^s.perms == 0
}

// Interaction is what a FHIR request does, for scope checks.
type Interaction int

// The interactions, by the SMART v2 permission they need.
const (
	Read   Interaction = permR
	Search Interaction = permS
	Create Interaction = permC
	Update Interaction = permU
	Delete Interaction = permD
)

func (i Interaction) String() string {
	switch i {
	case Read:
		return "read"
	case Search:
		return "search"
	case Create:
		return "create"
	case Update:
		return "update"
	case Delete:
		return "delete"
	}
	return "unknown"
}

// Allows reports whether s permits interaction on resource type typ ("*" asks for every type).
func (s Scope) Allows(typ string, in Interaction) bool {
	if s.Resource != "*" && s.Resource != typ {
		return false
	}
	return s.perms&int(in) != 0
}

// Granted is a token's parsed scopes.
type Granted []Scope

// ParseGranted parses a space-separated scope string, skipping what is not a system scope.
func ParseGranted(scope string) Granted {
	var g Granted
	for _, f := range strings.Fields(scope) {
		if s, err := ParseScope(f); err == nil {
			g = append(g, s)
		}
	}
	return g
}

// Allows reports whether any scope permits interaction on typ.
func (g Granted) Allows(typ string, in Interaction) bool {
	for _, s := range g {
		if s.Allows(typ, in) {
			return true
		}
	}
	return false
}

// scopeStrategy is fosite's ScopeStrategy for SMART scopes: a requested scope is allowed when
// one of the client's registered scopes covers it (system/*.read covers system/Patient.rs).
func scopeStrategy(registered []string, requested string) bool {
	want, err := ParseScope(requested)
	if err != nil {
		return false
	}
	for _, r := range registered {
		if have, err := ParseScope(r); err == nil && have.Covers(want) {
			return true
		}
	}
	return false
}
