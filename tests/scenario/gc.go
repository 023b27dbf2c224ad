package main

// GC cadence. pproftop polls at 1 s; the heap and allocs profiles only
// change when a GC cycle completes. The scenario must garbage-collect less
// often than that, but often enough to judge (a cycle every 2-5 s), for the
// whole run, while the retained heap grows by about 1 MiB/s -- which, left
// to the runtime with GOGC=100 and a few MiB/s of garbage, would make the
// cycles ever rarer. Two ways, chosen per variant:
//
//	forced: GOGC is set to GCPercent (-1: no automatic GC at all) and
//	        gcForcer calls runtime.GC() every GCPeriod ± GCJitter.
//	paced:  the runtime starts every cycle itself; after each one gcPacer
//	        re-sets GOGC so that the garbage allocated at the measured rate
//	        reaches the next goal about GCPeriod ± GCJitter later
//	        (GOGC = 100 · rate · period / live heap, with a feedback gain
//	        that learns how early the runtime triggers before its goal). A
//	        backstop forces a cycle if none came for twice the period.
//
// gcWatcher records when each cycle completed (whoever started it: also a
// goroutineleak request, which runs one), for /truth.

import (
	"math"
	"math/rand"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

var (
	gcForced  atomic.Int64 // runtime.GC() calls made by gcForcer / the backstop
	gcPercent atomic.Int64 // the GOGC value set last
	gcGain    atomic.Uint64
)

func gcForcer(v variant, r *rand.Rand) {
	gcPercent.Store(int64(v.GCPercent))
	debug.SetGCPercent(v.GCPercent)
	for {
		time.Sleep(jitterAbs(r, v.GCPeriod, v.GCJitter))
		runtime.GC()
		gcForced.Add(1)
	}
}

// nominalAllocRate: the bytes/s the behaviours allocate by design.
func nominalAllocRate(v variant, leaks bool) float64 {
	rate := v.ChurnRate + float64(v.CachePeak)/v.CachePeriod.Seconds()
	if leaks {
		rate += v.RetainRate + float64(v.MemLeakBytes)/v.MemLeakEvery.Seconds()
	}
	return rate
}

func gcPacer(v variant, r *rand.Rand, leaks bool) {
	s := []metrics.Sample{
		{Name: "/gc/cycles/total:gc-cycles"},
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/gc/heap/allocs:bytes"},
	}
	metrics.Read(s)
	cycles, lastAllocs := s[0].Value.Uint64(), s[2].Value.Uint64()
	last := time.Now()
	rate := nominalAllocRate(v, leaks)
	gain := 1.0
	target := jitterAbs(r, v.GCPeriod, v.GCJitter)
	set := func(live uint64) {
		budget := rate * target.Seconds() * gain // bytes to allocate until the goal
		pct := 100 * budget / math.Max(float64(live), 4*mib)
		pct = math.Min(20000, math.Max(1, pct))
		gcPercent.Store(int64(pct))
		gcGain.Store(math.Float64bits(gain))
		debug.SetGCPercent(int(pct))
	}
	set(s[1].Value.Uint64())
	for {
		time.Sleep(50 * time.Millisecond)
		metrics.Read(s)
		now := time.Now()
		if c := s[0].Value.Uint64(); c != cycles {
			took := now.Sub(last).Seconds()
			allocs := s[2].Value.Uint64()
			if took > 0.5 {
				measured := float64(allocs-lastAllocs) / took
				rate = 0.5*rate + 0.5*measured
			}
			// Learn the gain from cycles the runtime started on its own
			// (not from an extra cycle a profile request forced).
			if c == cycles+1 && took > target.Seconds()/3 {
				gain *= math.Sqrt(target.Seconds() / took)
				gain = math.Min(4, math.Max(0.25, gain))
			}
			cycles, lastAllocs, last = c, allocs, now
			target = jitterAbs(r, v.GCPeriod, v.GCJitter)
			set(s[1].Value.Uint64())
		} else if now.Sub(last) > 2*target {
			runtime.GC()
			gcForced.Add(1)
		}
	}
}

// ---------------------------------------------------------------- watcher

var gcLog struct {
	sync.Mutex
	ends []time.Time // completion times seen: the last 256 to 512
}

func gcWatcher() {
	gcLog.Lock()
	gcLog.ends = make([]time.Time, 0, 512) // once: no growing heap group of ours
	gcLog.Unlock()
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	seen := s[0].Value.Uint64()
	for {
		time.Sleep(25 * time.Millisecond)
		metrics.Read(s)
		if c := s[0].Value.Uint64(); c != seen {
			now := time.Now()
			gcLog.Lock()
			for ; seen < c; seen++ {
				if len(gcLog.ends) == cap(gcLog.ends) { // keep the last 256, in place
					gcLog.ends = append(gcLog.ends[:0], gcLog.ends[len(gcLog.ends)-256:]...)
				}
				gcLog.ends = append(gcLog.ends, now)
			}
			gcLog.Unlock()
		}
	}
}

type gcTruth struct {
	Mode      string    `json:"mode"`
	PeriodSec float64   `json:"period_sec"`
	JitterSec float64   `json:"jitter_sec"`
	GCPercent int64     `json:"gc_percent"`
	Gain      float64   `json:"pacer_gain,omitempty"`
	NumGC     uint64    `json:"num_gc"`
	Forced    int64     `json:"forced_by_scenario"`
	Intervals []float64 `json:"last_intervals_sec"` // between the last cycles (up to 20)
	Mean60    float64   `json:"mean_interval_last_60s_sec"`
	Count60   int       `json:"cycles_last_60s"`
}

func gcSnapshot(v variant) gcTruth {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	t := gcTruth{
		Mode: v.GCMode, PeriodSec: v.GCPeriod.Seconds(), JitterSec: v.GCJitter.Seconds(),
		GCPercent: gcPercent.Load(), Gain: math.Float64frombits(gcGain.Load()),
		NumGC: s[0].Value.Uint64(), Forced: gcForced.Load(), Intervals: []float64{},
	}
	now := time.Now()
	gcLog.Lock()
	ends := append([]time.Time(nil), gcLog.ends...)
	gcLog.Unlock()
	for i := len(ends) - 1; i > 0 && len(t.Intervals) < 20; i-- {
		t.Intervals = append(t.Intervals, round3(ends[i].Sub(ends[i-1]).Seconds()))
	}
	var first, lastT time.Time
	for _, e := range ends {
		if now.Sub(e) <= 60*time.Second {
			if first.IsZero() {
				first = e
			}
			lastT = e
			t.Count60++
		}
	}
	if t.Count60 > 1 {
		t.Mean60 = round3(lastT.Sub(first).Seconds() / float64(t.Count60-1))
	}
	return t
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
