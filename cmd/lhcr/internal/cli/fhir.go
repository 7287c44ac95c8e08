package cli

import (
	"fmt"
	"iter"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gm-lhcr/lhcr/sdk"
)

// resourceType checks a resource type given on the command line.
func resourceType(typ string) error {
	if !slices.Contains(sdk.ResourceTypes(), typ) {
		return usagef("unknown resource type %q: use one of %s", typ, strings.Join(sdk.ResourceTypes(), ", "))
	}
	return nil
}

// typeAndID reads "Type/id", or "Type id" from two arguments.
func typeAndID(argv []string, defaultType string) (string, string, error) {
	var typ, id string
	switch {
	case len(argv) == 2:
		typ, id = argv[0], argv[1]
	case strings.Contains(argv[0], "/"):
		typ, id, _ = strings.Cut(argv[0], "/")
	case defaultType != "":
		typ, id = defaultType, argv[0]
	default:
		return "", "", usagef("want TYPE/ID (e.g. Patient/story-diabetes), not %q", argv[0])
	}
	if err := resourceType(typ); err != nil {
		return "", "", err
	}
	if id == "" {
		return "", "", usagef("no id in %q: want TYPE/ID", strings.Join(argv, " "))
	}
	return typ, id, nil
}

func (a *app) getCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "get TYPE/ID",
		Short: "Read a FHIR resource",
		Long: "Get reads the current version of a resource (FHIR read) as the profile's app.\n\n" +
			"Resource types: " + strings.Join(sdk.ResourceTypes(), ", ") + ".",
		Example: `  lhcr get Patient/story-diabetes
  lhcr get Observation/obs-123 -o json`,
		Args: args(cobra.RangeArgs(1, 2)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			typ, id, err := typeAndID(argv, "")
			if err != nil {
				return err
			}
			c, err := a.fhir()
			if err != nil {
				return err
			}
			r, err := c.Read(cmd.Context(), typ, id)
			if err != nil {
				return err
			}
			return a.printResources(typ, func(yield func(*sdk.AnyResource, error) bool) { yield(r, nil) }, 0, true)
		},
	}
}

func (a *app) searchCmd() *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "search TYPE [NAME=VALUE...] [--limit N]",
		Short: "Search FHIR resources, following the pages as needed",
		Long: `Search finds the resources of TYPE that match every NAME=VALUE (FHIR search parameters, sent
as they are given: quote values holding | or spaces) and prints them as they arrive, fetching
the next page only when needed, up to --limit (0 for all). A parameter the server does not
know is an error, not ignored.

Resource types: ` + strings.Join(sdk.ResourceTypes(), ", ") + ".",
		Example: `  lhcr search Patient family=tay
  lhcr search Observation patient=story-diabetes 'code=http://loinc.org|4548-4' --limit 200
  lhcr search Condition patient=story-diabetes clinical-status=active -o ndjson`,
		Args:              args(cobra.MinimumNArgs(1)),
		ValidArgsFunction: completeTypes,
		RunE: func(cmd *cobra.Command, argv []string) error {
			typ := argv[0]
			if err := resourceType(typ); err != nil {
				return err
			}
			if limit < 0 {
				return usagef("--limit must be 0 (all) or more, not %d", limit)
			}
			params := url.Values{}
			for _, kv := range argv[1:] {
				k, v, ok := strings.Cut(kv, "=")
				if !ok || k == "" || strings.ContainsAny(k, " &?") {
					return usagef("malformed search parameter %q: want NAME=VALUE, e.g. patient=story-diabetes", kv)
				}
				params.Add(k, v)
			}
			if !params.Has("_count") && limit > 0 {
				params.Set("_count", strconv.Itoa(min(limit, 1000))) // no page bigger than needed
			}
			c, err := a.fhir()
			if err != nil {
				return err
			}
			return a.printResources(typ, c.SearchValues(cmd.Context(), typ, params), limit, false)
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 100, "print at most this many resources (0 for all)")
	return cmd
}

func (a *app) everythingCmd() *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "everything Patient/ID",
		Short: "Read a patient's whole record ($everything)",
		Long: `Everything prints the patient and every resource about them (conditions, observations,
medication, encounters…) with the practitioners and organisations they name, page by page.`,
		Example: `  lhcr everything Patient/story-diabetes
  lhcr everything story-diabetes -o ndjson > record.ndjson`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			typ, id, err := typeAndID(argv, "Patient")
			if err != nil {
				return err
			}
			if typ != "Patient" {
				return usagef("everything reads a patient's record: give Patient/ID, not %s/%s", typ, id)
			}
			c, err := a.fhir()
			if err != nil {
				return err
			}
			return a.printResources("", c.Patients.Everything(cmd.Context(), id), limit, false)
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 0, "print at most this many resources (0 for all)")
	return cmd
}

// printResources prints resources as they arrive, up to limit (0: all): a table with the
// columns of typ (or of mixed types when typ is ""), a JSON array (a single object when one),
// or NDJSON.
func (a *app) printResources(typ string, seq iter.Seq2[*sdk.AnyResource, error], limit int, one bool) error {
	n := 0
	switch a.output {
	case "table":
		header, cells := mixedHeader, mixedCells
		if typ != "" {
			v := viewOf(typ)
			header, cells = v.header, v.cells
		}
		t := a.table(header...)
		for r, err := range seq {
			if err != nil {
				t.flush()
				return err
			}
			row, err := cells(r)
			if err != nil {
				return fmt.Errorf("%s/%s: %w", r.ResourceType, r.ID, err)
			}
			t.row(row...)
			if n++; limit > 0 && n >= limit {
				break
			}
		}
		if err := t.flush(); err != nil {
			return err
		}
		if n == 0 && !one {
			fmt.Fprintln(a.stderr, "No matches.")
		}
		return nil
	default:
		if one {
			for r, err := range seq {
				if err != nil {
					return err
				}
				return a.printValue(r.JSON)
			}
			return nil
		}
		s := a.stream()
		for r, err := range seq {
			if err != nil {
				s.close()
				return err
			}
			if err := s.add(r.JSON); err != nil {
				return err
			}
			if n++; limit > 0 && n >= limit {
				break
			}
		}
		return s.close()
	}
}
