// Command demo is a small Go service that serves net/http/pprof and keeps
// every pane of a profiling dashboard busy: leaking labelled goroutines, a
// growing heap, mutex contention, blocked channel operations, assorted wait
// states, a labelled CPU burner, a custom profile and (optionally) a very
// large number of parked goroutines spread over many distinct stacks.
//
// It is the target used by pproftop's tests, fixtures and benchmarks.
// Standard library only.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof/ on http.DefaultServeMux
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"
)

type config struct {
	addr         string
	quiet        bool
	spawn        int
	stacks       int
	stackDepth   int
	leakEvery    time.Duration
	heapEvery    time.Duration
	heapMax      int64
	churn        bool
	heartbeat    bool
	noRates      bool
	restartAfter time.Duration
	burn         float64
	holdCPU      bool
}

func parseFlags() config {
	var c config
	flag.StringVar(&c.addr, "addr", "127.0.0.1:6060", "listen address (use 127.0.0.1:0 for a free port; the real one is printed)")
	flag.BoolVar(&c.quiet, "quiet", false, "disable the active background behaviours (leaker, heap growth, churn, mutex contention, producer/consumer, CPU burner); passive parked goroutines, -spawn and -heartbeat still work")
	flag.IntVar(&c.spawn, "spawn", 0, "number of extra goroutines parked forever")
	flag.IntVar(&c.stacks, "stacks", 1, "spread the -spawn goroutines over this many distinct call stacks")
	flag.IntVar(&c.stackDepth, "stack-depth", 32, "number of main.* frames in each -spawn goroutine's stack (at least the number of digits needed to encode -stacks)")
	flag.DurationVar(&c.leakEvery, "leak-every", time.Second, "leak one labelled goroutine this often (0 disables)")
	flag.DurationVar(&c.heapEvery, "heap-every", 50*time.Millisecond, "retain another 64 KiB this often (0 disables)")
	flag.Int64Var(&c.heapMax, "heap-max", 256<<20, "cap in bytes for the retained heap; once reached the oldest chunk is replaced")
	flag.BoolVar(&c.churn, "churn", false, "keep starting short-lived goroutines in varying stacks so goroutine groups appear and vanish")
	flag.BoolVar(&c.heartbeat, "heartbeat", false, "run a 1 ms sleeper that measures scheduling stalls; served at /demo/heartbeat")
	flag.BoolVar(&c.noRates, "no-rates", false, "do not enable the mutex and block profiles")
	flag.DurationVar(&c.restartAfter, "restart-after", 0, "exit with status 3 after this long (for tests; 0 disables)")
	flag.Float64Var(&c.burn, "burn", 0.04, "cores the CPU burner (main.spin) uses, e.g. 0.25 (0 disables)")
	flag.BoolVar(&c.holdCPU, "hold-cpu-profile", false, "hold the CPU profile from the start, as a service's own continuous profiler does (its /debug/pprof/profile then answers 500 \"cpu profiling already in use\")")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintf(os.Stderr, "demo: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	if c.stacks < 1 {
		c.stacks = 1
	}
	if c.spawn < 0 {
		c.spawn = 0
	}
	return c
}

func main() {
	c := parseFlags()

	if !c.noRates {
		runtime.SetMutexProfileFraction(1)
		runtime.SetBlockProfileRate(1)
	}
	registerOpenFiles()
	if c.holdCPU {
		if err := pprof.StartCPUProfile(io.Discard); err != nil {
			fmt.Fprintf(os.Stderr, "demo: %v\n", err)
			os.Exit(1)
		}
	}

	http.HandleFunc("/demo/stats", serveStats)
	if c.heartbeat {
		go heartbeat()
		http.HandleFunc("/demo/heartbeat", serveHeartbeat)
	}

	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		os.Exit(1)
	}
	// os.Stdout is unbuffered: the line is out as soon as Printf returns.
	fmt.Printf("listening on %s\n", ln.Addr())

	startPassive(c)
	if !c.quiet {
		startActive(c)
	}
	if c.spawn > 0 {
		spawnTarget, spawnStacks = c.spawn, c.stacks
		if spawnStacks > c.spawn {
			spawnStacks = c.spawn
		}
		go spawnAll(c.spawn, c.stacks, c.stackDepth)
	}
	if c.restartAfter > 0 {
		time.AfterFunc(c.restartAfter, func() {
			fmt.Fprintf(os.Stderr, "demo: -restart-after %v elapsed, exiting with status 3\n", c.restartAfter)
			os.Exit(3)
		})
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		if c.heartbeat {
			b, _ := json.Marshal(heartbeatSnapshot(false))
			fmt.Fprintf(os.Stderr, "demo: heartbeat %s\n", b)
		}
		fmt.Fprintf(os.Stderr, "demo: %v, exiting\n", s)
		os.Exit(0)
	}()

	srv := &http.Server{Handler: http.DefaultServeMux, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		os.Exit(1)
	}
}

// stats is what /demo/stats returns.
type stats struct {
	Goroutines        int   `json:"goroutines"`          // runtime.NumGoroutine(), including the goroutine serving this request
	Leaked            int64 `json:"leaked"`              // goroutines leaked by main.leakOne so far
	Spawned           int64 `json:"spawned"`             // -spawn goroutines that reached main.parked
	SpawnTarget       int   `json:"spawn_target"`        // the -spawn value
	Stacks            int   `json:"stacks"`              // distinct stacks the spawned goroutines use
	ChurnLive         int64 `json:"churn_live"`          // short-lived -churn goroutines alive now
	HeapRetainedBytes int64 `json:"heap_retained_bytes"` // bytes kept alive by main.grow
	HeapChunks        int64 `json:"heap_chunks_total"`   // 64 KiB chunks allocated by main.grow so far
	UptimeNs          int64 `json:"uptime_ns"`
}

var startTime = time.Now()

func serveStats(w http.ResponseWriter, r *http.Request) {
	s := stats{
		Goroutines:        runtime.NumGoroutine(),
		Leaked:            leakedCount.Load(),
		Spawned:           spawnedCount.Load(),
		SpawnTarget:       spawnTarget,
		Stacks:            spawnStacks,
		ChurnLive:         churnLive.Load(),
		HeapRetainedBytes: heapRetained.Load(),
		HeapChunks:        heapChunks.Load(),
		UptimeNs:          int64(time.Since(startTime)),
	}
	writeJSON(w, s)
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(append(b, '\n'))
}
