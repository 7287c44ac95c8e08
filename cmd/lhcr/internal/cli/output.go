package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// table writes aligned columns.
type table struct {
	w *tabwriter.Writer
}

// table starts a table, with a header row if header is given.
func (a *app) table(header ...string) *table {
	t := &table{w: tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)}
	if len(header) > 0 {
		t.row(header...)
	}
	return t
}

func (t *table) row(cells ...string) {
	for i, c := range cells {
		cells[i] = strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return ' '
			}
			return r
		}, c)
	}
	fmt.Fprintln(t.w, strings.Join(cells, "\t"))
}

func (t *table) flush() error { return t.w.Flush() }

// printValue prints one value as indented JSON (-o json) or compact JSON (-o ndjson).
func (a *app) printValue(v any) error {
	var b []byte
	var err error
	if a.output == "ndjson" {
		b, err = json.Marshal(v)
	} else {
		b, err = json.MarshalIndent(v, "", "  ")
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(a.stdout, "%s\n", b)
	return err
}

// printValues prints a list: a JSON array (-o json) or one JSON value a line (-o ndjson).
func (a *app) printValues(vs any) error {
	b, err := json.Marshal(vs)
	if err != nil {
		return err
	}
	var items []json.RawMessage
	if err := json.Unmarshal(b, &items); err != nil {
		return err
	}
	s := a.stream()
	for _, it := range items {
		if err := s.add(it); err != nil {
			return err
		}
	}
	return s.close()
}

// stream writes a sequence of JSON values as they come: a JSON array (-o json), or one value a
// line (-o ndjson). Nothing is held but the current value.
type stream struct {
	w      io.Writer
	ndjson bool
	n      int
}

func (a *app) stream() *stream { return &stream{w: a.stdout, ndjson: a.output == "ndjson"} }

func (s *stream) add(raw json.RawMessage) error {
	if s.ndjson {
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			return err
		}
		b.WriteByte('\n')
		_, err := s.w.Write(b.Bytes())
		return err
	}
	sep := ",\n"
	if s.n == 0 {
		sep = "[\n"
	}
	s.n++
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "  ", "  "); err != nil {
		return err
	}
	_, err := fmt.Fprint(s.w, sep+"  "+b.String())
	return err
}

func (s *stream) close() error {
	if s.ndjson {
		return nil
	}
	end := "\n]\n"
	if s.n == 0 {
		end = "[]\n"
	}
	_, err := fmt.Fprint(s.w, end)
	return err
}
