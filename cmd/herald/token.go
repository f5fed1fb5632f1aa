package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/token"
)

// tokenOptions is what the token command's flags set.
type tokenOptions struct {
	Secret    string
	Subject   string
	Subscribe []string
	Publish   []string
	TTL       time.Duration
}

// globList is a flag that may be repeated, each use adding one glob.
type globList []string

func (l *globList) String() string { return strings.Join(*l, " ") }

func (l *globList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// parseTokenOptions parses the token command's flags:
//
//	--secret S --sub alice [--subscribe GLOB ...] [--publish GLOB ...] [--ttl 1h]
func parseTokenOptions(args []string, stderr io.Writer) (tokenOptions, error) {
	var o tokenOptions
	fs := flag.NewFlagSet("herald token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Secret, "secret", "", "the HS256 secret, as given to herald serve --jwt-secret (at least 32 bytes)")
	fs.StringVar(&o.Subject, "sub", "", "the client's identity (the sub claim)")
	fs.Var((*globList)(&o.Subscribe), "subscribe", "a channel glob the token may subscribe to (repeatable)")
	fs.Var((*globList)(&o.Publish), "publish", "a channel glob the token may publish to (repeatable)")
	fs.DurationVar(&o.TTL, "ttl", time.Hour, "how long the token is valid")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.Secret == "":
		return o, errors.New("--secret is required")
	case o.Subject == "":
		return o, errors.New("--sub is required")
	case o.TTL <= 0:
		return o, fmt.Errorf("--ttl must be positive, got %s", o.TTL)
	}
	return o, nil
}

// tokenCommand prints an HS256 token for the gateway, for trying it out and
// for tests; production tokens come from the application's login service.
func tokenCommand(args []string, stdout, stderr io.Writer) int {
	o, err := parseTokenOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "herald token: %v\n", err)
		return 2
	}
	tok, err := token.Sign([]byte(o.Secret), o.Subject, o.Subscribe, o.Publish, o.TTL)
	if err != nil {
		fmt.Fprintf(stderr, "herald token: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, tok)
	return 0
}
