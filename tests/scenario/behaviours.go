package main

// The behaviours. Each blocks or allocates in a top-level function of its
// own, marked //go:noinline, so that the first frame of ours in every
// goroutine and heap stack -- the label pproftop shows -- is stable and
// names the behaviour:
//
//	(a) main.slowLeakWorker  goroutines  leaks, slower than one per poll
//	(b) main.memLeakWorker   goroutines  leaks, each holding memory from
//	    main.memLeakAlloc    heap        (so that grows too)
//	(c) main.retainHeap      heap        retained, ~1 MiB/s
//	(d) main.burstWorker     goroutines  bursts and drains
//	(e) main.startupIdler    goroutines  started once, flat (reachable)
//	    main.startupOrphan   goroutines  started once, flat, proven leaked
//	(f) main.wanderWorker    goroutines  wanders around a level
//	(g) main.steadyWorker    goroutines  a steady pool (reachable)
//	(h) main.fillCache       heap        fills and is dropped periodically
//	(i) main.churnGarbage    heap        short-lived garbage
//
// Every allocation that grows with a behaviour is made in the function
// named above; the slices that index retained memory are allocated once,
// up front, at their final capacity, so they do not make growing groups of
// their own.

import (
	"math"
	"math/rand"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// counter: goroutines alive now and started so far (or bytes held now and
// allocated so far).
type counter struct{ live, total atomic.Int64 }

func (c *counter) add(n int64) {
	c.live.Add(n)
	if n > 0 {
		c.total.Add(n)
	}
}

var (
	slowLeak      counter // (a) goroutines
	memLeak       counter // (b) goroutines
	memLeakBytes  counter // (b) bytes
	retainBytes   counter // (c) bytes
	retainCapped  atomic.Bool
	burst         counter // (d)
	burstCycles   atomic.Int64
	burstPeak     atomic.Int64
	idlers        counter // (e)
	orphans       counter // (e)
	wander        counter // (f)
	wanderTarget  atomic.Int64
	steady        counter // (g)
	steadyJobsRun atomic.Int64
	cacheBytes    counter // (h)
	cacheDrops    atomic.Int64
	churnBytes    counter // (i) (live is always 0: it is garbage at once)
)

// The loops sleep with time.Sleep(time.Until(next)) in their own frame (no
// helper), so that each sleeping goroutine is labelled by its own loop.

// jitterFrac: d ± frac·d, uniform (mean d).
func jitterFrac(r *rand.Rand, d time.Duration, frac float64) time.Duration {
	if frac <= 0 {
		return d
	}
	return time.Duration(float64(d) * (1 + frac*(2*r.Float64()-1)))
}

// jitterAbs: d ± j, uniform (mean d).
func jitterAbs(r *rand.Rand, d, j time.Duration) time.Duration {
	if j <= 0 {
		return d
	}
	return d + time.Duration(float64(j)*(2*r.Float64()-1))
}

// touch writes a byte in every page so that the memory is really used.
func touch(b []byte, v byte) {
	for i := 0; i < len(b); i += 4096 {
		b[i] = v
	}
}

// ---------------------------------------------------------------- (a)

// slowLeaker leaks one goroutine every SlowLeakEvery (± jitter): slower
// than one per poll at pproftop's -i 1.
func slowLeaker(v variant, r *rand.Rand) {
	next := time.Now()
	for {
		spawnSlowLeak()
		next = next.Add(jitterFrac(r, v.SlowLeakEvery, v.SlowLeakJitter))
		time.Sleep(time.Until(next))
	}
}

//go:noinline
func spawnSlowLeak() {
	ch := make(chan struct{}) // referenced by the new goroutine only
	slowLeak.add(1)
	go slowLeakWorker(ch)
}

//go:noinline
func slowLeakWorker(ch chan struct{}) {
	<-ch // nobody else can reach ch: blocked forever, provably
	slowLeak.add(-1)
}

// ---------------------------------------------------------------- (b)

// memLeaker leaks one goroutine every MemLeakEvery; each allocates
// MemLeakBytes (in main.memLeakAlloc) and keeps it until it returns, which
// it never does.
func memLeaker(v variant) {
	next := time.Now()
	for {
		spawnMemLeak(v.MemLeakBytes)
		next = next.Add(v.MemLeakEvery)
		time.Sleep(time.Until(next))
	}
}

//go:noinline
func spawnMemLeak(size int) {
	ch := make(chan struct{})
	memLeak.add(1)
	go memLeakWorker(ch, size)
}

//go:noinline
func memLeakWorker(ch chan struct{}, size int) {
	buf := memLeakAlloc(size)
	memLeakBytes.add(int64(len(buf)))
	<-ch // as in (a): nobody else can reach ch
	runtime.KeepAlive(buf)
	memLeakBytes.add(-int64(len(buf)))
	memLeak.add(-1)
}

//go:noinline
func memLeakAlloc(size int) []byte {
	b := make([]byte, size)
	touch(b, 1)
	return b
}

// ---------------------------------------------------------------- (c)

var (
	retainMu sync.Mutex
	retained [][]byte // index of the retained chunks; capacity fixed up front
)

// heapRetainer keeps RetainChunk more bytes every RetainChunk/RetainRate
// seconds (on average; Poisson-timed when RetainPoisson), in the global
// retained, until max bytes are held; then it stops (and /truth says so).
func heapRetainer(v variant, r *rand.Rand, max int64) {
	chunk := int64(v.RetainChunk)
	retainMu.Lock()
	retained = make([][]byte, 0, max/chunk+1)
	retainMu.Unlock()
	mean := float64(chunk) / v.RetainRate * float64(time.Second)
	next := time.Now()
	for n := 0; retainBytes.live.Load()+chunk <= max; n++ {
		b := retainHeap(v.RetainChunk, byte(n))
		retainMu.Lock()
		retained = append(retained, b)
		retainMu.Unlock()
		retainBytes.add(chunk)
		d := mean
		if v.RetainPoisson {
			d = r.ExpFloat64() * mean
		}
		next = next.Add(time.Duration(d))
		time.Sleep(time.Until(next))
	}
	retainCapped.Store(true)
}

//go:noinline
func retainHeap(size int, v byte) []byte {
	b := make([]byte, size)
	touch(b, v)
	return b
}

// ---------------------------------------------------------------- (d)

// burstDispatcher starts BurstSize (± BurstJitter) goroutines every
// BurstEvery (± 10%); they all wait for the same release, closed BurstHold
// later, and then return.
func burstDispatcher(v variant, r *rand.Rand) {
	for {
		start := time.Now()
		n := v.BurstSize
		if v.BurstJitter > 0 {
			n += r.Intn(2*v.BurstJitter+1) - v.BurstJitter
		}
		release := make(chan struct{}) // on this goroutine's stack: reachable
		for i := 0; i < n; i++ {
			burst.add(1)
			go burstWorker(release)
		}
		if p := burst.live.Load(); p > burstPeak.Load() {
			burstPeak.Store(p)
		}
		time.Sleep(v.BurstHold)
		close(release)
		burstCycles.Add(1)
		time.Sleep(time.Until(start.Add(jitterFrac(r, v.BurstEvery, 0.1))))
	}
}

//go:noinline
func burstWorker(release chan struct{}) {
	<-release
	burst.add(-1)
}

// ---------------------------------------------------------------- (e)

var startupGate = make(chan struct{}) // global, never closed: reachable

func startOnce(v variant, withOrphans bool) {
	for i := 0; i < v.StartupIdle; i++ {
		idlers.add(1)
		go startupIdler()
	}
	if withOrphans {
		for i := 0; i < v.StartupOrphans; i++ {
			startOrphan()
		}
	}
}

//go:noinline
func startupIdler() {
	<-startupGate
	idlers.add(-1)
}

//go:noinline
func startOrphan() {
	ch := make(chan struct{})
	orphans.add(1)
	go startupOrphan(ch)
}

//go:noinline
func startupOrphan(ch chan struct{}) {
	<-ch // unreachable: leaked for certain, but never more of them
	orphans.add(-1)
}

// ---------------------------------------------------------------- (f)

var (
	wanderMu    sync.Mutex
	wanderQuits []chan struct{} // global: every wanderWorker stays reachable
)

// wanderControl keeps round(x) wanderWorkers alive, x an AR(1) process
// around WanderLevel, re-drawn every WanderEvery (± 20%).
func wanderControl(v variant, r *rand.Rand) {
	level, sd, phi := float64(v.WanderLevel), v.WanderSpread, v.WanderPhi
	lo, hi := math.Max(0, level-2*sd), level+2*sd
	wanderMu.Lock()
	wanderQuits = make([]chan struct{}, 0, int(hi)+1)
	wanderMu.Unlock()
	x := level + sd*r.NormFloat64()
	for {
		x = level + phi*(x-level) + sd*math.Sqrt(1-phi*phi)*r.NormFloat64()
		x = math.Min(hi, math.Max(lo, x))
		target := int(math.Round(x))
		wanderTarget.Store(int64(target))
		wanderMu.Lock()
		for len(wanderQuits) < target {
			q := make(chan struct{})
			wanderQuits = append(wanderQuits, q)
			wander.add(1)
			go wanderWorker(q)
		}
		for len(wanderQuits) > target {
			last := len(wanderQuits) - 1
			close(wanderQuits[last])
			wanderQuits[last] = nil
			wanderQuits = wanderQuits[:last]
		}
		wanderMu.Unlock()
		time.Sleep(jitterFrac(r, v.WanderEvery, 0.2))
	}
}

//go:noinline
func wanderWorker(quit chan struct{}) {
	<-quit
	wander.add(-1)
}

// ---------------------------------------------------------------- (g)

var steadyJobs = make(chan int) // global: the pool stays reachable

func startSteadyPool(v variant) {
	for i := 0; i < v.SteadyWorkers; i++ {
		steady.add(1)
		go steadyWorker()
	}
	go steadyFeeder(v)
}

//go:noinline
func steadyWorker() {
	for j := range steadyJobs {
		steadyJobsRun.Add(int64(j&1) + 1)
	}
	steady.add(-1)
}

func steadyFeeder(v variant) {
	for i := 0; ; i++ {
		steadyJobs <- i
		time.Sleep(v.SteadyJobEvery)
	}
}

// ---------------------------------------------------------------- (h)

var (
	cacheMu sync.Mutex
	cache   [][]byte // capacity fixed up front
)

// cacheFiller fills the cache to CachePeak in CacheEntry pieces, evenly
// over CachePeriod (± 10%), then drops all of it, and again.
func cacheFiller(v variant, r *rand.Rand) {
	n := int(v.CachePeak / int64(v.CacheEntry))
	cacheMu.Lock()
	cache = make([][]byte, 0, n+1)
	cacheMu.Unlock()
	for {
		period := jitterFrac(r, v.CachePeriod, 0.1)
		step := period / time.Duration(n)
		next := time.Now()
		for i := 0; i < n; i++ {
			e := fillCache(v.CacheEntry, byte(i))
			cacheMu.Lock()
			cache = append(cache, e)
			cacheMu.Unlock()
			cacheBytes.add(int64(v.CacheEntry))
			next = next.Add(step)
			time.Sleep(time.Until(next))
		}
		cacheMu.Lock()
		for i := range cache {
			cache[i] = nil
		}
		cache = cache[:0]
		cacheMu.Unlock()
		cacheBytes.add(-cacheBytes.live.Load())
		cacheDrops.Add(1)
	}
}

//go:noinline
func fillCache(size int, v byte) []byte {
	b := make([]byte, size)
	touch(b, v)
	return b
}

// ---------------------------------------------------------------- (i)

var churnSum atomic.Uint64

// garbageChurner allocates ChurnRate bytes/s, every 50 ms, in ChurnChunk
// pieces that are dropped at once.
func garbageChurner(v variant) {
	const tick = 50 * time.Millisecond
	per := v.ChurnRate * tick.Seconds()
	carry := 0.0
	next := time.Now()
	for {
		carry += per
		for carry >= float64(v.ChurnChunk) {
			churnSum.Add(uint64(churnGarbage(v.ChurnChunk)))
			churnBytes.total.Add(int64(v.ChurnChunk))
			carry -= float64(v.ChurnChunk)
		}
		next = next.Add(tick)
		time.Sleep(time.Until(next))
	}
}

//go:noinline
func churnGarbage(size int) byte {
	b := make([]byte, size)
	touch(b, byte(size))
	return b[len(b)-1] // b is garbage once this returns
}
