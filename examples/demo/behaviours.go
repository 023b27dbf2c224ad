package main

import (
	"context"
	"math"
	"math/rand"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// ---------------------------------------------------------------------------
// Passive goroutines: always started. In -quiet mode nothing ever wakes them.

var (
	neverCh  = make(chan struct{}) // never written to, never closed
	condMu   sync.Mutex
	cond     = sync.NewCond(&condMu)
	condTick int
)

func startPassive(c config) {
	var wg sync.WaitGroup
	go waitGroupWaiter(&wg, !c.quiet)
	go condWaiter()
	if !c.quiet {
		go condSignaler()
	}
	go sleeper()
	go selectForever()
}

// waitGroupWaiter waits on a sync.WaitGroup. Unless quiet, a helper finishes
// the work after a second so that the block profile gets WaitGroup.Wait events.
func waitGroupWaiter(wg *sync.WaitGroup, cycle bool) {
	for {
		wg.Add(1)
		if cycle {
			go waitGroupWorker(wg)
		}
		wg.Wait()
	}
}

func waitGroupWorker(wg *sync.WaitGroup) {
	time.Sleep(time.Second)
	wg.Done()
}

// condWaiter waits on a sync.Cond that condSignaler broadcasts every 2 s.
func condWaiter() {
	condMu.Lock()
	defer condMu.Unlock()
	seen := condTick
	for {
		for condTick == seen {
			cond.Wait()
		}
		seen = condTick
	}
}

func condSignaler() {
	for {
		time.Sleep(2 * time.Second)
		condMu.Lock()
		condTick++
		condMu.Unlock()
		cond.Broadcast()
	}
}

// sleeper sits in time.Sleep.
func sleeper() {
	for {
		time.Sleep(time.Hour)
	}
}

// selectForever blocks in select {} for the life of the process.
func selectForever() {
	select {}
}

// ---------------------------------------------------------------------------
// Active behaviours: disabled by -quiet.

func startActive(c config) {
	for i := 0; i < 4; i++ {
		go contend(i)
	}
	ch := make(chan int) // unbuffered
	go blockedSender(ch)
	go slowConsumer(ch)
	if c.burn > 0 {
		// one goroutine per whole core asked for, each busy its share
		n := int(math.Ceil(c.burn))
		for i := 0; i < n; i++ {
			go burnCPU(c.burn / float64(n))
		}
	}
	if c.leakEvery > 0 {
		go leaker(c.leakEvery)
	}
	if c.heapEvery > 0 {
		go grower(c.heapEvery, c.heapMax)
	}
	if c.churn {
		go churn()
	}
}

// contend: four goroutines fight over one sync.Mutex. The holder sleeps while
// holding it, so contention is high but CPU use is low.
var contendMu sync.Mutex

func contend(id int) {
	for {
		contendMu.Lock()
		time.Sleep(2 * time.Millisecond)
		contendMu.Unlock()
		time.Sleep(time.Duration(1+id) * time.Millisecond)
	}
}

// blockedSender keeps sending on an unbuffered channel that slowConsumer
// drains ten times a second, so it is almost always blocked in chan send.
func blockedSender(ch chan<- int) {
	for i := 0; ; i++ {
		ch <- i
	}
}

func slowConsumer(ch <-chan int) {
	for range ch {
		time.Sleep(100 * time.Millisecond)
	}
}

// burnCPU spins in main.spin for share (at most 1) of every 100 ms under
// the pprof label component=burner: -burn 0.04 (the default) is 4 ms out
// of every 100 ms, 4-5 % of one core.
func burnCPU(share float64) {
	if share > 1 {
		share = 1
	}
	busy := time.Duration(share * float64(100*time.Millisecond))
	pprof.Do(context.Background(), pprof.Labels("component", "burner"), func(context.Context) {
		var sink uint64
		for {
			start := time.Now()
			deadline := start.Add(busy)
			for time.Now().Before(deadline) {
				sink = spin(sink, 2000)
			}
			burnSink.Store(sink)
			// the period counts from the start, so the oversleep of one
			// round does not lower the share
			if rest := 100*time.Millisecond - time.Since(start); rest > 0 {
				time.Sleep(rest)
			}
		}
	})
}

var burnSink atomic.Uint64

//go:noinline
func spin(x uint64, n int) uint64 {
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
		x ^= x >> 29
	}
	return x
}

// leaker leaks one goroutine per tick: each blocks forever on its own
// channel, labelled component=leaker, leak_id=<n mod 3>.
var leakedCount atomic.Int64

func leaker(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for n := 0; ; n++ {
		leakOne(n)
		<-t.C
	}
}

func leakOne(n int) {
	ch := make(chan struct{})
	labels := pprof.Labels("component", "leaker", "leak_id", strconv.Itoa(n%3))
	go pprof.Do(context.Background(), labels, func(context.Context) {
		<-ch // nobody ever sends
	})
	leakedCount.Add(1)
}

// grower retains 64 KiB every tick in a global slice, up to max bytes; after
// that it replaces the oldest chunk, so allocs keep rising while inuse stays
// flat. Each tick also makes 256 KiB of garbage (main.garbage).
const chunkSize = 64 << 10

var (
	retainedMu   sync.Mutex
	retained     [][]byte
	heapRetained atomic.Int64
	heapChunks   atomic.Int64
)

func grower(every time.Duration, max int64) {
	limit := int(max / chunkSize)
	if limit < 1 {
		limit = 1
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for n := 0; ; n++ {
		grow(n, limit)
		<-t.C
	}
}

func grow(n, limit int) {
	b := make([]byte, chunkSize)
	for i := 0; i < len(b); i += 4096 { // touch the pages so RSS grows too
		b[i] = byte(n)
	}
	retainedMu.Lock()
	if len(retained) < limit {
		retained = append(retained, b)
		heapRetained.Add(chunkSize)
	} else {
		retained[n%limit] = b
	}
	retainedMu.Unlock()
	heapChunks.Add(1)
	garbage(n)
}

// garbage allocates 256 KiB that dies at once (~5 MB/s at the default rate),
// so GC cycles complete often and the heap/allocs profiles, which only
// change when a GC completes, move between polls.
var garbageSink []byte

//go:noinline
func garbage(n int) {
	b := make([]byte, 4*chunkSize)
	for i := 0; i < len(b); i += 4096 {
		b[i] = byte(n)
	}
	garbageSink = b
}

// churn starts a short-lived goroutine every 250 ms in one of 12 stacks;
// each lives 1-4 s, so goroutine groups appear and vanish.
var churnLive atomic.Int64

func churn() {
	r := rand.New(rand.NewSource(1))
	for id := 0; ; id++ {
		group := r.Intn(12)
		life := time.Second + time.Duration(r.Int63n(int64(3*time.Second)))
		go churnOne(group, life)
		time.Sleep(250 * time.Millisecond)
	}
}

func churnOne(group int, life time.Duration) {
	churnLive.Add(1)
	defer churnLive.Add(-1)
	p := newStackPath(group, 2, group%3, parkSleep)
	p.life = life
	p.enter()
}

// ---------------------------------------------------------------------------
// The custom profile.

var openFiles = pprof.NewProfile("example.com/openfiles")

type fakeFile struct{ name string }

func registerOpenFiles() {
	for _, name := range []string{"/var/log/demo.log", "/var/lib/demo/db", "/var/lib/demo/db-wal"} {
		openFile(name)
	}
	openConfig("/etc/demo.conf")
}

func openFile(name string) *fakeFile {
	f := &fakeFile{name}
	openFiles.Add(f, 1) // skip=1: the stack starts at openFile
	return f
}

func openConfig(name string) *fakeFile {
	f := &fakeFile{name}
	openFiles.Add(f, 0) // skip=0: in go1.19 the stack also shows (*Profile).Add
	return f
}
