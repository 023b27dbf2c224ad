// Command scenario is a Go service with known truth for pproftop's growth
// verdicts. It serves net/http/pprof (and expvar's /debug/vars) and runs,
// all at once, behaviours that must be flagged as growing -- (a) a slow
// goroutine leak, (b) a goroutine leak whose goroutines hold memory, (c) a
// heap that retains about 1 MiB/s -- and behaviours that must not be --
// (d) a bursting pool, (e) goroutines started once, some of them proven
// leaked, (f) a count wandering around a level, (g) a steady pool, (h) a
// cache filled and dropped periodically, (i) short-lived garbage -- each in
// a distinctly named function (see behaviours.go). It garbage-collects every
// 2-5 s whatever its heap (gc.go). /truth says, for every behaviour, its
// label, pane, whether it must be flagged, its true rate and its counts.
//
//	scenario -addr 127.0.0.1:0 -variant noisy     prints "listening on ADDR"
//	scenario -list                                the variants
//
// Standard library only; builds with Go 1.19 and Go 1.27 (where
// /debug/pprof/goroutineleak proves (a), (b) and part of (e) leaked).
package main

import (
	"encoding/json"
	_ "expvar" // /debug/vars: the service's own MemStats
	"flag"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"time"
)

type config struct {
	addr      string
	variant   variant
	noLeaks   bool
	exitAfter time.Duration
	retainMax int64
	seed      int64
}

var (
	cfg       config
	startTime = time.Now()
)

func main() {
	var name string
	var list bool
	flag.StringVar(&cfg.addr, "addr", "127.0.0.1:6061", "listen address (127.0.0.1:0: a free port; the real one is printed)")
	flag.StringVar(&name, "variant", "steady", "parameter set: "+strings.Join(variantNames(), ", ")+" (see -list)")
	flag.BoolVar(&cfg.noLeaks, "no-leaks", false, "disable everything that grows or is proven leaked: (a), (b), (c) and the orphans of (e)")
	flag.DurationVar(&cfg.exitAfter, "exit-after", 0, "exit (status 0) after this long; 0: run until killed")
	flag.Int64Var(&cfg.retainMax, "retain-max", 1<<30, "(c) stops retaining at this many bytes (then it no longer grows; /truth says so)")
	flag.Int64Var(&cfg.seed, "seed", 0, "random seed (0: the variant's own)")
	flag.BoolVar(&list, "list", false, "list the variants and exit")
	flag.Parse()
	if list {
		fmt.Print(listVariants())
		return
	}
	if flag.NArg() != 0 {
		fmt.Fprintf(os.Stderr, "scenario: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	v, ok := variants[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "scenario: unknown -variant %q (have: %s)\n", name, strings.Join(variantNames(), ", "))
		os.Exit(2)
	}
	if cfg.seed == 0 {
		cfg.seed = v.Seed
	}
	cfg.variant = v
	if v.MemProfileRate > 0 {
		runtime.MemProfileRate = v.MemProfileRate
	}

	http.HandleFunc("/truth", serveTruth)
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "scenario: %v\n", err)
		os.Exit(1)
	}

	// One generator per goroutine (rand.Rand is not safe for concurrent use).
	rng := func(k int64) *rand.Rand { return rand.New(rand.NewSource(cfg.seed*1000 + k)) }
	leaks := !cfg.noLeaks
	go gcWatcher()
	if v.GCMode == "paced" {
		go gcPacer(v, rng(1), leaks)
	} else {
		go gcForcer(v, rng(1))
	}
	startOnce(v, leaks)
	startSteadyPool(v)
	go burstDispatcher(v, rng(2))
	go wanderControl(v, rng(3))
	go cacheFiller(v, rng(4))
	go garbageChurner(v)
	if leaks {
		go slowLeaker(v, rng(5))
		go memLeaker(v)
		go heapRetainer(v, rng(6), cfg.retainMax)
	}
	if cfg.exitAfter > 0 {
		time.AfterFunc(cfg.exitAfter, func() {
			fmt.Fprintf(os.Stderr, "scenario: -exit-after %v elapsed, exiting\n", cfg.exitAfter)
			os.Exit(0)
		})
	}

	// os.Stdout is unbuffered: the line is out as soon as Printf returns.
	fmt.Printf("listening on %s\n", ln.Addr())
	srv := &http.Server{Handler: countRequests(http.DefaultServeMux), ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintf(os.Stderr, "scenario: %v\n", err)
		os.Exit(1)
	}
}

// ---------------------------------------------------------------- requests

// The /debug/pprof/ requests served, per endpoint name ("heap?gc=1" apart):
// each goroutineleak request and each ?gc=1 runs a GC cycle of its own,
// which /truth reports so that a test can tell them from the scenario's.
var requests struct {
	sync.Mutex
	n map[string]int64
}

func countRequests(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name := strings.TrimPrefix(r.URL.Path, "/debug/pprof/"); name != r.URL.Path {
			if name == "" {
				name = "index"
			}
			if r.URL.Query().Get("gc") != "" && r.URL.Query().Get("gc") != "0" {
				name += "?gc=1"
			}
			requests.Lock()
			if requests.n == nil {
				requests.n = map[string]int64{}
			}
			requests.n[name]++
			requests.Unlock()
		}
		h.ServeHTTP(w, r)
	})
}

func requestCounts() (map[string]int64, int64) {
	requests.Lock()
	defer requests.Unlock()
	m := map[string]int64{}
	var gcs int64
	for k, v := range requests.n {
		m[k] = v
		if k == "goroutineleak" || strings.HasSuffix(k, "?gc=1") {
			gcs += v
		}
	}
	return m, gcs
}

// ---------------------------------------------------------------- /truth

// behaviour is one entry of /truth. Count and Total are in Unit
// (goroutines or bytes); Rate is the true growth of Count in Unit per
// second (0 when it does not grow).
type behaviour struct {
	ID           string         `json:"id"`
	Name         string         `json:"name"`
	Label        string         `json:"label"` // the function pproftop must name the group by
	Pane         string         `json:"pane"`  // goroutine | heap
	Enabled      bool           `json:"enabled"`
	MustFlag     bool           `json:"must_flag"`     // growing: true expected
	ProvenLeaked bool           `json:"proven_leaked"` // in goroutineleak (Go 1.27), goroutine pane only
	Rate         float64        `json:"rate"`
	Unit         string         `json:"unit"`
	Count        int64          `json:"count"` // goroutines alive / bytes held now
	Total        int64          `json:"total"` // goroutines started / bytes allocated so far
	Related      []string       `json:"related"`
	Detail       map[string]any `json:"detail,omitempty"`
}

type truth struct {
	Variant       variant          `json:"variant"`
	Seed          int64            `json:"seed"`
	NoLeaks       bool             `json:"no_leaks"`
	GoVersion     string           `json:"go_version"`
	GoroutineLeak bool             `json:"goroutineleak_profile"` // the runtime serves goroutineleak
	UnixNs        int64            `json:"unix_ns"`
	UptimeSec     float64          `json:"uptime_sec"`
	NumGoroutine  int              `json:"num_goroutine"`
	AllocRate     float64          `json:"nominal_alloc_bytes_per_sec"`
	GC            gcTruth          `json:"gc"`
	Requests      map[string]int64 `json:"pprof_requests"`    // /debug/pprof/ requests served, per name
	RequestGCs    int64            `json:"pprof_request_gcs"` // of which ran a GC cycle (goroutineleak, ?gc=1)
	Behaviours    []behaviour      `json:"behaviours"`
}

func serveTruth(w http.ResponseWriter, r *http.Request) {
	v, leaks := cfg.variant, !cfg.noLeaks
	t := truth{
		Variant: v, Seed: cfg.seed, NoLeaks: cfg.noLeaks, GoVersion: runtime.Version(),
		GoroutineLeak: pprof.Lookup("goroutineleak") != nil,
		UnixNs:        time.Now().UnixNano(), UptimeSec: round3(time.Since(startTime).Seconds()),
		NumGoroutine: runtime.NumGoroutine(), AllocRate: nominalAllocRate(v, leaks),
		GC: gcSnapshot(v),
	}
	t.Requests, t.RequestGCs = requestCounts()
	rate := func(on bool, r float64) float64 {
		if on {
			return r
		}
		return 0
	}
	capped := retainCapped.Load()
	t.Behaviours = []behaviour{
		{ID: "a", Name: "slow goroutine leak", Label: "main.slowLeakWorker", Pane: "goroutine",
			Enabled: leaks, MustFlag: leaks, ProvenLeaked: leaks,
			Rate: rate(leaks, 1/v.SlowLeakEvery.Seconds()), Unit: "goroutines",
			Count: slowLeak.live.Load(), Total: slowLeak.total.Load(),
			Related: []string{"main.slowLeaker", "main.spawnSlowLeak"},
			Detail:  map[string]any{"every_sec": v.SlowLeakEvery.Seconds(), "jitter": v.SlowLeakJitter}},
		{ID: "b", Name: "goroutine leak holding memory (goroutines)", Label: "main.memLeakWorker", Pane: "goroutine",
			Enabled: leaks, MustFlag: leaks, ProvenLeaked: leaks,
			Rate: rate(leaks, 1/v.MemLeakEvery.Seconds()), Unit: "goroutines",
			Count: memLeak.live.Load(), Total: memLeak.total.Load(),
			Related: []string{"main.memLeaker", "main.spawnMemLeak", "main.memLeakAlloc"},
			Detail:  map[string]any{"every_sec": v.MemLeakEvery.Seconds(), "bytes_each": v.MemLeakBytes}},
		{ID: "b", Name: "goroutine leak holding memory (heap)", Label: "main.memLeakAlloc", Pane: "heap",
			Enabled: leaks, MustFlag: leaks,
			Rate: rate(leaks, float64(v.MemLeakBytes)/v.MemLeakEvery.Seconds()), Unit: "bytes",
			Count: memLeakBytes.live.Load(), Total: memLeakBytes.total.Load(),
			Related: []string{"main.memLeakWorker", "main.memLeaker", "main.spawnMemLeak"}},
		{ID: "c", Name: "retained heap", Label: "main.retainHeap", Pane: "heap",
			Enabled: leaks, MustFlag: leaks && !capped,
			Rate: rate(leaks && !capped, v.RetainRate), Unit: "bytes",
			Count: retainBytes.live.Load(), Total: retainBytes.total.Load(),
			Related: []string{"main.heapRetainer"},
			Detail: map[string]any{"chunk_bytes": v.RetainChunk, "poisson": v.RetainPoisson,
				"capped": capped, "max_bytes": cfg.retainMax}},
		{ID: "d", Name: "bursting pool", Label: "main.burstWorker", Pane: "goroutine",
			Enabled: true, Unit: "goroutines", Count: burst.live.Load(), Total: burst.total.Load(),
			Related: []string{"main.burstDispatcher"},
			Detail: map[string]any{"size": v.BurstSize, "size_jitter": v.BurstJitter, "every_sec": v.BurstEvery.Seconds(),
				"hold_sec": v.BurstHold.Seconds(), "cycles": burstCycles.Load(), "peak": burstPeak.Load()}},
		{ID: "e", Name: "started once, reachable", Label: "main.startupIdler", Pane: "goroutine",
			Enabled: true, Unit: "goroutines", Count: idlers.live.Load(), Total: idlers.total.Load(),
			Related: []string{"main.startOnce"}},
		{ID: "e", Name: "started once, proven leaked", Label: "main.startupOrphan", Pane: "goroutine",
			Enabled: leaks, ProvenLeaked: leaks, Unit: "goroutines",
			Count: orphans.live.Load(), Total: orphans.total.Load(),
			Related: []string{"main.startOnce", "main.startOrphan"}},
		{ID: "f", Name: "wandering count", Label: "main.wanderWorker", Pane: "goroutine",
			Enabled: true, Unit: "goroutines", Count: wander.live.Load(), Total: wander.total.Load(),
			Related: []string{"main.wanderControl"},
			Detail: map[string]any{"level": v.WanderLevel, "sd": v.WanderSpread, "phi": v.WanderPhi,
				"every_sec": v.WanderEvery.Seconds(), "target": wanderTarget.Load()}},
		{ID: "g", Name: "steady pool", Label: "main.steadyWorker", Pane: "goroutine",
			Enabled: true, Unit: "goroutines", Count: steady.live.Load(), Total: steady.total.Load(),
			Related: []string{"main.startSteadyPool", "main.steadyFeeder"},
			Detail:  map[string]any{"jobs": steadyJobsRun.Load()}},
		{ID: "h", Name: "cache filled and dropped", Label: "main.fillCache", Pane: "heap",
			Enabled: true, Unit: "bytes", Count: cacheBytes.live.Load(), Total: cacheBytes.total.Load(),
			Related: []string{"main.cacheFiller"},
			Detail: map[string]any{"peak_bytes": v.CachePeak, "period_sec": v.CachePeriod.Seconds(),
				"drops": cacheDrops.Load()}},
		{ID: "i", Name: "short-lived garbage", Label: "main.churnGarbage", Pane: "heap",
			Enabled: true, Unit: "bytes", Count: 0, Total: churnBytes.total.Load(),
			Related: []string{"main.garbageChurner"},
			Detail:  map[string]any{"alloc_bytes_per_sec": v.ChurnRate}},
	}
	b, err := json.MarshalIndent(t, "", " ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(append(b, '\n'))
}
