package sdk

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// resourceTypes are the FHIR resource types the API serves, one per service on the Client.
var resourceTypes = []string{
	"AllergyIntolerance", "Condition", "Encounter", "Immunization", "MedicationRequest",
	"Observation", "Organization", "Patient", "Practitioner",
}

// ResourceTypes returns the FHIR resource types the API serves (and the Client has a service
// for), in alphabetical order: for tools that take a resource type at run time.
func ResourceTypes() []string { return slices.Clone(resourceTypes) }

// checkResourceType refuses a resource type the API does not serve before it becomes part of a
// URL path.
func checkResourceType(typ string) error {
	if !slices.Contains(resourceTypes, typ) {
		return fmt.Errorf("sdk: unknown resource type %q (one of %s)", typ, strings.Join(resourceTypes, ", "))
	}
	return nil
}

// Read reads the current version of a resource whose type is known only at run time, as a
// command-line tool gets it ("Patient", "story-diabetes"). Typed code uses the services
// (c.Patients.Get) instead. An unknown resource type or id is refused before anything is sent.
//
// FHIR: GET /{type}/{id}
func (c *Client) Read(ctx context.Context, resourceType, id string) (*AnyResource, error) {
	if err := checkResourceType(resourceType); err != nil {
		return nil, err
	}
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	u := c.base.JoinPath(resourceType, id)
	return decode[AnyResource](c.get(ctx, u))
}

// SearchValues iterates over the resources of a type known only at run time that match
// search parameters given as they are sent (patient=…, code=http://loinc.org|4548-4,
// date=ge2024-01-01), as a command-line tool gets them. It pages like Service.Search: lazily,
// following only the server's next links. Typed code uses the services' typed queries
// (c.Observations.Search) instead. The search is sent with "Prefer: handling=strict", so that
// the server refuses a parameter it does not know (400) rather than ignore it.
//
// FHIR: GET /{type}?{params}, then each Bundle's link[relation=next]
func (c *Client) SearchValues(ctx context.Context, resourceType string, params url.Values) iter.Seq2[*AnyResource, error] {
	first := func(ctx context.Context) (*Page[AnyResource], error) {
		if err := checkResourceType(resourceType); err != nil {
			return nil, err
		}
		u := c.base.JoinPath(resourceType)
		u.RawQuery = params.Encode()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", fhirMediaType+", application/json;q=0.9")
		req.Header.Set("Prefer", "handling=strict") // a misspelt parameter is an error, not ignored
		return readPage[AnyResource](c.http.Do(req))
	}
	next := func(ctx context.Context, link string) (*Page[AnyResource], error) {
		u, err := c.checkLink(link)
		if err != nil {
			return nil, err
		}
		return readPage[AnyResource](c.get(ctx, u))
	}
	return walk(ctx, first, next)
}
