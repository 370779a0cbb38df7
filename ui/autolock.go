package ui

import (
	"fmt"
	"hash/fnv"
	"io"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Auto-lock: after the idle time the owner chose in the settings (kkm.Settings.AutoLockAfter,
// 0 off) without the cashier touching the app, it locks and asks for the quick-access code.
//
// How it knows the cashier is there: Fyne hands a tap to the topmost tappable widget only and a
// key to the focused one, so no wrapper around the screen sees them all, on a phone or a
// desktop. What every tap and key that does something does is change what the screen shows: a
// screen opened, a digit on the keypad, a letter in a field, a box ticked, a list scrolled, a
// dialog shown. So the watch takes a fingerprint of the screen below the status line (the status
// line counts down by itself and does not count) every few seconds, and the idle time runs from
// the last change. A tap that changes nothing (a disabled button) is not activity, which is as
// it should be.

// idleTick is how often the watch looks at the screen: the lock comes at most this late.
const idleTick = 5 * time.Second

// idleWatch locks the app after the idle time.
type idleWatch struct {
	u   *UI
	now func() time.Time // the clock; tests set their own

	last  time.Time // when the screen last changed (or the app was unlocked)
	print uint64    // the screen's fingerprint then

	quit chan struct{}
	done chan struct{}
}

// watchIdle starts the auto-lock's watch; it ends with Close.
func (u *UI) watchIdle() {
	w := &idleWatch{u: u, now: time.Now, quit: make(chan struct{}), done: make(chan struct{})}
	w.last = w.now()
	u.idle = w
	go w.run()
}

// run looks at the screen every idleTick while an idle time is set. The settings are read here,
// off the UI goroutine; only the look at the screen runs on it.
func (w *idleWatch) run() {
	defer close(w.done)
	t := time.NewTicker(idleTick)
	defer t.Stop()
	for {
		select {
		case <-w.quit:
			return
		case <-w.u.stop:
			return
		case <-t.C:
			if w.u.ports.Settings == nil {
				continue
			}
			after := w.u.ports.Settings.Settings().AutoLockAfter
			if after <= 0 {
				continue
			}
			fyne.Do(func() { w.check(after) })
		}
	}
}

// stop ends the watch's goroutine; the tests then call check themselves.
func (w *idleWatch) stop() {
	select {
	case <-w.quit:
	default:
		close(w.quit)
	}
	<-w.done
}

// check locks the app when the screen has not changed for after; it runs on the UI goroutine.
func (w *idleWatch) check(after time.Duration) {
	u := w.u
	now := w.now()
	print := w.fingerprint()
	if !u.unlocked || after <= 0 || print != w.print {
		w.last, w.print = now, print
		return
	}
	if now.Sub(w.last) >= after {
		u.Lock()
		w.last, w.print = now, w.fingerprint()
	}
}

// fingerprint sums up what the screen shows below the status line, and the dialogs above it.
func (w *idleWatch) fingerprint() uint64 {
	u := w.u
	h := fnv.New64a()
	if u.win == nil {
		return 0
	}
	c := u.win.Canvas()
	var status fyne.CanvasObject
	if u.statusBox != nil {
		status = u.statusBox
	}
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() || (status != nil && o == status) {
			return
		}
		fmt.Fprintf(h, "%p;", o) // a screen built again is new objects
		switch v := o.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case *container.Scroll:
			fmt.Fprintf(h, "%v;", v.Offset)
			walk(v.Content)
		case *container.AppTabs:
			fmt.Fprintf(h, "%d;", v.SelectedIndex())
			if it := v.Selected(); it != nil {
				walk(it.Content)
			}
		case *widget.PopUp:
			walk(v.Content)
		case *widget.Label:
			io.WriteString(h, v.Text)
		case *msgLabel:
			io.WriteString(h, v.Text)
		case *widget.Entry:
			fmt.Fprintf(h, "%s;%d;%d;", v.Text, v.CursorRow, v.CursorColumn)
		case *widget.Check:
			fmt.Fprintf(h, "%v;", v.Checked)
		case *widget.Select:
			io.WriteString(h, v.Selected)
		case *widget.Button:
			fmt.Fprintf(h, "%s;%v;%d;", v.Text, v.Disabled(), v.Importance)
		case *canvas.Text:
			io.WriteString(h, v.Text)
		}
	}
	walk(c.Content())
	for _, o := range c.Overlays().List() {
		walk(o)
	}
	fmt.Fprintf(h, "focus %p;", c.Focused())
	return h.Sum64()
}
