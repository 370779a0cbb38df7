package ui

import (
	"testing"

	"fyne.io/fyne/v2"

	"github.com/ekassa-go/ekassa/i18n"
)

// On the desktop the lock screen's code field has the keyboard as the screen shows, and again
// after a wrong code: the cashier types the code and Enter without clicking the field (walker S4
// W1). On a phone nothing is focused: a focused field would raise the system keyboard over the
// PIN pad.
func TestLockCodeTypedWithoutAClick(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	if _, ok := h.u.current.(*lockScreen); !ok {
		t.Fatalf("not the lock screen: %T", h.u.current)
	}
	enter := func(code string) {
		t.Helper()
		f := h.w.Canvas().Focused()
		if phoneBuild {
			if f != nil {
				t.Fatalf("a phone's lock screen focused %T: the system keyboard would cover the PIN pad", f)
			}
			h.typeInto(h.T("lock.code.hint"), 0, code)
			h.tap(h.T("lock.enter"))
			return
		}
		if f == nil {
			t.Fatal("nothing has the keyboard on the lock screen: the typed code goes nowhere")
		}
		for _, r := range code {
			f.TypedRune(r)
		}
		f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		h.settle()
	}
	enter("9999")
	if _, ok := h.u.current.(*lockScreen); !ok {
		t.Fatalf("a wrong code let the cashier in: %T", h.u.current)
	}
	h.see(h.T("err.profile.code_wrong"))
	enter("1234")
	if _, ok := h.u.current.(*lockScreen); ok {
		t.Fatalf("still locked after the right code typed and Enter: %s", h.text())
	}
}
