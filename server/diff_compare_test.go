package server

import (
	"bytes"
	"slices"
	"strings"

	"github.com/heraldhq/herald/internal/resp"
)

// masked replaces a value that legitimately differs between the servers.
var masked = resp.Value{Kind: '+', Str: "<masked>"}

// normalize returns a group's replies as they are compared: masked and
// reordered as its flags say. vals is not modified.
func normalize(vals []resp.Value, f groupFlags) []resp.Value {
	out := make([]resp.Value, len(vals))
	for i, v := range vals {
		out[i] = normalizeOne(v, f)
	}
	if f.acks {
		sortNames(out)
	}
	if f.any {
		slices.SortFunc(out, compareEncoded)
	}
	return out
}

func normalizeOne(v resp.Value, f groupFlags) resp.Value {
	if f.ints && v.Kind == ':' {
		return masked
	}
	if f.xid {
		return maskClockStreamIDs(v)
	}
	if f.ints && len(v.Elems) > 0 { // an id inside a push (tracking-redir-broken)
		v.Elems = slices.Clone(v.Elems)
		for i := range v.Elems {
			v.Elems[i] = normalizeOne(v.Elems[i], groupFlags{ints: true})
		}
	}
	if f.hello && (v.Kind == '%' || v.Kind == '*') {
		v.Elems = slices.Clone(v.Elems)
		for i := 0; i+1 < len(v.Elems); i += 2 {
			switch v.Elems[i].Str {
			case "id", "version":
				v.Elems[i+1] = masked
			}
		}
	}
	if f.time && v.Kind == '*' && len(v.Elems) == 2 {
		v.Elems = slices.Clone(v.Elems)
		for i, e := range v.Elems {
			if e.Kind == '$' && allDigits(e.Str) {
				v.Elems[i] = resp.Value{Kind: '$', Str: "<digits>"}
			}
		}
	}
	if f.idle {
		v = maskIdle(v)
	}
	if f.client && v.Kind == '$' {
		v.Str = maskClientFields(v.Str)
	}
	if f.client && v.Kind == '=' && len(v.Str) >= 4 { // "txt:" first
		v.Str = v.Str[:4] + maskClientFields(v.Str[4:])
	}
	if f.sorted && (v.Kind == '*' || v.Kind == '~') {
		v.Elems = slices.Clone(v.Elems)
		slices.SortFunc(v.Elems, compareEncoded)
	}
	if f.pairs && (v.Kind == '%' || v.Kind == '*') && len(v.Elems)%2 == 0 {
		v.Elems = sortedPairs(v.Elems)
	}
	return v
}

// sortedPairs returns elems, a run of key-value pairs, with the pairs
// sorted by key and value.
func sortedPairs(elems []resp.Value) []resp.Value {
	pairs := make([][2]resp.Value, 0, len(elems)/2)
	for i := 0; i+1 < len(elems); i += 2 {
		pairs = append(pairs, [2]resp.Value{elems[i], elems[i+1]})
	}
	slices.SortFunc(pairs, func(a, b [2]resp.Value) int {
		if c := compareEncoded(a[0], b[0]); c != 0 {
			return c
		}
		return compareEncoded(a[1], b[1])
	})
	out := make([]resp.Value, 0, len(elems))
	for _, p := range pairs {
		out = append(out, p[0], p[1])
	}
	return out
}

// sortNames sorts the second elements of a run of (un)subscribe acks among
// themselves, leaving the kinds and counts where they are: Redis sends the
// acks of a bare UNSUBSCRIBE in its hash order, but the counts still go
// down one by one.
func sortNames(vals []resp.Value) {
	var names []resp.Value
	for _, v := range vals {
		if len(v.Elems) >= 2 {
			names = append(names, v.Elems[1])
		}
	}
	slices.SortFunc(names, compareEncoded)
	for i := range vals {
		if len(vals[i].Elems) >= 2 {
			vals[i].Elems = slices.Clone(vals[i].Elems)
			vals[i].Elems[1], names = names[0], names[1:]
		}
	}
}

func compareEncoded(a, b resp.Value) int { return bytes.Compare(a.Bytes(), b.Bytes()) }

func allDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// sameReplies reports whether two normalized groups are byte for byte the
// same, and the index of the first difference.
func sameReplies(redis, herald []resp.Value) (bool, int) {
	for i := range max(len(redis), len(herald)) {
		if i >= len(redis) || i >= len(herald) || !bytes.Equal(redis[i].Bytes(), herald[i].Bytes()) {
			return false, i
		}
	}
	return true, -1
}

// volatileClientFields are the CLIENT LIST / CLIENT INFO fields whose
// values depend on the connection, the moment or the allocator.
var volatileClientFields = map[string]bool{
	"id": true, "addr": true, "laddr": true, "fd": true, "age": true, "idle": true,
	"qbuf": true, "qbuf-free": true, "argv-mem": true, "multi-mem": true,
	"rbs": true, "rbp": true, "obl": true, "oll": true, "omem": true, "tot-mem": true,
}

// maskClientFields masks the values of the volatile fields in the
// "key=value key=value" lines of CLIENT LIST and CLIENT INFO.
func maskClientFields(text string) string {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		fields := strings.Split(line, " ")
		for j, f := range fields {
			if key, _, ok := strings.Cut(f, "="); ok && volatileClientFields[key] {
				fields[j] = key + "=*"
			}
		}
		lines[i] = strings.Join(fields, " ")
	}
	return strings.Join(lines, "\n")
}

// maskIdle masks the times in a consumer-group reply, at any depth (see
// the "idle" flag).
func maskIdle(v resp.Value) resp.Value {
	if len(v.Elems) == 0 {
		return v
	}
	v.Elems = slices.Clone(v.Elems)
	kinds := make([]byte, len(v.Elems))
	for i, e := range v.Elems {
		kinds[i] = e.Kind
	}
	switch string(kinds) {
	case "$$::": // XPENDING entry, group PEL entry of XINFO STREAM FULL
		v.Elems[2] = masked
	case "$::": // consumer PEL entry of XINFO STREAM FULL
		v.Elems[1] = masked
	}
	for i := range v.Elems {
		if i > 0 && v.Elems[i].Kind == ':' && (v.Elems[i-1].Str == "idle" || v.Elems[i-1].Str == "seen-time") {
			v.Elems[i] = masked
		}
		v.Elems[i] = maskIdle(v.Elems[i])
	}
	return v
}

// maskClockStreamIDs masks, in v and its elements, the bulk strings that
// are stream IDs XADD * makes from the clock: <13-digit ms>-<seq>.
func maskClockStreamIDs(v resp.Value) resp.Value {
	if v.Kind == '$' {
		if ms, seq, ok := strings.Cut(v.Str, "-"); ok && len(ms) == 13 && allDigits(ms) && allDigits(seq) {
			return resp.Value{Kind: '$', Str: "<xid>"}
		}
	}
	if len(v.Elems) > 0 {
		v.Elems = slices.Clone(v.Elems)
		for i := range v.Elems {
			v.Elems[i] = maskClockStreamIDs(v.Elems[i])
		}
	}
	return v
}
