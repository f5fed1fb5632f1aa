package server

import (
	"fmt"
	"strings"

	"github.com/heraldhq/herald/internal/resp"
)

// transcript is what a session sent and received on both servers, kept
// row by row so a failure can print the two side by side.
type transcript struct {
	rows []transcriptRow
}

type transcriptRow struct {
	redis, herald string
	differ        bool
}

// sent records a step's command, the same on both sides.
func (tr *transcript) sent(conn, text string) {
	if i := strings.IndexAny(text, ":~"); i >= 0 && strings.HasPrefix(text, conn) {
		text = strings.TrimSpace(text[i+1:])
	}
	tr.both(conn + "> " + text)
}

func (tr *transcript) both(text string) {
	tr.rows = append(tr.rows, transcriptRow{redis: text, herald: text})
}

// note records something that happened on one side only.
func (tr *transcript) note(herald bool, text string) {
	row := transcriptRow{redis: text}
	if herald {
		row = transcriptRow{herald: text}
	}
	tr.rows = append(tr.rows, row)
}

// replies records the compared replies of a group; from at on they differ
// (-1: they do not).
func (tr *transcript) replies(conn string, redis, herald []resp.Value, at int) {
	for i := range max(len(redis), len(herald)) {
		var row transcriptRow
		if i < len(redis) {
			row.redis = conn + "< " + redis[i].String()
		}
		if i < len(herald) {
			row.herald = conn + "< " + herald[i].String()
		}
		row.differ = at >= 0 && i >= at && row.redis != row.herald
		tr.rows = append(tr.rows, row)
	}
}

// render prints the rows in two columns, marking those that differ.
func (tr *transcript) render() string {
	const maxWidth = 72
	width := len("redis-server")
	for _, row := range tr.rows {
		width = max(width, min(len(row.redis), maxWidth))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "       %-*s | %s\n", width, "redis-server", "herald")
	for _, row := range tr.rows {
		mark := "  "
		if row.differ {
			mark = "!!"
		}
		fmt.Fprintf(&b, "    %s %-*s | %s\n", mark, width, clipText(row.redis, maxWidth), clipText(row.herald, maxWidth))
	}
	return b.String()
}

func clipText(s string, n int) string {
	if len(s) > n {
		return s[:n-3] + "..."
	}
	return s
}
