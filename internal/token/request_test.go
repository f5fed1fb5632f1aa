package token

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestFind(t *testing.T) {
	cases := []struct {
		name       string
		header     string // Authorization
		url        string
		cookie     string // value of the "herald_token" cookie
		want       string
		wantSource Source
	}{
		{"nothing", "", "/ws", "", "", SourceNone},
		{"header", "Bearer H", "/ws", "", "H", SourceHeader},
		{"header scheme in any case", "bEaReR H", "/ws", "", "H", SourceHeader},
		{"header padded", "Bearer   H  ", "/ws", "", "H", SourceHeader},
		{"header wins over query and cookie", "Bearer H", "/ws?token=Q", "C", "H", SourceHeader},
		{"query", "", "/ws?token=Q", "", "Q", SourceQuery},
		{"query wins over cookie", "", "/sse?channel=a&token=Q", "C", "Q", SourceQuery},
		{"cookie", "", "/ws", "C", "C", SourceCookie},
		{"basic auth is not a token", "Basic dXNlcjpwYXNz", "/ws?token=Q", "", "Q", SourceQuery},
		{"bearer without a token", "Bearer ", "/ws", "C", "C", SourceCookie},
		{"bare scheme", "Bearer", "/ws", "", "", SourceNone},
		{"empty query value", "", "/ws?token=", "C", "C", SourceCookie},
		{"other query parameter", "", "/ws?access_token=Q", "", "", SourceNone},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tc.url, nil)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			if tc.cookie != "" {
				r.AddCookie(&http.Cookie{Name: "herald_token", Value: tc.cookie})
			}
			got, source := Find(r, "herald_token", "token")
			if got != tc.want || source != tc.wantSource {
				t.Fatalf("Find = %q, %v; want %q, %v", got, source, tc.want, tc.wantSource)
			}
			if got := FromRequest(r, "herald_token", "token"); got != tc.want {
				t.Fatalf("FromRequest = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFindSkipsUnnamedPlaces(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/ws?token=Q", nil)
	r.AddCookie(&http.Cookie{Name: "herald_token", Value: "C"})
	if got, source := Find(r, "", ""); got != "" || source != SourceNone {
		t.Fatalf("Find with no names = %q, %v", got, source)
	}
	if got := FromRequest(r, "herald_token", ""); got != "C" {
		t.Fatalf("FromRequest without a query name = %q, want the cookie", got)
	}
}

func TestVerifyRequest(t *testing.T) {
	v := mustVerifier(t)(NewHS256Verifier(testSecret, Options{}))
	good, err := Sign(testSecret, "user:42", []string{"a"}, nil, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/sse?channel=a&token="+good, nil)
	g, err := v.VerifyRequest(r, "herald_token", "token")
	if err != nil || g.Subject != "user:42" {
		t.Fatalf("VerifyRequest = %+v, %v", g, err)
	}
	r = httptest.NewRequest(http.MethodGet, "/sse?channel=a", nil)
	if _, err := v.VerifyRequest(r, "herald_token", "token"); !errors.Is(err, ErrNoToken) {
		t.Fatalf("VerifyRequest without a token: %v, want ErrNoToken", err)
	}
	r.Header.Set("Authorization", "Bearer "+good+"x")
	if _, err := v.VerifyRequest(r, "herald_token", "token"); !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrMalformed) {
		t.Fatalf("VerifyRequest with a bad token: %v", err)
	}
}
