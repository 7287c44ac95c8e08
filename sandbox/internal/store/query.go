package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gm-lhcr/lhcr/sandbox/internal/search"
)

// cursorState is what an opaque paging cursor holds: a position in a keyset order.
type cursorState struct {
	Kind   string `json:"k"`           // "s" search, "e" $everything, "h" history
	Prev   bool   `json:"p,omitempty"` // the page before the position, not after it
	Sort   int64  `json:"v,omitempty"` // sort value at the position
	After  int64  `json:"r"`           // rid (or version for history) at the position
	Params string `json:"q,omitempty"` // fingerprint of the query the cursor belongs to
}

// cursorSum is a check on a cursor's content, so that a cursor altered by hand is refused
// rather than taken as another position. It guards against mistakes, not attacks: a cursor only
// ever selects a page of a query the client may run anyway.
func cursorSum(b []byte) []byte {
	h := sha256.Sum256(append([]byte("lhcr-cursor\x00"), b...))
	return h[:cursorSumLen]
}

const cursorSumLen = 8

func encodeCursor(c cursorState) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(append(b, cursorSum(b)...))
}

func decodeCursor(s string) (cursorState, error) {
	var c cursorState
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < cursorSumLen {
		return c, ErrBadCursor
	}
	b, sum := b[:len(b)-cursorSumLen], b[len(b)-cursorSumLen:]
	if !bytes.Equal(sum, cursorSum(b)) {
		return c, ErrBadCursor
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, ErrBadCursor
	}
	return c, nil
}

// Sentinels for missing sort values (unix ms): the bounds search uses for open date ranges.
var (
	farPast   = search.FarPast.UnixMilli()
	farFuture = search.FarFuture.UnixMilli()
)

// Search runs q on the read pool.
func (s *SQLite) Search(ctx context.Context, q *search.Query) (Page, error) {
	return s.search(ctx, s.queries, q)
}

func (s *SQLite) search(ctx context.Context, db querier, q *search.Query) (Page, error) {
	var where strings.Builder
	args := []any{q.ResourceType}
	if len(q.Clauses) > 0 {
		// A search parameter drives: its matching rids, in rid order, are looked up by primary
		// key, and the scan stops after one page. With r.type usable as an index constraint,
		// SQLite would fetch every match through the type index and sort them all (20× slower
		// for a page of 50 out of a few hundred).
		where.WriteString("+r.type = ? AND +r.deleted = 0")
	} else {
		where.WriteString("r.type = ? AND r.deleted = 0")
	}
	for i, c := range drivingFirst(q.Clauses) {
		// Only the first clause drives the scan (rid IN (its matches)); the others are checked
		// row by row through the index on rid. As IN lists too, SQLite would build each list in
		// full per query (patient=X&code=Y: every observation coded Y, of every patient).
		cond, cargs := clauseSQL(q.ResourceType, c, i == 0)
		where.WriteString(" AND ")
		where.WriteString(cond)
		args = append(args, cargs...)
	}
	if len(q.IDs) > 0 {
		where.WriteString(" AND r.id IN (" + placeholders(len(q.IDs)) + ")")
		for _, id := range q.IDs {
			args = append(args, id)
		}
	}
	for _, v := range q.LastUpdated {
		cond, cargs := dateCond("r.last_updated", "(r.last_updated + 1)", v)
		where.WriteString(" AND " + cond)
		args = append(args, cargs...)
	}
	var sortExpr string
	desc := false
	if len(q.Sort) > 0 {
		k := q.Sort[0]
		desc = k.Descending
		if k.Param == "_lastUpdated" {
			sortExpr = "r.last_updated"
		} else {
			// "+d.param" keeps SQLite on idx_date_rid: on idx_date_lookup (param=?) it would
			// scan every date of the parameter for each row sorted.
			agg, fill := "MIN(d.low)", farFuture
			if desc {
				agg, fill = "MAX(d.high)", farPast
			}
			sortExpr = fmt.Sprintf("COALESCE((SELECT %s FROM idx_date d WHERE d.rid = r.rid AND +d.param = '%s'), %d)",
				agg, sqlQuote(indexParam(q.ResourceType, k.Param)), fill)
		}
	}
	fp := fingerprint(q)
	pg := pager{kind: "s", from: "resources r", where: where.String(), args: args, sortExpr: sortExpr, desc: desc, fingerprint: fp}
	if q.Summary == search.SummaryCount || q.Count == 0 {
		n, err := pg.count(ctx, db)
		return Page{Total: n}, err
	}
	page, err := pg.page(ctx, db, q.Count, q.Cursor)
	if err != nil {
		return Page{}, err
	}
	switch {
	case q.Total == "accurate" || q.Total == "estimate":
		if page.Total, err = pg.count(ctx, db); err != nil {
			return Page{}, err
		}
	case q.Total == "" && q.Cursor == "" && page.Next == "":
		page.Total = len(page.Resources)
	}
	return page, nil
}

// Everything pages through patient id and every live resource that references it, patient first.
func (s *SQLite) Everything(ctx context.Context, patientID string, count int, cursor string) (Page, error) {
	c, err := current(ctx, s.queries, "Patient", patientID)
	if err != nil {
		return Page{}, err
	}
	if c.deleted {
		return Page{}, ErrGone
	}
	pg := pager{
		kind:  "e",
		from:  "resources r",
		where: "r.deleted = 0 AND (r.rid = ? OR r.rid IN (SELECT rid FROM idx_ref WHERE ref_id = ? AND ref_type = 'Patient'))",
		args:  []any{c.rid, patientID},
		// The patient sorts first. Its rid is an argument, so that one prepared statement
		// serves every patient.
		sortExpr:    "(r.rid <> ?)",
		sortArgs:    []any{c.rid},
		fingerprint: "Patient/" + patientID,
	}
	if count == 0 { // only the total, as for a search
		n, err := pg.count(ctx, s.queries)
		return Page{Total: n}, err
	}
	page, err := pg.page(ctx, s.queries, count, cursor)
	if err != nil {
		return Page{}, err
	}
	if cursor == "" && page.Next == "" {
		page.Total = len(page.Resources)
	}
	return page, nil
}

// pager runs keyset-paged queries: ORDER BY (sortExpr, rid), never OFFSET, so each page costs the
// same and rows that exist throughout a walk are seen exactly once.
type pager struct {
	kind, from, where string
	args              []any
	sortExpr          string // "" orders by rid alone
	sortArgs          []any  // the arguments of sortExpr's placeholders
	desc              bool
	fingerprint       string
}

func (p pager) count(ctx context.Context, db querier) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+p.from+" WHERE "+p.where, p.args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count: %w", err)
	}
	return n, nil
}

func (p pager) page(ctx context.Context, db querier, count int, cursor string) (Page, error) {
	sv := p.sortExpr
	if sv == "" {
		sv = "0"
	}
	var cur *cursorState
	if cursor != "" {
		c, err := decodeCursor(cursor)
		if err != nil || c.Kind != p.kind || c.Params != p.fingerprint {
			return Page{}, ErrBadCursor
		}
		cur = &c
	}
	backward := cur != nil && cur.Prev
	// Scan direction: the sort direction, reversed when walking back.
	down := p.desc != backward
	cmp, dir := ">", "ASC"
	if down {
		cmp, dir = "<", "DESC"
	}
	// Arguments in the order their placeholders appear: the sort value in the select list,
	// the conditions, the cursor's position, the ORDER BY, the LIMIT.
	where := p.where
	args := slices.Concat(p.sortArgs, p.args)
	if cur != nil {
		where += fmt.Sprintf(" AND (%s, r.rid) %s (?, ?)", sv, cmp)
		args = append(append(args, p.sortArgs...), cur.Sort, cur.After)
	}
	order := "r.rid " + dir
	if p.sortExpr != "" {
		order = p.sortExpr + " " + dir + ", " + order
		args = append(args, p.sortArgs...)
	}
	query := fmt.Sprintf(`SELECT r.rid, %s, r.type, r.id, r.version, r.last_updated, r.json FROM %s
		WHERE %s ORDER BY %s LIMIT ?`, sv, p.from, where, order)
	args = append(args, count+1)
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return Page{}, fmt.Errorf("store: search: %w", err)
	}
	defer rows.Close()
	type keyed struct {
		rid, sv int64
		res     Resource
	}
	got := make([]keyed, 0, min(count+1, 64))
	var arena []byte // the page's JSON documents, one allocation for many
	for rows.Next() {
		var k keyed
		var lu int64
		var raw sql.RawBytes // the driver's bytes, valid until the next row: copied once, below
		if err := rows.Scan(&k.rid, &k.sv, &k.res.Type, &k.res.ID, &k.res.Version, &lu, &raw); err != nil {
			return Page{}, fmt.Errorf("store: search: %w", err)
		}
		if cap(arena)-len(arena) < len(raw) {
			arena = make([]byte, 0, max(64<<10, len(raw)))
		}
		start := len(arena)
		arena = append(arena, raw...)
		k.res.JSON = arena[start:len(arena):len(arena)]
		k.res.LastUpdated = time.UnixMilli(lu).UTC()
		got = append(got, k)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("store: search: %w", err)
	}
	more := len(got) > count
	if more {
		got = got[:count]
	}
	if backward {
		slices.Reverse(got)
	}
	page := Page{Total: -1, Resources: make([]Resource, 0, len(got))}
	for _, k := range got {
		page.Resources = append(page.Resources, k.res)
	}
	if len(got) == 0 {
		return page, nil
	}
	first, last := got[0], got[len(got)-1]
	// Forward: a next page exists if we saw more; a previous page exists if we started from a cursor.
	// Backward: the reverse.
	hasNext, hasPrev := more, cur != nil
	if backward {
		hasNext, hasPrev = true, more
	}
	if hasNext {
		page.Next = encodeCursor(cursorState{Kind: p.kind, Sort: last.sv, After: last.rid, Params: p.fingerprint})
	}
	if hasPrev {
		page.Prev = encodeCursor(cursorState{Kind: p.kind, Prev: true, Sort: first.sv, After: first.rid, Params: p.fingerprint})
	}
	return page, nil
}

// fingerprint ties a cursor to the query it pages, so a cursor pasted into another search is
// rejected rather than silently misapplied.
func fingerprint(q *search.Query) string {
	enc := q.Encode()
	enc.Del("_count")
	enc.Del("_total")
	s := q.ResourceType + "?" + enc.Encode()
	var h uint32 = 2166136261
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return fmt.Sprintf("%08x", h)
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func sqlQuote(s string) string { return strings.ReplaceAll(s, "'", "''") }

// clauseSQL renders one search clause (its values ORed) as a condition on r.rid: the set of
// matching rows when the clause drives the scan, a per-row check otherwise.
func clauseSQL(typ string, c search.Clause, drive bool) (string, []any) {
	match := func(table string, ors []string) string {
		cond := "param = ? AND (" + strings.Join(ors, " OR ") + ")"
		if drive {
			return "r.rid IN (SELECT rid FROM " + table + " WHERE " + cond + ")"
		}
		return "EXISTS (SELECT 1 FROM " + table + " x WHERE x.rid = r.rid AND " + cond + ")"
	}
	param := indexParam(typ, c.Def.Name)
	var ors []string
	args := []any{param}
	switch c.Def.Type {
	case search.Token:
		for _, v := range c.Values {
			switch {
			case v.HasSystem && v.Code == "":
				ors = append(ors, "system = ?")
				args = append(args, v.System)
			case v.HasSystem:
				ors = append(ors, "(code = ? AND system = ?)")
				args = append(args, v.Code, v.System)
			default:
				ors = append(ors, "code = ?")
				args = append(args, v.Code)
			}
		}
		return match("idx_token", ors), args
	case search.String:
		for _, v := range c.Values {
			switch c.Modifier {
			case search.Exact:
				ors = append(ors, "exact = ?")
				args = append(args, v.Text)
			case search.Contains:
				ors = append(ors, "instr(text, ?) > 0")
				args = append(args, v.Text)
			default:
				ors = append(ors, "(text >= ? AND text < ?)")
				args = append(args, v.Text, v.Text+"\U0010FFFF")
			}
		}
		return match("idx_string", ors), args
	case search.Date:
		for _, v := range c.Values {
			cond, cargs := dateCond("low", "high", v)
			ors = append(ors, cond)
			args = append(args, cargs...)
		}
		return match("idx_date", ors), args
	case search.Reference:
		for _, v := range c.Values {
			typ := v.RefType
			if typ == "" && len(c.Def.Targets) == 1 {
				typ = c.Def.Targets[0]
			}
			if typ == "" {
				ors = append(ors, "ref_id = ?")
				args = append(args, v.RefID)
			} else {
				ors = append(ors, "(ref_id = ? AND ref_type = ?)")
				args = append(args, v.RefID, typ)
			}
		}
		return match("idx_ref", ors), args
	}
	return "0", nil
}

// dateCond renders FHIR date prefix semantics on an indexed range [low, high) against the search
// value's range [v.Low, v.High), mirroring search.Value.MatchesDate.
func dateCond(low, high string, v search.Value) (string, []any) {
	vl, vh := v.Low.UnixMilli(), v.High.UnixMilli()
	switch v.Prefix {
	case search.NE:
		return fmt.Sprintf("(%s < ? OR %s > ?)", low, high), []any{vl, vh}
	case search.GT:
		return fmt.Sprintf("%s > ?", high), []any{vh}
	case search.LT:
		return fmt.Sprintf("%s < ?", low), []any{vl}
	case search.GE:
		return fmt.Sprintf("(%s >= ? OR %s > ?)", low, high), []any{vl, vh}
	case search.LE:
		return fmt.Sprintf("(%s < ? OR %s <= ?)", low, high), []any{vl, vh}
	case search.SA:
		return fmt.Sprintf("%s >= ?", low), []any{vh}
	case search.EB:
		return fmt.Sprintf("%s <= ?", high), []any{vl}
	default: // eq
		return fmt.Sprintf("(%s >= ? AND %s <= ?)", low, high), []any{vl, vh}
	}
}

// indexAlias maps a search parameter that indexes exactly what an earlier parameter of its type
// indexes (Observation.patient and Observation.subject: the same element, the same target) to
// that parameter, so its rows are written once.
var indexAlias = func() map[string]string {
	alias := map[string]string{}
	for _, typ := range search.ResourceTypes() {
		defs := search.Defs(typ)
		for i, d := range defs {
			for _, e := range defs[:i] {
				if d.Type == e.Type && slices.Equal(d.Paths, e.Paths) && slices.Equal(d.Targets, e.Targets) {
					alias[typ+"."+d.Name] = typ + "." + e.Name
					break
				}
			}
		}
	}
	return alias
}()

// indexParam is the index key of a search parameter.
func indexParam(typ, name string) string {
	p := typ + "." + name
	if a, ok := indexAlias[p]; ok {
		return a
	}
	return p
}

// drivingFirst orders clauses so that the one likely to match fewest rows comes first and drives
// the scan (the others are per-row checks): a reference (patient=…) or an identifier before a
// string, a string before a date, a date before a code shared by many (code, status, gender).
// The order does not change the result, only the cost.
func drivingFirst(clauses []search.Clause) []search.Clause {
	rank := func(c search.Clause) int {
		switch {
		case c.Def.Type == search.Reference, c.Def.Name == "identifier":
			return 0
		case c.Def.Type == search.String:
			return 1
		case c.Def.Type == search.Date:
			return 2
		}
		return 3
	}
	out := slices.Clone(clauses)
	slices.SortStableFunc(out, func(a, b search.Clause) int { return rank(a) - rank(b) })
	return out
}
