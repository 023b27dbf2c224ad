package main

import (
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"
)

// The heartbeat goroutine sleeps 1 ms in a loop and records how late it
// wakes up: a cheap way to see stop-the-world pauses and scheduler stalls
// caused by profile requests.

const stallThreshold = 5 * time.Millisecond

type heartbeatStats struct {
	MaxGapNs      int64 `json:"max_gap_ns"`      // longest interval between two wakeups
	StallsOver5ms int64 `json:"stalls_over_5ms"` // intervals longer than 5 ms
	TotalStallNs  int64 `json:"total_stall_ns"`  // sum of those intervals
	Samples       int64 `json:"samples"`         // intervals measured
	SinceNs       int64 `json:"since_ns"`        // time since start or last reset
}

var (
	hbMu    sync.Mutex
	hb      heartbeatStats
	hbSince = time.Now()
)

func heartbeat() {
	last := time.Now()
	for {
		time.Sleep(time.Millisecond)
		now := time.Now()
		gap := now.Sub(last)
		last = now
		hbMu.Lock()
		hb.Samples++
		if int64(gap) > hb.MaxGapNs {
			hb.MaxGapNs = int64(gap)
		}
		if gap > stallThreshold {
			hb.StallsOver5ms++
			hb.TotalStallNs += int64(gap)
		}
		hbMu.Unlock()
		if gap > stallThreshold {
			fmt.Fprintf(os.Stderr, "demo: heartbeat stall %v\n", gap.Round(10*time.Microsecond))
		}
	}
}

// heartbeatSnapshot returns the current numbers and, if reset, starts over.
func heartbeatSnapshot(reset bool) heartbeatStats {
	hbMu.Lock()
	defer hbMu.Unlock()
	s := hb
	s.SinceNs = int64(time.Since(hbSince))
	if reset {
		hb = heartbeatStats{}
		hbSince = time.Now()
	}
	return s
}

// serveHeartbeat: GET /demo/heartbeat[?reset=1]. With reset=1 the numbers
// returned are those accumulated up to the reset.
func serveHeartbeat(w http.ResponseWriter, r *http.Request) {
	reset := r.URL.Query().Get("reset") == "1"
	writeJSON(w, heartbeatSnapshot(reset))
}
