package sandbox

import (
	"net/http"

	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox/internal/validate"
)

// pending answers the operations of the contract whose implementation has not landed yet
// (OAuth2 and the developer API, issue #6) with an explicit, documented refusal.
type pending struct{}

func (pending) refuse(w http.ResponseWriter, r *http.Request) {
	validate.WriteError(w, r, errorf(http.StatusNotImplemented, api.OperationOutcomeIssueCodeNotSupported,
		"%s %s is in the contract but not yet served by this sandbox version", r.Method, r.URL.Path))
}

func (p pending) ListApps(w http.ResponseWriter, r *http.Request, _ api.ListAppsParams) { p.refuse(w, r) }
func (p pending) CreateApp(w http.ResponseWriter, r *http.Request, _ api.CreateAppParams) {
	p.refuse(w, r)
}
func (p pending) DeleteApp(w http.ResponseWriter, r *http.Request, _ api.ClientIDParam, _ api.DeleteAppParams) {
	p.refuse(w, r)
}
func (p pending) GetApp(w http.ResponseWriter, r *http.Request, _ api.ClientIDParam, _ api.GetAppParams) {
	p.refuse(w, r)
}
func (p pending) UpdateApp(w http.ResponseWriter, r *http.Request, _ api.ClientIDParam, _ api.UpdateAppParams) {
	p.refuse(w, r)
}
func (p pending) SetAppKeys(w http.ResponseWriter, r *http.Request, _ api.ClientIDParam, _ api.SetAppKeysParams) {
	p.refuse(w, r)
}
func (p pending) ListAppRequests(w http.ResponseWriter, r *http.Request, _ api.ClientIDParam, _ api.ListAppRequestsParams) {
	p.refuse(w, r)
}
func (p pending) RotateAppSecret(w http.ResponseWriter, r *http.Request, _ api.ClientIDParam, _ api.RotateAppSecretParams) {
	p.refuse(w, r)
}
func (p pending) GetSmartConfiguration(w http.ResponseWriter, r *http.Request, _ api.GetSmartConfigurationParams) {
	p.refuse(w, r)
}
func (p pending) IntrospectToken(w http.ResponseWriter, r *http.Request, _ api.IntrospectTokenParams) {
	p.refuse(w, r)
}
func (p pending) RevokeToken(w http.ResponseWriter, r *http.Request, _ api.RevokeTokenParams) {
	p.refuse(w, r)
}
func (p pending) RequestToken(w http.ResponseWriter, r *http.Request, _ api.RequestTokenParams) {
	p.refuse(w, r)
}
