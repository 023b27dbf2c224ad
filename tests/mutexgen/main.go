// mutexgen: serves net/http/pprof on 127.0.0.1 with mutex sampling 1/5 and
// a fixed amount of contention, for the trimmed-path Go 1.19 mutex fixture.
package main

import (
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"sync"
	"time"
)

var mu sync.Mutex

func hold(n int) {
	for i := 0; i < n; i++ {
		mu.Lock()
		time.Sleep(20 * time.Microsecond)
		mu.Unlock()
	}
}

func other(n int) {
	for i := 0; i < n; i++ {
		mu.Lock()
		time.Sleep(10 * time.Microsecond)
		mu.Unlock()
	}
}

func main() {
	runtime.SetMutexProfileFraction(5)
	// a fixed amount of contention that ends, so that the debug=1 text
	// and the protobuf captured after it describe the same profile
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(2)
		go func() { hold(600); wg.Done() }()
		go func() { other(400); wg.Done() }()
	}
	wg.Wait()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	os.Stdout.WriteString(ln.Addr().String() + "\n")
	http.Serve(ln, nil)
}
