package ui

import (
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// ofdRefusal is the OFD's refusal as the runtime hands it to the screens: a translatable error
// with the result code's message and the OFD's text.
type ofdRefusal struct{ text string }

func (e ofdRefusal) Error() string                { return "refused: " + e.text }
func (e ofdRefusal) MessageID() string            { return "err.ofd.incorrect_data" }
func (e ofdRefusal) TemplateData() map[string]any { return map[string]any{"Text": e.text} }

// refuse makes the fake register blocked on document d, refused by the OFD for its content.
func (h *harness) refuse(d IssuedDocument, text string) {
	h.reg.mu.Lock()
	h.reg.refused = &RefusedDocument{Seq: d.Seq, Document: d.Document, Reason: ofdRefusal{text}}
	h.reg.mu.Unlock()
	h.reg.setBlock(BlockRefused)
	h.settle()
}

// A document the OFD refused for its content is never a dead end: the status line names it
// (type, number, shift) and the OFD's reason in the cashier's language, and offers to mark it
// refused (after a confirmation that says what it does) or to retry. Once marked, the register
// goes on, and history and the document screen show it with a clear mark and what to do.
func TestRefusedDocumentWayOut(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	if err := h.reg.SetNetworkCut(true); err != nil {
		t.Fatal(err)
	}
	d := h.sell(150000)
	h.refuse(d, "сумма вне диапазона")
	title := documentTitle(h.u.loc, d.Document)
	h.see(title, "сумма вне диапазона", h.T("status.block.refused.way_out"))
	h.shot("17-refused-block")
	h.tap(h.T("status.action.set_aside"))
	h.see(h.T("set_aside.confirm.text", map[string]any{"Document": title}))
	h.tap(h.T("set_aside.confirm.ok"))
	h.settle()
	if h.reg.setAside != 1 {
		t.Fatalf("set aside %d times", h.reg.setAside)
	}
	h.see(h.T("set_aside.done", map[string]any{"Document": title}))
	h.tap(h.T("button.ok"))
	h.notSee(h.T("status.block.refused.way_out"))

	h.tap(h.T("register.reports"))
	h.tap(h.T("reports.history"))
	h.see(h.T("doc.refused.short"))
	h.tap(title)
	h.see(h.T("doc.refused", map[string]any{"Reason": h.T("err.ofd.incorrect_data", map[string]any{"Text": "сумма вне диапазона"})}),
		h.T("doc.refused.note"))
	h.notSee(h.T("doc.waiting"))
	h.shot("18-refused-document")
}

// Retry stays a way out of the refused-document block.
func TestRefusedDocumentRetry(t *testing.T) {
	h := newHarness(t, true, true, i18n.Kazakh)
	h.unlock()
	d := h.sell(1000)
	h.refuse(d, "қате")
	h.see(documentTitle(h.u.loc, d.Document), h.T("status.action.set_aside"))
	h.tap(h.T("status.action.retry"))
	if h.reg.retried != 1 || h.reg.setAside != 0 {
		t.Fatalf("retried %d, set aside %d", h.reg.retried, h.reg.setAside)
	}
}

// A receipt the OFD refused with code 11 (its shift limit is shorter than 24 h): the status line
// names it, says it is kept and not counted, gives the OFD's limit in hours, and the way out is the
// Z report; then the receipt can be issued again in the new shift. In all three languages.
func TestShiftLimitRefusalMessage(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.Kazakh, i18n.Russian, i18n.English} {
		t.Run(string(lang), func(t *testing.T) {
			h := newHarness(t, true, true, lang)
			h.unlock()
			d := h.sell(1000)
			h.reg.mu.Lock()
			h.reg.reg.State.OFDShiftLimit = 12 * time.Hour
			h.reg.refused = &RefusedDocument{Seq: d.Seq, Document: d.Document, SetAside: true, Reason: ofdRefusal{"shift"}}
			h.reg.mu.Unlock()
			h.reg.advance(12*time.Hour + time.Minute)
			h.reg.notify()
			h.settle()
			h.see(h.T("status.refused.shift_limit", map[string]any{"Document": documentTitle(h.u.loc, d.Document), "Hours": 12}))
			h.see(h.T("status.action.close_shift"))
			h.reg.mu.Lock()
			h.reg.refused = nil
			h.reg.mu.Unlock()
			h.reg.notify()
			h.settle()
			h.see(h.T("status.block.shift_expired.hours", map[string]any{"Hours": 12}))
		})
	}
	_ = kkm.DefaultShiftLimit
}

// A document screen open while the document waits for the OFD shows it refused in place once
// it is marked refused from the status line (the screen reads waiting documents again on every
// status change).
func TestRefusedDocumentScreenUpdates(t *testing.T) {
	h := newHarness(t, true, true, i18n.English)
	h.unlock()
	if err := h.reg.SetNetworkCut(true); err != nil {
		t.Fatal(err)
	}
	d := h.sell(2500)
	h.tap(h.T("register.reports"))
	h.tap(h.T("reports.history"))
	title := documentTitle(h.u.loc, d.Document)
	h.tap(title)
	h.see(offlineMark(h.u.loc, d.Document))
	h.refuse(d, "bad data")
	h.tap(h.T("status.action.set_aside"))
	h.tap(h.T("set_aside.confirm.ok"))
	h.settle()
	h.tap(h.T("button.ok"))
	h.settle()
	h.see(h.T("doc.refused.note"))
	h.notSee(offlineMark(h.u.loc, d.Document))

	// «Issue again»: the same receipt, previewed, issued anew.
	h.tap(h.T("doc.issue_again"))
	h.tap(h.T("preview.issue"))
	h.settle()
	h.reg.mu.Lock()
	docs := append([]IssuedDocument(nil), h.reg.docs...)
	h.reg.mu.Unlock()
	last := docs[len(docs)-1]
	if len(docs) != 2 || last.Refused != nil || last.Document.Total() != d.Document.Total() ||
		len(last.Document.Receipt.Lines) != len(d.Document.Receipt.Lines) {
		t.Fatalf("issued again: %d documents, last %+v", len(docs), last.Document.Receipt)
	}
	h.see(documentTitle(h.u.loc, last.Document))
}
