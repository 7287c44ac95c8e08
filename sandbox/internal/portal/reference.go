package portal

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// reference is the API reference, derived from the contract once at start-up.
type reference struct {
	Title, Version, Description string
	Groups                      []refGroup
}

type refGroup struct {
	Tag, Description string
	Ops              []refOp
}

type refOp struct {
	ID, Method, Path, Summary, Description string
	Params                                 []refParam
	Body                                   string // media types of the request body
	Responses                              []refResponse
	Scoped                                 bool // needs a bearer token
}

type refParam struct {
	Name, In, Description string
	Required              bool
}

type refResponse struct{ Status, Description string }

// buildReference walks the contract: one group per tag (in the contract's tag order), the
// operations in path order.
func buildReference(doc *openapi3.T) reference {
	ref := reference{}
	if doc.Info != nil {
		ref.Title, ref.Version, ref.Description = doc.Info.Title, doc.Info.Version, doc.Info.Description
	}
	groups := map[string]*refGroup{}
	var order []string
	for _, t := range doc.Tags {
		groups[t.Name] = &refGroup{Tag: t.Name, Description: t.Description}
		order = append(order, t.Name)
	}
	paths := doc.Paths.InMatchingOrder()
	slices.Sort(paths)
	for _, path := range paths {
		item := doc.Paths.Value(path)
		for _, method := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			op := item.GetOperation(method)
			if op == nil {
				continue
			}
			o := refOp{ID: op.OperationID, Method: method, Path: path, Summary: op.Summary, Description: op.Description}
			if o.ID == "" {
				o.ID = strings.ToLower(method) + strings.ReplaceAll(path, "/", "-")
			}
			for _, pr := range append(slices.Clone(item.Parameters), op.Parameters...) {
				if pr.Value == nil {
					continue
				}
				o.Params = append(o.Params, refParam{Name: pr.Value.Name, In: pr.Value.In, Description: pr.Value.Description, Required: pr.Value.Required})
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				var mts []string
				for mt := range op.RequestBody.Value.Content {
					mts = append(mts, mt)
				}
				slices.Sort(mts)
				o.Body = strings.Join(mts, ", ")
			}
			if op.Responses != nil {
				codes := make([]string, 0, op.Responses.Len())
				for c := range op.Responses.Map() {
					codes = append(codes, c)
				}
				slices.Sort(codes)
				for _, c := range codes {
					d := ""
					if rv := op.Responses.Value(c); rv != nil && rv.Value != nil && rv.Value.Description != nil {
						d = *rv.Value.Description
					}
					o.Responses = append(o.Responses, refResponse{Status: c, Description: d})
				}
			}
			if op.Security != nil {
				o.Scoped = len(*op.Security) > 0
			} else {
				o.Scoped = len(doc.Security) > 0
			}
			tag := "Other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			g := groups[tag]
			if g == nil {
				g = &refGroup{Tag: tag}
				groups[tag] = g
				order = append(order, tag)
			}
			g.Ops = append(g.Ops, o)
		}
	}
	for _, t := range order {
		if g := groups[t]; len(g.Ops) > 0 {
			ref.Groups = append(ref.Groups, *g)
		}
	}
	return ref
}

func (p *Portal) referencePage(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, http.StatusOK, "reference", "API reference", "reference", p.ref)
}

// funcs are the templates' helpers.
var funcs = template.FuncMap{
	"lower": strings.ToLower,
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
	},
	"ms": func(d time.Duration) string {
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
	},
	"class":      func(status int) string { return fmt.Sprintf("s%dxx", status/100) },
	"issues":     issues,
	"appPath":    appPath,
	"join":       strings.Join,
	"pathEscape": url.PathEscape,
	// day is the date of a FHIR dateTime ("2025-08-10T14:55:00Z" → "2025-08-10").
	"day": func(s string) string {
		if len(s) > 10 && s[10] == 'T' {
			return s[:10]
		}
		return s
	},
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			m[k] = kv[i+1]
		}
		return m
	},
	"deref": func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	},
}
