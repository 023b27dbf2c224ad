package main

import (
	"sync/atomic"
	"time"
)

// Distinct goroutine stacks without code generation.
//
// A group number g is written in base 4 with a fixed number of digits; the
// goroutine calls stackF<d0> -> stackF<d1> -> ... -> stackF<dn-1> -> parked,
// each stackF* calling the function of the next digit. Different groups thus
// have different call sequences. Padding frames (padDepth) go between the
// root and the digit frames, so the digits stay within the innermost frames
// that the runtime keeps in a goroutine profile record (32 PCs in go1.19).

const stackBase = 4

type parkMode uint8

const (
	parkSelect parkMode = iota // select {}
	parkChan                   // receive from a channel nobody writes
	parkSleep                  // time.Sleep(life), then return (churn)
)

type stackPath struct {
	digits []uint8
	pad    int
	mode   parkMode
	life   time.Duration
}

var stackFns [stackBase]func(p *stackPath, i int)

func init() {
	stackFns = [stackBase]func(*stackPath, int){stackF0, stackF1, stackF2, stackF3}
}

// digitsFor returns how many base-4 digits are needed to number m groups.
func digitsFor(m int) int {
	d := 1
	for n := stackBase; n < m; n *= stackBase {
		d++
	}
	return d
}

func newStackPath(group, ndigits, pad int, mode parkMode) *stackPath {
	p := &stackPath{digits: make([]uint8, ndigits), pad: pad, mode: mode}
	for i := ndigits - 1; i >= 0; i-- {
		p.digits[i] = uint8(group % stackBase)
		group /= stackBase
	}
	return p
}

func (p *stackPath) enter() { padDepth(p, p.pad) }

//go:noinline
func padDepth(p *stackPath, n int) {
	if n > 0 {
		padDepth(p, n-1)
		return
	}
	stackFns[p.digits[0]](p, 1)
}

//go:noinline
func stackF0(p *stackPath, i int) {
	if i == len(p.digits) {
		parked(p)
		return
	}
	stackFns[p.digits[i]](p, i+1)
}

//go:noinline
func stackF1(p *stackPath, i int) {
	if i == len(p.digits) {
		parked(p)
		return
	}
	stackFns[p.digits[i]](p, i+1)
}

//go:noinline
func stackF2(p *stackPath, i int) {
	if i == len(p.digits) {
		parked(p)
		return
	}
	stackFns[p.digits[i]](p, i+1)
}

//go:noinline
func stackF3(p *stackPath, i int) {
	if i == len(p.digits) {
		parked(p)
		return
	}
	stackFns[p.digits[i]](p, i+1)
}

var spawnedCount atomic.Int64

// parked is the leaf of every -spawn and -churn stack.
//
//go:noinline
func parked(p *stackPath) {
	switch p.mode {
	case parkSelect:
		spawnedCount.Add(1)
		select {}
	case parkChan:
		spawnedCount.Add(1)
		<-neverCh
	case parkSleep:
		time.Sleep(p.life)
	}
}

var (
	spawnTarget int
	spawnStacks int
)

// spawnAll starts n goroutines spread round-robin over m distinct stacks with
// about depth main.* frames each. Even groups park in select {}, odd groups
// in a channel receive.
func spawnAll(n, m, depth int) {
	if m > n {
		m = n
	}
	nd := digitsFor(m)
	pad := depth - nd - 2 // spawnRoot, padDepth(0) and parked make up the rest
	if pad < 0 {
		pad = 0
	}
	paths := make([]*stackPath, m)
	for g := range paths {
		mode := parkSelect
		if g%2 == 1 {
			mode = parkChan
		}
		paths[g] = newStackPath(g, nd, pad, mode)
	}
	for i := 0; i < n; i++ {
		go spawnRoot(paths[i%m])
	}
}

func spawnRoot(p *stackPath) { p.enter() }
