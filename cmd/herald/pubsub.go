package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/resp"
)

// pubCommand is `herald pub [--addr A] [--pass P] [--rate N] [--count N]
// CHANNEL MESSAGE`: it publishes MESSAGE once and prints the receiver
// count, or, with --rate, N times a second (in MESSAGE, "{n}" becomes the
// message's number) until --count messages are sent or ctx ends, which is
// what drives the demo page's live dashboard.
func pubCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("herald pub", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:6379", "Herald's (or Redis's) RESP address")
	pass := fs.String("pass", "", "password for AUTH")
	rate := fs.Float64("rate", 0, "messages per second; 0 publishes once")
	count := fs.Int("count", 0, "with --rate, stop after this many messages; 0 means until interrupted")
	if err := fs.Parse(args); err != nil {
		return exitCode(err)
	}
	if fs.NArg() != 2 || *rate < 0 || *count < 0 {
		fmt.Fprintln(stderr, "usage: herald pub [--addr HOST:PORT] [--pass P] [--rate N] [--count N] CHANNEL MESSAGE")
		return 2
	}
	c, err := dialRESP(ctx, *addr, *pass)
	if err != nil {
		fmt.Fprintf(stderr, "herald pub: %v\n", err)
		return 1
	}
	defer c.Close()
	channel, message := fs.Arg(0), fs.Arg(1)
	if *rate == 0 {
		n, err := c.publish(channel, message)
		if err != nil {
			fmt.Fprintf(stderr, "herald pub: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, n)
		return 0
	}
	tick := time.NewTicker(time.Duration(float64(time.Second) / *rate))
	defer tick.Stop()
	for i := 1; *count == 0 || i <= *count; i++ {
		if _, err := c.publish(channel, strings.ReplaceAll(message, "{n}", strconv.Itoa(i))); err != nil {
			fmt.Fprintf(stderr, "herald pub: %v\n", err)
			return 1
		}
		select {
		case <-ctx.Done():
			return 0
		case <-tick.C:
		}
	}
	return 0
}

// subCommand is `herald sub [--addr A] [--pass P] [--pattern] NAME...`: it
// subscribes to channels (or, with --pattern, glob patterns) and prints one
// line a message, "channel payload" or "pattern channel payload", until
// the connection ends or ctx does.
func subCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("herald sub", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:6379", "Herald's (or Redis's) RESP address")
	pass := fs.String("pass", "", "password for AUTH")
	pattern := fs.Bool("pattern", false, "the names are glob patterns (PSUBSCRIBE)")
	if err := fs.Parse(args); err != nil {
		return exitCode(err)
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: herald sub [--addr HOST:PORT] [--pass P] [--pattern] NAME...")
		return 2
	}
	c, err := dialRESP(ctx, *addr, *pass)
	if err != nil {
		fmt.Fprintf(stderr, "herald sub: %v\n", err)
		return 1
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	defer c.Close()
	cmd := "SUBSCRIBE"
	if *pattern {
		cmd = "PSUBSCRIBE"
	}
	if err := c.send(append([]string{cmd}, fs.Args()...)...); err != nil {
		fmt.Fprintf(stderr, "herald sub: %v\n", err)
		return 1
	}
	for {
		v, err := resp.ReadValue(c.r)
		if err != nil {
			if ctx.Err() != nil {
				return 0
			}
			fmt.Fprintf(stderr, "herald sub: %v\n", err)
			return 1
		}
		if line, ok := messageLine(v); ok {
			fmt.Fprintln(stdout, line)
		} else if v.Kind == '-' {
			fmt.Fprintf(stderr, "herald sub: %s\n", v.Str)
			return 1
		}
	}
}

// messageLine renders a "message" or "pmessage" frame as one line; acks and
// other frames are not messages.
func messageLine(v resp.Value) (string, bool) {
	if len(v.Elems) < 3 {
		return "", false
	}
	parts := make([]string, len(v.Elems)-1)
	for i, e := range v.Elems[1:] {
		parts[i] = e.Str
	}
	switch v.Elems[0].Str {
	case "message", "pmessage", "smessage":
		return strings.Join(parts, " "), true
	}
	return "", false
}

func exitCode(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}

// respConn is the smallest RESP client the CLI needs.
type respConn struct {
	net.Conn
	r *bufio.Reader
}

func dialRESP(ctx context.Context, addr, pass string) (*respConn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	c := &respConn{Conn: nc, r: bufio.NewReader(nc)}
	if pass != "" {
		if err := c.send("AUTH", pass); err != nil {
			c.Close()
			return nil, err
		}
		if v, err := resp.ReadValue(c.r); err != nil || v.Kind == '-' {
			c.Close()
			return nil, fmt.Errorf("AUTH: %s%v", v.Str, err)
		}
	}
	return c, nil
}

func (c *respConn) send(args ...string) error {
	b := resp.AppendArrayLen(nil, len(args))
	for _, a := range args {
		b = resp.AppendBulkString(b, a)
	}
	_, err := c.Write(b)
	return err
}

// publish sends PUBLISH and returns the receiver count.
func (c *respConn) publish(channel, message string) (int64, error) {
	if err := c.send("PUBLISH", channel, message); err != nil {
		return 0, err
	}
	v, err := resp.ReadValue(c.r)
	if err != nil {
		return 0, err
	}
	if v.Kind == '-' {
		return 0, errors.New(v.Str)
	}
	return v.Int, nil
}
