package backend

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/redis/rueidis"
)

// target is what a backend URL names.
type target struct {
	cluster bool
	option  rueidis.ClientOption
}

// parseURL reads a backend URL:
//
//	redis://[user:password@]host:port[/db]     one Redis server
//	rediss://[user:password@]host:port[/db]    the same over TLS
//	unix://[user:password@]/path/to/redis.sock[?db=n]
//	redis-cluster://[user:password@]host1:port1,host2:port2,...
//	rediss-cluster://...                        a cluster over TLS
//
// The query parameters rueidis.ParseURL knows (dial_timeout, skip_verify,
// protocol=2, client_name, ...) are passed through.
func parseURL(raw string) (target, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return target{}, fmt.Errorf("backend: %q is not a URL (want redis://, rediss://, unix:// or redis-cluster://)", raw)
	}
	var t target
	switch scheme {
	case "redis", "rediss", "unix":
	case "redis-cluster", "rediss-cluster":
		t.cluster = true
		scheme = strings.TrimSuffix(scheme, "-cluster")
		// host1:port1,host2:port2 becomes host1:port1?addr=host2:port2&...,
		// the way rueidis.ParseURL takes several seed addresses.
		authority, tail, _ := strings.Cut(rest, "/")
		query := ""
		if i := strings.IndexByte(tail, '?'); i >= 0 {
			tail, query = tail[:i], tail[i+1:]
		} else if i := strings.IndexByte(authority, '?'); i >= 0 {
			authority, query = authority[:i], authority[i+1:]
		}
		if tail != "" && tail != "0" {
			return target{}, fmt.Errorf("backend: a cluster has only database 0, not %q", tail)
		}
		userinfo, hosts := "", authority
		if i := strings.LastIndexByte(authority, '@'); i >= 0 {
			userinfo, hosts = authority[:i+1], authority[i+1:]
		}
		seeds := strings.Split(hosts, ",")
		if len(seeds) == 0 || seeds[0] == "" {
			return target{}, fmt.Errorf("backend: %q names no cluster node", raw)
		}
		q := make([]string, 0, len(seeds))
		for _, s := range seeds[1:] {
			if s != "" {
				q = append(q, "addr="+url.QueryEscape(s))
			}
		}
		if query != "" {
			q = append(q, query)
		}
		rest = userinfo + seeds[0]
		if len(q) > 0 {
			rest += "?" + strings.Join(q, "&")
		}
	default:
		return target{}, fmt.Errorf("backend: unknown URL scheme %q (want redis, rediss, unix, redis-cluster or rediss-cluster)", scheme)
	}
	opt, err := rueidis.ParseURL(scheme + "://" + rest)
	if err != nil {
		return target{}, fmt.Errorf("backend: %w", err)
	}
	if t.cluster && opt.SelectDB != 0 {
		return target{}, fmt.Errorf("backend: a cluster has only database 0")
	}
	t.option = opt
	return t, nil
}
