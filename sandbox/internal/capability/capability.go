// Package capability derives the server's CapabilityStatement from the contract and the search
// parameters the sandbox implements, so /metadata never claims what does not work and never
// hides what does.
package capability

import (
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox/internal/search"
)

// FHIRBase is the path of the FHIR API.
const FHIRBase = "/fhir/R4"

// Options are the server facts the contract does not hold.
type Options struct {
	BaseURL       string // absolute URL of the FHIR base, e.g. http://localhost:8080/fhir/R4
	TokenURL      string // absolute URL of the token endpoint
	Version       string // the sandbox's version
	Date          string // FHIR dateTime of the build
	SearchDocLink string
}

// interaction maps an operationId prefix to a FHIR interaction code.
var interactions = []struct {
	prefix string
	code   api.CapabilityStatementInteractionCode
}{
	{"read", api.CapabilityStatementInteractionCodeRead},
	{"vread", api.CapabilityStatementInteractionCodeVread},
	{"update", api.CapabilityStatementInteractionCodeUpdate},
	{"delete", api.CapabilityStatementInteractionCodeDelete},
	{"history", api.CapabilityStatementInteractionCodeHistoryInstance},
	{"create", api.CapabilityStatementInteractionCodeCreate},
	{"search", api.CapabilityStatementInteractionCodeSearchType},
}

// ignoredParams are the paging and format parameters, which are not search parameters.
var ignoredParams = map[string]bool{"_count": true, "_cursor": true, "_summary": true, "_total": true, "_format": true, "_sort": true}

// Build returns the CapabilityStatement for doc. It fails when the contract declares a search
// parameter the sandbox does not implement, so the two cannot drift apart unnoticed.
func Build(doc *openapi3.T, opt Options) (api.CapabilityStatement, error) {
	type res struct {
		inter  map[api.CapabilityStatementInteractionCode]bool
		params []api.CapabilityStatementSearchParam
		ops    []api.CapabilityStatementOperation
	}
	byType := map[string]*res{}
	for path, item := range doc.Paths.Map() {
		rest, ok := strings.CutPrefix(path, FHIRBase+"/")
		if !ok {
			continue
		}
		typ, _, _ := strings.Cut(rest, "/")
		if typ == "" || typ[0] < 'A' || typ[0] > 'Z' {
			continue // metadata, .well-known
		}
		r := byType[typ]
		if r == nil {
			r = &res{inter: map[api.CapabilityStatementInteractionCode]bool{}}
			byType[typ] = r
		}
		for method, op := range item.Operations() {
			if strings.Contains(path, "$everything") {
				r.ops = append(r.ops, api.CapabilityStatementOperation{
					Name:          "everything",
					Definition:    "http://hl7.org/fhir/OperationDefinition/Patient-everything",
					Documentation: ptr(strings.TrimSpace(op.Description)),
				})
				continue
			}
			for _, in := range interactions {
				if strings.HasPrefix(op.OperationID, in.prefix) {
					r.inter[in.code] = true
					break
				}
			}
			if method != "GET" || !strings.HasPrefix(op.OperationID, "search") {
				continue
			}
			for _, p := range op.Parameters {
				if p.Value == nil || p.Value.In != openapi3.ParameterInQuery || ignoredParams[p.Value.Name] {
					continue
				}
				name := p.Value.Name
				var typName api.CapabilityStatementSearchParamType
				var doc string
				switch name {
				case "_id":
					typName, doc = api.CapabilityStatementSearchParamTypeToken, "Logical id of the resource."
				case "_lastUpdated":
					typName, doc = api.CapabilityStatementSearchParamTypeDate, "When the resource last changed."
				default:
					def, ok := search.Lookup(typ, name)
					if !ok {
						return api.CapabilityStatement{}, fmt.Errorf("capability: the contract declares %s?%s but the sandbox does not implement it", typ, name)
					}
					typName, doc = api.CapabilityStatementSearchParamType(def.Type.String()), def.Doc
				}
				r.params = append(r.params, api.CapabilityStatementSearchParam{
					Name:          name,
					Type:          typName,
					Definition:    ptr(fmt.Sprintf("http://hl7.org/fhir/SearchParameter/%s-%s", searchParamOwner(typ, name), strings.TrimPrefix(name, "_"))),
					Documentation: ptr(doc),
				})
			}
		}
	}
	types := slices.Sorted(func(yield func(string) bool) {
		for t := range byType {
			if !yield(t) {
				return
			}
		}
	})
	var resources []api.CapabilityStatementResource
	for _, typ := range types {
		r := byType[typ]
		// Every implemented search parameter must be in the contract too.
		for _, def := range search.Defs(typ) {
			if !slices.ContainsFunc(r.params, func(p api.CapabilityStatementSearchParam) bool { return p.Name == def.Name }) {
				return api.CapabilityStatement{}, fmt.Errorf("capability: the sandbox implements %s?%s but the contract does not declare it", typ, def.Name)
			}
		}
		var inter []api.CapabilityStatementInteraction
		for _, in := range interactions {
			if r.inter[in.code] {
				inter = append(inter, api.CapabilityStatementInteraction{Code: in.code})
			}
		}
		slices.SortFunc(r.params, func(a, b api.CapabilityStatementSearchParam) int { return strings.Compare(a.Name, b.Name) })
		versioning := api.CapabilityStatementResourceVersioningVersionedUpdate
		resources = append(resources, api.CapabilityStatementResource{
			Type:              typ,
			Profile:           ptr("https://fhir.hl7.org.uk/StructureDefinition/UKCore-" + typ),
			Interaction:       inter,
			Versioning:        &versioning,
			ReadHistory:       ptr(true),
			UpdateCreate:      ptr(true),
			ConditionalCreate: ptr(true),
			SearchParam:       r.params,
			Operation:         r.ops,
		})
	}
	oauth := "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
	cs := api.CapabilityStatement{
		ResourceType: api.CapabilityStatementResourceTypeCapabilityStatement,
		URL:          ptr(opt.BaseURL + "/metadata"),
		Version:      ptr(opt.Version),
		Name:         ptr("LHCRSandbox"),
		Title:        ptr("Greater Manchester LHCR developer sandbox"),
		Status:       api.CapabilityStatementStatusActive,
		Experimental: ptr(true),
		Date:         opt.Date,
		Publisher:    ptr("Greater Manchester Local Health and Care Record developer platform"),
		Description:  ptr("A self-contained FHIR R4 (UK Core) sandbox with synthetic data. Derived from the API contract: it lists exactly what this server does."),
		Kind:         api.CapabilityStatementKindInstance,
		Software:     &api.CapabilityStatementSoftware{Name: "lhcr-sandbox", Version: ptr(opt.Version)},
		Implementation: &api.CapabilityStatementImplementation{
			Description: "LHCR developer sandbox",
			URL:         ptr(opt.BaseURL),
		},
		FHIRVersion: "4.0.1",
		Format:      []string{"application/fhir+json", "json"},
		Rest: []api.CapabilityStatementRest{{
			Mode: api.CapabilityStatementRestModeServer,
			Documentation: ptr("Search: unknown parameters are ignored unless Prefer: handling=strict. Paging follows Bundle.link next/previous (opaque keyset cursors); _count defaults to 50, at most 1000. " +
				"Fault simulation, to test your error handling: send Prefer: lhcr-simulate=<scenario> on any FHIR request, or read Patient/simulate-<scenario>, " +
				"with scenario 429, 503, 504-after=<ms>, latency=<ms>, timeout, 412, invalid-token, sensitive-patient or superseded-nhs-number (docs/testing-your-app.md)."),
			Security: &api.CapabilityStatementSecurity{
				Cors: ptr(true),
				Service: []api.CodeableConcept{{
					Coding: []api.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/restful-security-service"), Code: ptr("SMART-on-FHIR"), Display: ptr("SMART-on-FHIR")}},
				}},
				Description: ptr("OAuth 2.0 client credentials (SMART Backend Services): client_secret_basic, client_secret_post or private_key_jwt; SMART v1 and v2 system scopes."),
				Extension: []api.Extension{{
					URL:       oauth,
					Extension: []api.Extension{{URL: "token", ValueURI: ptr(opt.TokenURL)}},
				}},
			},
			Resource: resources,
		}},
	}
	return cs, nil
}

// searchParamOwner is the resource type whose SearchParameter defines a name: the common ones
// belong to Resource, "patient" on clinical resources is the clinical-patient parameter, etc.
func searchParamOwner(typ, name string) string {
	if strings.HasPrefix(name, "_") {
		return "Resource"
	}
	return typ
}

func ptr[T any](v T) *T { return &v }
