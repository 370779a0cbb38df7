package ui

import (
	"testing"

	"fyne.io/fyne/v2"

	"github.com/ekassa-go/ekassa/i18n"
)

// Esc closes the dialog on top as its cancel would: the buyer's QR code, the share menu, the X
// report's confirmation (which then takes no report). Before, a desktop cashier's Esc did nothing
// under a dialog (walker S4 W20).
func TestEscClosesTheDialog(t *testing.T) {
	desktopOnly(t)
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.typeKeys("100")
	h.ctrl(fyne.KeyReturn)
	h.tap("Сформировать")
	doc := h.u.current
	for _, open := range []string{h.T("doc.qr.show"), h.T("share.title")} {
		h.tap(open)
		if h.w.Canvas().Overlays().Top() == nil {
			t.Fatalf("%q showed no dialog", open)
		}
		h.key(fyne.KeyEscape)
		if h.w.Canvas().Overlays().Top() != nil {
			t.Fatalf("Esc left the dialog of %q open", open)
		}
		if h.u.current != doc {
			t.Fatalf("Esc over the dialog of %q also left the document: %T", open, h.u.current)
		}
	}
	h.tap("Готово")
	h.ctrl("", &fyne.ShortcutCut{}) // Ctrl+X: the X report's confirmation
	h.see(h.T("reports.x.confirm"))
	h.key(fyne.KeyEscape)
	if h.w.Canvas().Overlays().Top() != nil {
		t.Fatal("Esc left the X report's confirmation open")
	}
	if h.u.current != h.u.reg {
		t.Fatalf("Esc on the confirmation took the X report: %T", h.u.current)
	}
}
