package app

import (
	"bytes"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// uiThread stands in, in the screen tests, for the one thread on which a real Fyne driver runs
// every callback posted with fyne.Do and fyne.DoAndWait, and the taps and typing between them.
// Fyne's test driver runs a posted callback on the goroutine that posts it, so the runtime's
// status notifier, a background job's answer and the test's own tap could draw the same widgets
// at the same moment (Fyne's caches are maps: "concurrent map writes", a nil theme); the app
// itself never meets that. The same goroutine may enter again (a tap that posts), others wait.
type uiThread struct {
	mu    sync.Mutex
	owner atomic.Uint64 // the goroutine inside, 0 when none
}

func (u *uiThread) run(fn func()) {
	id := goroutineID()
	if u.owner.Load() == id {
		fn()
		return
	}
	u.mu.Lock()
	u.owner.Store(id)
	defer func() {
		u.owner.Store(0)
		u.mu.Unlock()
	}()
	fn()
}

// goroutineID reads the running goroutine's number from its stack's first line
// ("goroutine 123 [running]:"); for tests only.
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseUint(string(b), 10, 64)
	return id
}

// threadApp is a test app whose driver runs posted callbacks on the uiThread.
type threadApp struct {
	fyne.App
	driver threadDriver
}

func (a *threadApp) Driver() fyne.Driver { return a.driver }

type threadDriver struct {
	fyne.Driver
	ui *uiThread
}

func (d threadDriver) DoFromGoroutine(fn func(), _ bool) { d.ui.run(fn) }

// newThreadApp is test.NewTempApp with its posted callbacks run one at a time on a uiThread,
// which the screen driver's taps, typing and reads take too.
func newThreadApp(t *testing.T) (fyne.App, *uiThread) {
	a := test.NewTempApp(t) // restores the app before it at the end of the test
	ui := &uiThread{}
	ta := &threadApp{App: a, driver: threadDriver{Driver: a.Driver(), ui: ui}}
	fyne.SetCurrentApp(ta)
	return ta, ui
}
