package driver

import (
	"sync"
	"testing"
)

// An image's scripts give the turn up while the first of its builds goes
// to the engine and take it back once the last one is done, waiting for
// another image's scripts to end their turn.
func TestScriptTurn(t *testing.T) {
	var turn sync.Mutex
	turn.Lock() // the image's scripts run
	st := &scriptTurn{turn: &turn}
	back1 := st.away()
	back2 := st.away() // a second build, in the background
	if !turn.TryLock() {
		t.Fatal("the turn is not given up while the image's builds are with the engine")
	}
	turn.Unlock()
	back1()
	if !turn.TryLock() {
		t.Fatal("the turn was taken back while a build of the image was still with the engine")
	}
	// Another image's scripts hold the turn as the last build ends: it
	// is taken back once they give it up.
	done := make(chan struct{})
	go func() {
		back2()
		close(done)
	}()
	turn.Unlock()
	<-done
	if turn.TryLock() {
		t.Fatal("the turn was not taken back when the image's last build ended")
	}
	back3 := st.away()
	if !turn.TryLock() {
		t.Fatal("a later build does not give the turn up")
	}
	turn.Unlock()
	back3()
}
