package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// instant formats a FHIR instant in UTC with millisecond precision.
func instant(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// stamp returns body with resourceType, id, meta.versionId and meta.lastUpdated set, keys in a
// stable order (resourceType, id, meta, then the rest alphabetically). body must be a JSON object.
func stamp(body []byte, typ, id string, version int64, at time.Time) ([]byte, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, fmt.Errorf("store: resource is not a JSON object: %w", err)
	}
	meta := map[string]json.RawMessage{}
	if raw, ok := obj["meta"]; ok && !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		if err := json.Unmarshal(raw, &meta); err != nil {
			return nil, fmt.Errorf("store: meta is not a JSON object: %w", err)
		}
	}
	delete(obj, "resourceType")
	delete(obj, "id")
	delete(obj, "meta")
	delete(meta, "versionId")
	delete(meta, "lastUpdated")

	var b bytes.Buffer
	b.Grow(len(body) + 96)
	b.WriteString(`{"resourceType":`)
	writeString(&b, typ)
	b.WriteString(`,"id":`)
	writeString(&b, id)
	b.WriteString(`,"meta":{"versionId":`)
	writeString(&b, strconv.FormatInt(version, 10))
	b.WriteString(`,"lastUpdated":`)
	writeString(&b, instant(at))
	for _, k := range slices.Sorted(mapsKeys(meta)) {
		b.WriteByte(',')
		writeString(&b, k)
		b.WriteByte(':')
		b.Write(meta[k])
	}
	b.WriteByte('}')
	for _, k := range slices.Sorted(mapsKeys(obj)) {
		b.WriteByte(',')
		writeString(&b, k)
		b.WriteByte(':')
		if err := json.Compact(&b, obj[k]); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func writeString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s) // a string always marshals
	b.Write(enc)
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// stampNew stamps version 1. Resources written by the synthetic generator start with
// {"resourceType":…,"id":…,"meta":{ and carry no versionId or lastUpdated: for those the meta
// elements are spliced in without decoding the document. Anything else takes the general path.
func stampNew(body []byte, typ, id string, at time.Time) ([]byte, error) {
	var prefix bytes.Buffer
	prefix.WriteString(`{"resourceType":`)
	writeString(&prefix, typ)
	prefix.WriteString(`,"id":`)
	writeString(&prefix, id)
	prefix.WriteString(`,"meta":{`)
	p := prefix.Bytes()
	if !bytes.HasPrefix(body, p) || bytes.Contains(body, []byte(`"versionId"`)) || bytes.Contains(body, []byte(`"lastUpdated"`)) || !json.Valid(body) {
		return stamp(body, typ, id, 1, at)
	}
	rest := body[len(p):]
	out := make([]byte, 0, len(body)+64)
	out = append(out, p...)
	out = append(out, `"versionId":"1","lastUpdated":"`...)
	out = append(out, instant(at)...)
	out = append(out, '"')
	if len(rest) > 0 && rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, rest...), nil
}
