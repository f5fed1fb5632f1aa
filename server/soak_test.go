package server

// The soak test: minutes of churn, on demand.
//
//	HERALD_SOAK=1 [HERALD_SOAK_DURATION=2m] go test ./server -run TestSoak -v

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/heraldhq/herald/internal/resp"
)

const (
	soakPublishers = 8
	soakStable     = 8  // subscribers that stay from start to end
	soakChurners   = 24 // goroutines connecting, subscribing, publishing, leaving
	soakChannels   = 16
	// soakHeapGrowth bounds how much the live heap may grow between the
	// end of the warm-up and the end of the run, the churn gone.
	soakHeapGrowth = 32 << 20
)

// soakErrors collects the failures of the soak's goroutines.
type soakErrors struct {
	mu   sync.Mutex
	list []string
}

func (e *soakErrors) add(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.list) < 20 {
		e.list = append(e.list, fmt.Sprintf(format, args...))
	}
}

// TestSoak churns thousands of clients that connect, subscribe, publish and
// leave (politely or by reset) for HERALD_SOAK_DURATION, while publishers
// number their messages and subscribers that stay the whole run check they
// get every one, once, in order. At the end: the churn's clients and
// subscriptions are gone, the live heap has not grown past a bound, and
// once the server shuts down no goroutine is left.
func TestSoak(t *testing.T) {
	if os.Getenv("HERALD_SOAK") != "1" {
		t.Skip("the soak test runs with HERALD_SOAK=1 (and HERALD_SOAK_DURATION, default 2m)")
	}
	duration := 2 * time.Minute
	if v := os.Getenv("HERALD_SOAK_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("HERALD_SOAK_DURATION=%q: want a duration such as 2m", v)
		}
		duration = d
	}
	ignore := goleak.IgnoreCurrent()
	s, err := StartLocal(Config{})
	if err != nil {
		t.Fatal(err)
	}
	addr := s.Addr().String()
	var errs soakErrors

	// Subscribers that stay: half SUBSCRIBE to every channel, half
	// PSUBSCRIBE to a pattern matching them all; RESP2 and RESP3.
	stable := make([]*soakSubscriber, soakStable)
	for i := range stable {
		sub, err := newSoakSubscriber(addr, i, i%2 == 1, 2+i/2%2)
		if err != nil {
			t.Fatal(err)
		}
		stable[i] = sub
		go sub.run(&errs)
	}

	stop := make(chan struct{})
	var pubWG, churnWG sync.WaitGroup
	lastSeq := make([]atomic.Int64, soakPublishers)
	for p := range soakPublishers {
		pubWG.Add(1)
		go func() {
			defer pubWG.Done()
			soakPublish(addr, p, &lastSeq[p], stop, &errs)
		}()
	}
	var connections atomic.Int64
	for w := range soakChurners {
		churnWG.Add(1)
		go func() {
			defer churnWG.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for {
				select {
				case <-stop:
					return
				default:
				}
				connections.Add(1)
				if err := soakChurn(addr, rng); err != nil {
					errs.add("churner %d: %v", w, err)
					time.Sleep(100 * time.Millisecond)
				}
			}
		}()
	}

	time.Sleep(duration / 10)
	warm := heapAlloc()
	time.Sleep(duration - duration/10)
	close(stop)
	churnWG.Wait()
	pubWG.Wait()

	// Every stable subscriber gets each publisher's last message.
	deadline := time.Now().Add(60 * time.Second)
	for _, sub := range stable {
		for p := range soakPublishers {
			for sub.seen(p) < lastSeq[p].Load() && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if got, want := sub.seen(p), lastSeq[p].Load(); got != want {
				errs.add("stable subscriber %d: last message of publisher %d is %d, want %d", sub.id, p, got, want)
			}
		}
	}
	waitFor(t, "the churn's clients to go", func() bool { return len(s.connList()) == soakStable })
	st := s.broker.Stats()
	if st.Channels != soakChannels || st.Patterns != 1 || st.ShardChannels != 0 {
		errs.add("broker after the churn: %+v, want only the stable subscribers' %d channels and 1 pattern", st, soakChannels)
	}
	end := heapAlloc()
	var published int64
	for p := range lastSeq {
		published += lastSeq[p].Load()
	}
	t.Logf("%v: %d connections churned, %d messages published, each to %d stable subscribers; heap %d KB after warm-up, %d KB at the end",
		duration, connections.Load(), published, soakStable, warm>>10, end>>10)
	if end > warm+soakHeapGrowth {
		errs.add("heap grew from %d KB to %d KB", warm>>10, end>>10)
	}

	for _, sub := range stable {
		sub.nc.Close()
	}
	if err := s.Close(); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	for _, sub := range stable {
		<-sub.done
	}
	for _, e := range errs.list {
		t.Error(e)
	}
	goleak.VerifyNone(t, ignore)
}

// soakSubscriber is a subscriber that stays for the whole run and checks
// that each publisher's messages arrive once each and in order.
type soakSubscriber struct {
	id      int
	nc      net.Conn
	r       *bufio.Reader
	pattern bool
	last    [soakPublishers]atomic.Int64
	done    chan struct{}
}

func newSoakSubscriber(addr string, id int, pattern bool, proto int) (*soakSubscriber, error) {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	sub := &soakSubscriber{id: id, nc: nc, r: bufio.NewReader(nc), pattern: pattern, done: make(chan struct{})}
	args := []string{"PSUBSCRIBE", "soak:*"}
	if !pattern {
		args = []string{"SUBSCRIBE"}
		for k := range soakChannels {
			args = append(args, "soak:"+strconv.Itoa(k))
		}
	}
	if proto == 3 {
		nc.Write(encodeCommand("HELLO", "3"))
		if _, err := resp.ReadValue(sub.r); err != nil {
			return nil, err
		}
	}
	nc.Write(encodeCommand(args...))
	for range len(args) - 1 {
		if _, err := resp.ReadValue(sub.r); err != nil {
			return nil, err
		}
	}
	return sub, nil
}

func (sub *soakSubscriber) seen(p int) int64 { return sub.last[p].Load() }

// run reads messages until the connection closes.
func (sub *soakSubscriber) run(errs *soakErrors) {
	defer close(sub.done)
	for {
		v, err := resp.ReadValue(sub.r)
		if err != nil {
			return
		}
		p, seq, err := soakPayload(v, sub.pattern)
		if err != nil {
			errs.add("stable subscriber %d: %v", sub.id, err)
			continue
		}
		if prev := sub.last[p].Load(); seq != prev+1 {
			errs.add("stable subscriber %d: publisher %d's message %d after %d", sub.id, p, seq, prev)
		}
		sub.last[p].Store(seq)
	}
}

// soakPayload takes the publisher and sequence number out of a message
// ("p:seq"), checking its shape.
func soakPayload(v resp.Value, pattern bool) (int, int64, error) {
	kind, n := "message", 3
	if pattern {
		kind, n = "pmessage", 4
	}
	if len(v.Elems) != n || v.Elems[0].Str != kind {
		return 0, 0, fmt.Errorf("unexpected frame %q", v.Bytes())
	}
	ps, ss, ok := strings.Cut(v.Elems[n-1].Str, ":")
	p, err1 := strconv.Atoi(ps)
	seq, err2 := strconv.ParseInt(ss, 10, 64)
	if !ok || err1 != nil || err2 != nil || p < 0 || p >= soakPublishers {
		return 0, 0, fmt.Errorf("unexpected payload %q", v.Elems[n-1].Str)
	}
	return p, seq, nil
}

// soakPublish publishes publisher p's numbered messages round-robin over
// the channels, in pipelined batches, until stop; last is the number of
// the last one answered.
func soakPublish(addr string, p int, last *atomic.Int64, stop <-chan struct{}, errs *soakErrors) {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		errs.add("publisher %d: %v", p, err)
		return
	}
	defer nc.Close()
	r := bufio.NewReader(nc)
	seq := int64(0)
	for {
		select {
		case <-stop:
			return
		default:
		}
		var batch []byte
		const n = 20
		for i := range n {
			ch := "soak:" + strconv.FormatInt((seq+int64(i)+1)%soakChannels, 10)
			batch = append(batch, encodeCommand("PUBLISH", ch, strconv.Itoa(p)+":"+strconv.FormatInt(seq+int64(i)+1, 10))...)
		}
		nc.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := nc.Write(batch); err != nil {
			errs.add("publisher %d: %v", p, err)
			return
		}
		for range n {
			v, err := resp.ReadValue(r)
			if err != nil || v.Kind != ':' || v.Int < soakStable {
				errs.add("publisher %d: PUBLISH replied %v, %v", p, v, err)
				return
			}
		}
		seq += n
		last.Store(seq)
		time.Sleep(5 * time.Millisecond)
	}
}

// soakChurn is one short-lived client: it subscribes to a few channels or
// a pattern, or to a shard channel, maybe publishes on a channel of its
// own, reads for a moment checking that each publisher's messages come in
// order, and leaves: by QUIT, by UNSUBSCRIBE and close, or by a reset.
func soakChurn(addr string, rng *rand.Rand) error {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(nc)
	pattern := rng.IntN(3) == 0
	var args []string
	switch {
	case pattern:
		args = []string{"PSUBSCRIBE", "soak:" + strconv.Itoa(rng.IntN(soakChannels/2)) + "*"}
	case rng.IntN(5) == 0:
		args = []string{"SSUBSCRIBE", "churn:shard:" + strconv.Itoa(rng.IntN(100))}
	default:
		args = []string{"SUBSCRIBE"}
		for range 1 + rng.IntN(3) {
			args = append(args, "soak:"+strconv.Itoa(rng.IntN(soakChannels)))
		}
	}
	if _, err := nc.Write(encodeCommand(args...)); err != nil {
		return err
	}
	if rng.IntN(2) == 0 {
		// Publish on a channel no stable subscriber holds.
		if _, err := nc.Write(encodeCommand("PUBLISH", "churn:"+strconv.Itoa(rng.IntN(100)), "hello")); err != nil {
			return err
		}
	}
	var last [soakPublishers]int64
	until := time.Now().Add(time.Duration(rng.IntN(200)) * time.Millisecond)
	nc.SetReadDeadline(until)
	for {
		v, err := resp.ReadValue(r)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
		if err != nil {
			return err
		}
		if len(v.Elems) == 0 || v.Elems[0].Str != "message" && v.Elems[0].Str != "pmessage" {
			continue // acks and the like
		}
		p, seq, err := soakPayload(v, v.Elems[0].Str == "pmessage")
		if err != nil {
			return err
		}
		if seq <= last[p] {
			return fmt.Errorf("publisher %d's message %d after %d", p, seq, last[p])
		}
		last[p] = seq
	}
	// The read deadline may have cut a reply in half: leave without
	// reading more.
	switch rng.IntN(3) {
	case 0:
		nc.SetDeadline(time.Now().Add(time.Second))
		nc.Write(encodeCommand("QUIT"))
	case 1:
		nc.SetDeadline(time.Now().Add(time.Second))
		nc.Write(encodeCommand("UNSUBSCRIBE"))
		nc.Write(encodeCommand("PUNSUBSCRIBE"))
	default:
		nc.(*net.TCPConn).SetLinger(0) // a reset, no FIN
	}
	return nil
}
