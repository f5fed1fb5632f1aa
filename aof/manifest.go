// Package aof is Herald's append-only file: Redis 7.0's multi-part AOF,
// a directory holding a manifest, one base file and incr files, all of
// them RESP commands (arrays of bulk strings), so that a directory Herald
// writes loads in redis-server 7.0 and one redis-server writes (with
// aof-use-rdb-preamble no) loads in Herald.
//
// The package owns the files: naming, the manifest, parsing records
// (Parse), appending and fsyncing them with group commit (AOF), and
// switching files when the AOF is rewritten. What the records say — which
// commands to log, and replaying them — is the server's (server/aof.go).
package aof

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/heraldhq/herald/internal/resp"
)

// File types in a manifest, as aof.c names them.
const (
	TypeBase    = 'b'
	TypeIncr    = 'i'
	TypeHistory = 'h'
)

// FileInfo is one line of a manifest.
type FileInfo struct {
	Name string
	Seq  int64
	Type byte // TypeBase, TypeIncr or TypeHistory
}

// Manifest lists the files of an AOF, as Redis 7.0's aofManifest.
type Manifest struct {
	Base    *FileInfo  // nil when there is none
	Incr    []FileInfo // in order of seq
	History []FileInfo // files a rewrite replaced, not yet deleted
}

// ManifestName returns the manifest's file name for appendfilename.
func ManifestName(fileName string) string { return fileName + ".manifest" }

// BaseName and IncrName return the name of the base and incr files of
// sequence number seq, as Redis names them
// (appendonly.aof.1.base.aof, appendonly.aof.1.incr.aof).
func BaseName(fileName string, seq int64) string {
	return fileName + "." + strconv.FormatInt(seq, 10) + ".base.aof"
}

func IncrName(fileName string, seq int64) string {
	return fileName + "." + strconv.FormatInt(seq, 10) + ".incr.aof"
}

// maxManifestLine is the longest line aof.c reads from a manifest.
const maxManifestLine = 1024

// ParseManifest parses a manifest as aof.c's aofLoadManifestFromFile: a
// line per file of "file <name> seq <n> type <b|i|h>" pairs split as
// sdssplitargs splits them (so names may be quoted), '#' lines skipped,
// unknown keys ignored; one base at most.
func ParseManifest(data []byte) (*Manifest, error) {
	m := &Manifest{}
	if len(data) == 0 {
		return nil, errors.New("found an empty AOF manifest")
	}
	for lineNo := 1; len(data) > 0; lineNo++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(line) > maxManifestLine {
			return nil, fmt.Errorf("the AOF manifest file is invalid format (line %d too long)", lineNo)
		}
		if len(line) > 0 && line[0] == '#' {
			continue
		}
		line = bytes.TrimRight(line, " \t\r")
		if len(line) == 0 {
			continue
		}
		args, ok := resp.SplitArgs(line)
		if !ok || len(args) < 6 || len(args)%2 != 0 {
			return nil, fmt.Errorf("invalid AOF manifest file format (line %d)", lineNo)
		}
		var fi FileInfo
		var haveSeq bool
		for i := 0; i < len(args); i += 2 {
			switch string(args[i]) {
			case "file":
				fi.Name = string(args[i+1])
			case "seq":
				n, err := strconv.ParseInt(string(args[i+1]), 10, 64)
				if err != nil || n < 0 {
					return nil, fmt.Errorf("invalid AOF manifest file format (line %d: bad seq)", lineNo)
				}
				fi.Seq, haveSeq = n, true
			case "type":
				if len(args[i+1]) == 1 {
					fi.Type = args[i+1][0]
				}
			}
		}
		if fi.Name == "" || !haveSeq || fi.Type == 0 {
			return nil, fmt.Errorf("invalid AOF manifest file format (line %d)", lineNo)
		}
		if bytes.ContainsAny([]byte(fi.Name), "/\\") || fi.Name == "." || fi.Name == ".." {
			return nil, fmt.Errorf("invalid AOF manifest file format (line %d: file name %q is a path)", lineNo, fi.Name)
		}
		switch fi.Type {
		case TypeBase:
			if m.Base != nil {
				return nil, errors.New("found duplicate base file information in the AOF manifest")
			}
			m.Base = &fi
		case TypeIncr:
			if n := len(m.Incr); n > 0 && m.Incr[n-1].Seq >= fi.Seq {
				return nil, errors.New("found a non-monotonic sequence number in the AOF manifest")
			}
			m.Incr = append(m.Incr, fi)
		case TypeHistory:
			m.History = append(m.History, fi)
		default:
			return nil, fmt.Errorf("unknown AOF file type %q in the AOF manifest (line %d)", fi.Type, lineNo)
		}
	}
	if m.Base == nil && len(m.Incr) == 0 {
		return nil, errors.New("found an empty AOF manifest")
	}
	return m, nil
}

// Marshal returns the manifest's text as Redis 7.0 writes it: base, then
// history, then incr files, a line each.
func (m *Manifest) Marshal() []byte {
	var b []byte
	line := func(fi FileInfo) {
		b = append(b, "file "...)
		b = appendName(b, fi.Name)
		b = append(b, " seq "...)
		b = strconv.AppendInt(b, fi.Seq, 10)
		b = append(b, " type "...)
		b = append(b, fi.Type, '\n')
	}
	if m.Base != nil {
		line(*m.Base)
	}
	for _, fi := range m.History {
		line(fi)
	}
	for _, fi := range m.Incr {
		line(fi)
	}
	return b
}

// appendName appends a file name, quoted as sdscatrepr quotes it when it
// holds a space or a byte sdssplitargs would not read back as it is.
func appendName(b []byte, name string) []byte {
	plain := name != ""
	for i := 0; i < len(name); i++ {
		ch := name[i]
		if ch <= ' ' || ch >= 0x7f || ch == '"' || ch == '\'' || ch == '\\' {
			plain = false
			break
		}
	}
	if plain {
		return append(b, name...)
	}
	b = append(b, '"')
	for i := 0; i < len(name); i++ {
		switch ch := name[i]; ch {
		case '\\', '"':
			b = append(b, '\\', ch)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		case '\a':
			b = append(b, `\a`...)
		case '\b':
			b = append(b, `\b`...)
		default:
			if ch < ' ' || ch >= 0x7f {
				b = append(b, fmt.Sprintf(`\x%02x`, ch)...)
			} else {
				b = append(b, ch)
			}
		}
	}
	return append(b, '"')
}

// lastIncrSeq returns the highest incr seq (0 if none).
func (m *Manifest) lastIncrSeq() int64 {
	if n := len(m.Incr); n > 0 {
		return m.Incr[n-1].Seq
	}
	return 0
}

func (m *Manifest) baseSeq() int64 {
	if m.Base != nil {
		return m.Base.Seq
	}
	return 0
}
