package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Browser tests run the demo page in headless Chromium (Debian package
// chromium). Without it they skip, unless HERALD_REQUIRE_BROWSER=1, as in
// CI, makes that a failure. HERALD_CHROMIUM names another binary;
// HERALD_ARTIFACTS is where the screenshots go (default: the test's temp
// directory).
const (
	defaultChromium = "/usr/bin/chromium"
	// browserTimeout bounds the whole browser test, browser start included.
	browserTimeout = 2 * time.Minute
	// browserStepTimeout bounds each wait on the page.
	browserStepTimeout = 20 * time.Second
)

// TestDemoInBrowser opens the demo page in headless Chromium, in two tabs,
// over WebSocket, over SSE + POST /publish, and in auto mode with /ws
// failing (the page must fall back to SSE). In each it waits until the
// page says it is subscribed and checks every direction: a chat message and
// a typing signal published over RESP show on the page (as text, never
// markup); what one tab types and sends shows in the other tab and reaches
// a RESP subscriber; RESP publishes on metrics:cpu drive the dashboard. It
// saves a screenshot of each first tab.
//
// Presence: over WebSocket both tabs join the room and list each other;
// closing the second tab takes it off the first's list (the gateway's leave
// on disconnect), and renaming the first rejoins it under the new name.
// Over SSE a tab cannot join: both tabs list, read-only, a Go WebSocket
// client that joined, say so, and drop it when it disconnects.
func TestDemoInBrowser(t *testing.T) {
	execPath := chromiumPath(t)
	artifacts := artifactsDir(t)
	e := start(t, Config{})
	rdb := e.redis(t)
	browser := startBrowser(t, execPath)

	for _, tc := range []struct {
		name, choice, transport string
		// blockWS serves the page where /ws answers 503.
		blockWS bool
		// typingExpiry waits for the typing indicator to go away.
		typingExpiry bool
	}{
		{name: "WebSocket", choice: "ws", transport: "ws", typingExpiry: true},
		{name: "SSE", choice: "sse", transport: "sse"},
		{name: "FallbackToSSE", choice: "auto", transport: "sse", blockWS: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := e.http.URL
			if tc.blockWS {
				base = serveWithoutWebSocket(t, e.gw)
			}
			room := "browser-" + strings.ToLower(tc.name)
			sub := rdb.Subscribe(ctx(t), "chat:"+room, "typing:"+room)
			defer sub.Close()
			for range 2 {
				if _, err := sub.Receive(ctx(t)); err != nil {
					t.Fatal(err)
				}
			}
			first, firstErrors := openDemo(t, browser, base, url.Values{"transport": {tc.choice}, "room": {room}, "name": {"tester"}}, tc.transport)
			second, secondErrors := openDemo(t, browser, base, url.Values{"transport": {tc.choice}, "room": {room}, "name": {"second"}}, tc.transport)
			if tc.blockWS {
				waitFor(t, first, "the page to say WebSocket failed",
					`(want) => document.getElementById("transport").textContent === want`, "SSE + POST /publish (WebSocket failed)")
			}

			// Who is online: the two tabs over WebSocket; over SSE, where
			// tabs cannot join, a Go WebSocket client, listed read-only.
			var joined *wsClient
			if tc.transport == "ws" {
				waitOnline(t, first, online{Mode: "ws", Self: "tester", Members: []string{"second", "tester"}})
				waitOnline(t, second, online{Mode: "ws", Self: "second", Members: []string{"second", "tester"}})
			} else {
				waitOnline(t, first, online{Mode: "sse", Members: []string{}})
				joined = e.dialWS(t)
				joined.ack(map[string]any{"id": 1, "type": "join", "channel": "chat:" + room, "name": "ws-bot"})
				for _, tab := range []context.Context{first, second} {
					waitOnline(t, tab, online{Mode: "sse", Members: []string{"ws-bot"}})
				}
				if note := evaluate[string](t, first, `document.getElementById("presence-note").textContent`); !strings.Contains(note, "needs WebSocket") {
					t.Fatalf("an SSE tab's presence note is %q, want it to say presence needs WebSocket", note)
				}
			}

			// RESP to the pages: a chat message, shown as text.
			chat := `hello <b>from</b> RESP & "friends"`
			payload, _ := json.Marshal(map[string]string{"from": "resp-bot", "text": chat})
			if n := rdb.Publish(ctx(t), "chat:"+room, payload).Val(); n != 3 {
				t.Fatalf("PUBLISH chat:%s reached %d subscribers, want 3 (two tabs and RESP)", room, n)
			}
			for _, tab := range []context.Context{first, second} {
				waitFor(t, tab, "the RESP message on the page",
					`(want) => [...document.querySelectorAll("#messages .message")].some(li =>
						li.querySelector(".from").textContent === "resp-bot" && li.querySelector(".text").textContent === want)`, chat)
			}
			if n := evaluate[int](t, first, `document.querySelectorAll("#messages b").length`); n != 0 {
				t.Fatalf("the page turned the message into markup: %d <b> elements", n)
			}

			// RESP to the page: a typing signal.
			rdb.Publish(ctx(t), "typing:"+room, `{"from":"resp-bot","tab":"resp"}`)
			waitFor(t, first, "the typing indicator",
				`(want) => document.getElementById("typing").textContent === want`, "resp-bot is typing…")

			// One tab to the other and to RESP: typing, then sending.
			step(t, first, "type a message", chromedp.SendKeys(chromedp.CSS("#text"), "hi from Chromium"))
			waitFor(t, second, "the first tab's typing indicator in the second",
				`(want) => document.getElementById("typing").textContent.includes(want)`, "tester")
			step(t, first, "send the message", chromedp.Click(chromedp.CSS("#send button")))
			got := map[string]map[string]any{}
			for len(got) < 2 {
				msg, err := sub.ReceiveMessage(ctx(t))
				if err != nil {
					t.Fatalf("RESP subscriber: %v (got %v)", err, got)
				}
				var m map[string]any
				if err := json.Unmarshal([]byte(msg.Payload), &m); err != nil {
					t.Fatalf("%s: payload %q is not JSON: %v", msg.Channel, msg.Payload, err)
				}
				if m["from"] == "tester" {
					got[msg.Channel] = m
				}
			}
			if m := got["chat:"+room]; m["text"] != "hi from Chromium" {
				t.Fatalf("chat message from the page: %v", m)
			}
			waitFor(t, first, "the page's own message and its receiver count",
				`(want) => document.getElementById("send-status").textContent === want &&
					[...document.querySelectorAll("#messages .mine .text")].some(e => e.textContent === "hi from Chromium")`,
				"delivered to 3 receivers")
			waitFor(t, second, "the first tab's message in the second",
				`(want) => [...document.querySelectorAll("#messages .message")].some(li =>
					li.querySelector(".from").textContent === "tester" && li.querySelector(".text").textContent === want)`,
				"hi from Chromium")

			// RESP drives the dashboards through their metrics:* pattern.
			for i := range 5 {
				rdb.Publish(ctx(t), "metrics:cpu", 40+i)
			}
			for _, tab := range []context.Context{first, second} {
				waitFor(t, tab, "the dashboard counting 5 messages",
					`(want) => document.getElementById("total").textContent === "5" &&
						document.getElementById("last").textContent === want`, "metrics:cpu = 44")
			}
			if tc.typingExpiry {
				waitFor(t, first, "the typing indicator to expire",
					`() => document.getElementById("typing").textContent === ""`, nil)
			}

			shot := screenshot(t, first)
			path := filepath.Join(artifacts, "demo-"+strings.ToLower(tc.name)+".png")
			if err := os.WriteFile(path, shot, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s", path)

			// Leaving: the gateway's leave on disconnect reaches the page.
			if tc.transport == "ws" {
				closing, cancel := context.WithTimeout(second, browserStepTimeout)
				if err := chromedp.Cancel(closing); err != nil {
					t.Fatalf("closing the second tab: %v", err)
				}
				cancel()
				waitOnline(t, first, online{Mode: "ws", Self: "tester", Members: []string{"tester"}})
				step(t, first, "rename the first tab",
					chromedp.SetValue(chromedp.CSS("#name"), "tester-renamed"),
					chromedp.Click(chromedp.CSS("#chat-settings button")))
				waitOnline(t, first, online{Mode: "ws", Self: "tester-renamed", Members: []string{"tester-renamed"}})
			} else {
				joined.nc.Close()
				for _, tab := range []context.Context{first, second} {
					waitOnline(t, tab, online{Mode: "sse", Members: []string{}})
				}
			}
			if errs := append(firstErrors(), secondErrors()...); len(errs) > 0 {
				t.Fatalf("the page threw:\n%s", strings.Join(errs, "\n"))
			}
		})
	}
}

// TestDemoPresenceWithToken opens the demo page with a token for alice and
// the name mallory: the gateway refuses a name other than the token's sub,
// so the page joins as the sub and lists itself as alice.
func TestDemoPresenceWithToken(t *testing.T) {
	execPath := chromiumPath(t)
	e := startTokens(t)
	browser := startBrowser(t, execPath)
	tok := sign(t, []string{"chat:*", "typing:*", "__presence__:*", "metrics:*"}, []string{"chat:*", "typing:*"}, time.Minute)
	tab, pageErrors := openDemo(t, browser, e.http.URL,
		url.Values{"transport": {"ws"}, "room": {"tokens"}, "name": {"mallory"}, "access_token": {tok}}, "ws")
	waitOnline(t, tab, online{Mode: "ws", Self: "alice", Members: []string{"alice"}})
	if errs := pageErrors(); len(errs) > 0 {
		t.Fatalf("the page threw:\n%s", strings.Join(errs, "\n"))
	}
}

// openDemo opens the demo page at base with the query q in a new tab, and
// waits until it says it is subscribed over the transport want ("ws" or
// "sse"). It returns the tab, closed by t.Cleanup, and a func listing the
// page's errors so far.
func openDemo(t *testing.T, browser context.Context, base string, q url.Values, want string) (context.Context, func() []string) {
	t.Helper()
	tab, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	pageErrors := watchPageErrors(t, tab)
	step(t, tab, "open the demo page",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/?"+q.Encode()),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`body[data-state="subscribed"][data-transport=%q]`, want))),
	)
	return tab, pageErrors
}

// online is what the demo page's "Online" list shows: its mode ("ws" when
// the tab joined, "sse" when it shows the list read-only), the tab's own
// identity ("" when it is not on the list) and the members, sorted.
type online struct {
	Mode    string   `json:"mode"`
	Self    string   `json:"self"`
	Members []string `json:"members"`
}

// waitOnline waits until tab's "Online" list is want.
func waitOnline(t *testing.T, tab context.Context, want online) {
	t.Helper()
	waitFor(t, tab, fmt.Sprintf("the online list to be %+v", want), `(want) => {
		const ids = [...document.querySelectorAll("#members li")].map(li => li.dataset.id).sort();
		const me = [...document.querySelectorAll("#members li.me")].map(li => li.dataset.id);
		return document.getElementById("presence").dataset.mode === want.mode &&
			JSON.stringify(ids) === JSON.stringify(want.members) &&
			JSON.stringify(me) === JSON.stringify(want.self ? [want.self] : []) &&
			document.getElementById("online-count").textContent === String(want.members.length);
	}`, want)
}

// serveWithoutWebSocket serves gw where /ws answers 503, as behind a proxy
// that does not pass WebSocket, and returns its base URL.
func serveWithoutWebSocket(t *testing.T, gw *Gateway) string {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ws" {
			http.Error(w, "no WebSocket here", http.StatusServiceUnavailable)
			return
		}
		gw.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	return hs.URL
}

// chromiumPath returns the Chromium binary, or skips the test (fails it
// under HERALD_REQUIRE_BROWSER=1) when there is none.
func chromiumPath(t *testing.T) string {
	t.Helper()
	required := os.Getenv("HERALD_REQUIRE_BROWSER") == "1"
	if testing.Short() && !required {
		t.Skip("starts a browser; skipped with -short")
	}
	path := os.Getenv("HERALD_CHROMIUM")
	if path == "" {
		path = defaultChromium
	}
	if _, err := exec.LookPath(path); err != nil {
		msg := fmt.Sprintf("no Chromium at %s (apt-get install -y chromium, or set HERALD_CHROMIUM): %v", path, err)
		if required {
			t.Fatal(msg + "; HERALD_REQUIRE_BROWSER=1 requires the browser test")
		}
		t.Skip(msg + "; set HERALD_REQUIRE_BROWSER=1 to make this a failure")
	}
	return path
}

// artifactsDir returns $HERALD_ARTIFACTS, created if needed, or the test's
// temp directory.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("HERALD_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		t.Fatal(err)
	}
	return dir
}

// startBrowser starts headless Chromium with a fresh profile (a temporary
// --user-data-dir that chromedp makes and removes once the browser and its
// children are gone) and returns a chromedp context for it;
// chromedp.NewContext of it opens a tab.
// t.Cleanup closes the browser and waits for its process and chromedp's
// goroutines to end; the browser's own output is logged if the test failed.
func startBrowser(t *testing.T, execPath string) context.Context {
	t.Helper()
	var output lockedBuffer
	root, cancelRoot := context.WithTimeout(context.Background(), browserTimeout)
	alloc, cancelAlloc := chromedp.NewExecAllocator(root,
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.CombinedOutput(&output),
	)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		// Close the browser gracefully, then make sure its process and
		// chromedp's goroutines are gone before goleak looks.
		closing, cancel := context.WithTimeout(browser, 10*time.Second)
		if err := chromedp.Cancel(closing); err != nil && !errors.Is(err, context.Canceled) {
			t.Logf("closing the browser: %v", err)
		}
		cancel()
		cancelBrowser()
		cancelAlloc()
		cancelRoot()
		if t.Failed() {
			t.Logf("chromium output:\n%s", output.String())
		}
	})
	if err := chromedp.Do(browser); err != nil { // starts the browser
		t.Fatalf("starting %s: %v\n%s", execPath, err, output.String())
	}
	return browser
}

// watchPageErrors opens tab and returns a func listing the uncaught
// exceptions and console.error calls of its pages so far.
func watchPageErrors(t *testing.T, tab context.Context) func() []string {
	t.Helper()
	var mu sync.Mutex
	var errs []string
	err := chromedp.Listen(tab, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg = "exception: " + ev.ExceptionDetails.Text
			if ex := ev.ExceptionDetails.Exception; ex != nil && ex.Description != "" {
				msg += " " + ex.Description
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type != runtime.ConsoleAPICalledTypeError {
				return
			}
			msg = "console.error:"
			for _, arg := range ev.Args {
				msg += " " + string(arg.Value) + arg.Description
			}
		default:
			return
		}
		mu.Lock()
		errs = append(errs, msg)
		mu.Unlock()
	})
	if err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), errs...)
	}
}

// step runs actions on tab, bounded by browserStepTimeout.
func step(t *testing.T, tab context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(tab, browserStepTimeout)
	defer cancel()
	if err := chromedp.Do(c, actions...); err != nil {
		t.Fatalf("%s: %v\npage: %s", what, err, pageSummary(tab))
	}
}

// waitFor waits until the JavaScript function predicate, called with arg,
// returns true, re-checking on every DOM change and at least every 100 ms.
func waitFor(t *testing.T, tab context.Context, what, predicate string, arg any) {
	t.Helper()
	c, cancel := context.WithTimeout(tab, browserStepTimeout)
	defer cancel()
	_, err := chromedp.Run(c, chromedp.PollFunction[bool](predicate,
		chromedp.WithPollingInterval(100*time.Millisecond),
		chromedp.WithPollingArgs(arg),
		chromedp.WithPollingTimeout(browserStepTimeout)))
	if err != nil {
		t.Fatalf("waiting for %s: %v\npage: %s", what, err, pageSummary(tab))
	}
}

// evaluate returns the value of a JavaScript expression on tab.
func evaluate[T any](t *testing.T, tab context.Context, expression string) T {
	t.Helper()
	c, cancel := context.WithTimeout(tab, browserStepTimeout)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](expression))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expression, err)
	}
	return v
}

// screenshot returns a PNG of the whole page.
func screenshot(t *testing.T, tab context.Context) []byte {
	t.Helper()
	c, cancel := context.WithTimeout(tab, browserStepTimeout)
	defer cancel()
	png, err := chromedp.Run(c, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	return png
}

// pageSummary describes the page's state for a failure message.
func pageSummary(tab context.Context) string {
	c, cancel := context.WithTimeout(tab, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(c, chromedp.Evaluate[string](`JSON.stringify({
		state: document.body.dataset.state, transport: document.body.dataset.transport,
		messages: [...document.querySelectorAll("#messages li")].map(li => li.textContent),
		typing: document.getElementById("typing").textContent,
		presence: document.getElementById("presence").dataset.mode,
		online: [...document.querySelectorAll("#members li")].map(li => li.textContent),
		presenceNote: document.getElementById("presence-note").textContent,
		status: document.getElementById("send-status").textContent})`))
	if err != nil {
		return "(unavailable: " + err.Error() + ")"
	}
	return s
}

// lockedBuffer is a bytes.Buffer safe for the browser's output goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
