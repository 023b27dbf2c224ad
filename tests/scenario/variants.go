package main

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// variant is one parameter set. Every behaviour runs in every variant; the
// variants differ in rates, periods, sizes, noise, seeds and in how the heap
// is garbage-collected, so a verdict tuned to one of them is caught by the
// others.
type variant struct {
	Name string `json:"name"`
	Seed int64  `json:"seed"`
	Note string `json:"note"`

	// (a) slow goroutine leak: one goroutine every SlowLeakEvery (mean),
	// each period drawn uniformly within ±SlowLeakJitter of it.
	SlowLeakEvery  time.Duration `json:"slow_leak_every_ns"`
	SlowLeakJitter float64       `json:"slow_leak_jitter"`

	// (b) leaked goroutines that each hold MemLeakBytes.
	MemLeakEvery time.Duration `json:"mem_leak_every_ns"`
	MemLeakBytes int           `json:"mem_leak_bytes"`

	// (c) retained heap: RetainRate bytes/s in RetainChunk pieces, at a
	// fixed pace or at Poisson-distributed times.
	RetainRate    float64 `json:"retain_bytes_per_sec"`
	RetainChunk   int     `json:"retain_chunk_bytes"`
	RetainPoisson bool    `json:"retain_poisson"`

	// (d) a pool that bursts to BurstSize±BurstJitter goroutines every
	// BurstEvery (±10%) and drains BurstHold later.
	BurstSize   int           `json:"burst_size"`
	BurstJitter int           `json:"burst_jitter"`
	BurstEvery  time.Duration `json:"burst_every_ns"`
	BurstHold   time.Duration `json:"burst_hold_ns"`

	// (e) goroutines started once: StartupIdle on a reachable channel,
	// StartupOrphans on channels nothing else references (proven leaked).
	StartupIdle    int `json:"startup_idle"`
	StartupOrphans int `json:"startup_orphans"`

	// (f) a count that wanders around WanderLevel: an AR(1) process with
	// coefficient WanderPhi and standard deviation WanderSpread, re-drawn
	// every WanderEvery, clamped to level ± 2 spread.
	WanderLevel  int           `json:"wander_level"`
	WanderSpread float64       `json:"wander_spread"`
	WanderPhi    float64       `json:"wander_phi"`
	WanderEvery  time.Duration `json:"wander_every_ns"`

	// (g) a steady pool of SteadyWorkers fed a job every SteadyJobEvery.
	SteadyWorkers  int           `json:"steady_workers"`
	SteadyJobEvery time.Duration `json:"steady_job_every_ns"`

	// (h) a cache that fills to CachePeak in CacheEntry pieces over
	// CachePeriod (±10%) and is then dropped.
	CachePeak   int64         `json:"cache_peak_bytes"`
	CacheEntry  int           `json:"cache_entry_bytes"`
	CachePeriod time.Duration `json:"cache_period_ns"`

	// (i) short-lived garbage: ChurnRate bytes/s in ChurnChunk pieces.
	ChurnRate  float64 `json:"churn_bytes_per_sec"`
	ChurnChunk int     `json:"churn_chunk_bytes"`

	// GC: "forced" sets GOGC to GCPercent (-1: off) and calls runtime.GC()
	// every GCPeriod ± GCJitter; "paced" leaves the GCs to the runtime and
	// re-sets GOGC after each cycle so that the next one comes about
	// GCPeriod ± GCJitter later, whatever the size of the retained heap.
	GCMode    string        `json:"gc_mode"`
	GCPeriod  time.Duration `json:"gc_period_ns"`
	GCJitter  time.Duration `json:"gc_jitter_ns"`
	GCPercent int           `json:"gc_percent"`

	// runtime.MemProfileRate (0: Go's default, 512 KiB).
	MemProfileRate int `json:"mem_profile_rate"`
}

const (
	kib = 1 << 10
	mib = 1 << 20
)

var variants = map[string]variant{
	"steady": {
		Name: "steady", Seed: 1,
		Note:          "round numbers, fixed paces; forced GC every 3 s with GOGC off",
		SlowLeakEvery: 4 * time.Second, SlowLeakJitter: 0.1,
		MemLeakEvery: 3 * time.Second, MemLeakBytes: 512 * kib,
		RetainRate: 1.0 * mib, RetainChunk: 64 * kib,
		BurstSize: 50, BurstJitter: 0, BurstEvery: 6 * time.Second, BurstHold: 2 * time.Second,
		StartupIdle: 20, StartupOrphans: 10,
		WanderLevel: 40, WanderSpread: 8, WanderPhi: 0.3, WanderEvery: time.Second,
		SteadyWorkers: 16, SteadyJobEvery: 200 * time.Millisecond,
		CachePeak: 16 * mib, CacheEntry: 32 * kib, CachePeriod: 20 * time.Second,
		ChurnRate: 4 * mib, ChurnChunk: 16 * kib,
		GCMode: "forced", GCPeriod: 3 * time.Second, GCJitter: 500 * time.Millisecond, GCPercent: -1,
	},
	"slow": {
		Name: "slow", Seed: 2,
		Note:          "slow leaks, Poisson-timed retention, runtime-paced GC about every 4.5 s",
		SlowLeakEvery: 6 * time.Second, SlowLeakJitter: 0.2,
		MemLeakEvery: 5 * time.Second, MemLeakBytes: 1 * mib,
		RetainRate: 0.7 * mib, RetainChunk: 32 * kib, RetainPoisson: true,
		BurstSize: 30, BurstJitter: 5, BurstEvery: 4 * time.Second, BurstHold: 1500 * time.Millisecond,
		StartupIdle: 8, StartupOrphans: 4,
		WanderLevel: 25, WanderSpread: 6, WanderPhi: 0, WanderEvery: 1500 * time.Millisecond,
		SteadyWorkers: 8, SteadyJobEvery: 500 * time.Millisecond,
		CachePeak: 24 * mib, CacheEntry: 64 * kib, CachePeriod: 30 * time.Second,
		ChurnRate: 2 * mib, ChurnChunk: 8 * kib,
		GCMode: "paced", GCPeriod: 4500 * time.Millisecond, GCJitter: 500 * time.Millisecond,
	},
	"noisy": {
		Name: "noisy", Seed: 3,
		Note:          "fast and irregular: leak periods ±50%, big bursts, a sticky wander; forced GC 2.5±1 s, GOGC=1000 as a backstop",
		SlowLeakEvery: 3 * time.Second, SlowLeakJitter: 0.5,
		MemLeakEvery: 2 * time.Second, MemLeakBytes: 256 * kib,
		RetainRate: 1.5 * mib, RetainChunk: 128 * kib, RetainPoisson: true,
		BurstSize: 60, BurstJitter: 15, BurstEvery: 8 * time.Second, BurstHold: 3 * time.Second,
		StartupIdle: 40, StartupOrphans: 25,
		WanderLevel: 60, WanderSpread: 10, WanderPhi: 0.6, WanderEvery: 700 * time.Millisecond,
		SteadyWorkers: 32, SteadyJobEvery: 50 * time.Millisecond,
		CachePeak: 8 * mib, CacheEntry: 16 * kib, CachePeriod: 15 * time.Second,
		ChurnRate: 6 * mib, ChurnChunk: 32 * kib,
		GCMode: "forced", GCPeriod: 2500 * time.Millisecond, GCJitter: time.Second, GCPercent: 1000,
	},
	"sparse": {
		Name: "sparse", Seed: 4,
		Note:          "in-between rates, finer heap sampling (MemProfileRate 128 KiB), runtime-paced GC about every 3.5 s",
		SlowLeakEvery: 5 * time.Second, SlowLeakJitter: 0.3,
		MemLeakEvery: 4 * time.Second, MemLeakBytes: 768 * kib,
		RetainRate: 1.2 * mib, RetainChunk: 48 * kib,
		BurstSize: 40, BurstJitter: 10, BurstEvery: 5 * time.Second, BurstHold: 2500 * time.Millisecond,
		StartupIdle: 12, StartupOrphans: 6,
		WanderLevel: 30, WanderSpread: 7, WanderPhi: 0.45, WanderEvery: 1200 * time.Millisecond,
		SteadyWorkers: 12, SteadyJobEvery: 100 * time.Millisecond,
		CachePeak: 12 * mib, CacheEntry: 24 * kib, CachePeriod: 25 * time.Second,
		ChurnRate: 3 * mib, ChurnChunk: 12 * kib,
		GCMode: "paced", GCPeriod: 3500 * time.Millisecond, GCJitter: 700 * time.Millisecond,
		MemProfileRate: 128 * kib,
	},
}

func variantNames() []string {
	var names []string
	for n := range variants {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func listVariants() string {
	var b strings.Builder
	for _, n := range variantNames() {
		v := variants[n]
		fmt.Fprintf(&b, "%-7s %s\n", n, v.Note)
		fmt.Fprintf(&b, "        leak 1/%v ±%.0f%%, mem-leak %d KiB/%v, retain %.2f MiB/s, burst %d/%v, wander %d±%.0f φ=%.2f, pool %d, cache %d MiB/%v, churn %.1f MiB/s, GC %s %v±%v\n",
			v.SlowLeakEvery, 100*v.SlowLeakJitter, v.MemLeakBytes/kib, v.MemLeakEvery,
			v.RetainRate/mib, v.BurstSize, v.BurstEvery, v.WanderLevel, v.WanderSpread, v.WanderPhi,
			v.SteadyWorkers, v.CachePeak/mib, v.CachePeriod, v.ChurnRate/mib, v.GCMode, v.GCPeriod, v.GCJitter)
	}
	return b.String()
}
