// Package sdk is the Go client of the Greater Manchester Local Health and Care Record's FHIR R4
// (UK Core) API and of its developer API.
//
//	c, err := sdk.NewClient("http://localhost:8080/fhir/R4",
//		sdk.WithClientSecret(clientID, clientSecret)) // or sdk.WithPrivateKeyJWT(clientID, key, kid, sdk.ES384)
//	p, err := c.Patients.ByNHSNumber(ctx, "9990000018")
//	for obs, err := range c.Observations.Search(ctx, sdk.ObservationQuery{Patient: *p.ID, Code: sdk.LOINC("4548-4")}) {
//		if err != nil {
//			return err
//		}
//		v, unit, _ := sdk.ObservationValue(obs)
//		…
//	}
//
// # Authentication
//
// A Client gets OAuth2 access tokens with the client credentials grant, through
// golang.org/x/oauth2: with a client secret (WithClientSecret), with a signed JWT assertion
// (WithPrivateKeyJWT: a fresh assertion, with a new jti, for every token request), or from a
// TokenSource of your own (WithTokenSource). The token endpoint is discovered from the server's
// /.well-known/smart-configuration. Tokens are cached, shared by all goroutines (one token
// request at a time), and replaced shortly before they expire.
//
// # Resources
//
// The Client has one service per resource type (c.Patients, c.Observations, c.Conditions,
// c.MedicationRequests, c.AllergyIntolerances, c.Immunizations, c.Encounters, c.Organizations,
// c.Practitioners), each with Get, GetVersion, Search, SearchPage, Page, Count, Create, Update,
// Delete and History. Searches take a typed query (PatientQuery, ObservationQuery…) whose tokens
// are built with Code, LOINC, SNOMED, DMD, NHSNumberIdentifier and ODSCode and whose dates with
// On, Since, Before, Between…, so that nobody writes a query string.
//
// The FHIR models are the generated ones of openapi/api, re-exported here by type alias
// (sdk.Patient is api.Patient), so that users import only this package. Since Go allows no
// methods on another package's types, the helpers for the fiddly parts are functions:
// NHSNumber(p), DisplayName(p), ObservationValue(o), ObservationTime(o), ConceptText(cc)…
//
// # Paging
//
// Search returns an iter.Seq2[*T, error] that fetches pages as the loop consumes them, following
// only the server's next links, so that any number of results is walked in the memory of one
// page. SearchPage returns one page with its total and links.
//
// # Errors
//
// Every answer outside 2xx becomes an *Error carrying the status, the OperationOutcome (or OAuth
// error code), and the request id; test for the common cases with IsNotFound, IsUnauthorized,
// IsForbidden, IsConflict and IsRateLimited. Error messages and logs never hold a secret, a token
// or a query string.
//
// # Retries
//
// Idempotent requests (GET, HEAD, DELETE, and PUT with If-Match) are retried after 429, 502, 503,
// 504 and connection resets, with exponential backoff and full jitter, obeying Retry-After, up to
// RetryPolicy.MaxAttempts and never past the context's deadline. Every request carries an
// X-Request-ID, the same on each retry.
//
// # Testing
//
// Package sandbox/sandboxtest starts a seeded sandbox in-process for your tests:
//
//	sb := sandboxtest.New(t)
//	c, err := sdk.NewClient(sb.FHIRBaseURL, sdk.WithClientSecret(sb.ClientID, sb.ClientSecret))
package sdk
