package ui

import (
	"context"
	"fmt"
	"image/color"
	"io"
	"net/url"
	"slices"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/receipt"
)

// The document screen shows a document as issued: the text kkm lays out for paper and for the
// OFD's printed_ticket (every label in Kazakh and Russian, as the law wants it), with the fiscal
// sign or the offline mark and the QR code. It is the text in a monospace label rather than a
// picture: it stays crisp at every screen density, a screen reader reads it, and the 58 mm
// paper's 32 columns fit a 360 px phone in a readable size. Saving and printing draw the same text
// with package receipt.

// paperColumns is the width of a document on screen: the 58 mm paper's.
const paperColumns = kkm.ReceiptColumns58mm

// shareColumns is the width of the text and picture shared or saved: the printed_ticket's, the
// text the OFD keeps.
const shareColumns = kkm.PrintedTicketColumns

// paperTextSize is the size of the monospace text on screen: 32 columns of it fill a 360 px phone.
const paperTextSize = 16

// qrScreenSize is the size of the QR code shown large for a buyer's phone.
const qrScreenSize = 300

// receiptRenderer draws documents for saving and sharing, in the theme's monospace font (DejaVu
// Sans Mono, every Kazakh letter). It is made once, when first needed: reading the font is the
// costly part, and a Renderer is safe for concurrent use and never changes once made, so one
// serves every screen.
var receiptRenderer = sync.OnceValues(func() (*receipt.Renderer, error) {
	return receipt.NewRenderer(theme.DefaultTextMonospaceFont().Content())
})

// fiscalMark is what the OFD answered for a document, as package kkm lays it out. The OFD's name
// is left to the settings (kkm falls back to Kazakhtelecom's for its check sites).
func fiscalMark(d IssuedDocument) kkm.FiscalMark { return d.FiscalMark() }

// checkLink is the link a document's QR code holds; empty for documents without one.
func checkLink(d IssuedDocument, set kkm.Settings) string {
	return kkm.CheckLink(d.Document, set, fiscalMark(d))
}

// awaitsAnswer reports whether the OFD has still to answer for a document: a fiscal document
// without an answer, online (the OFD did not answer in time) or offline. The fiscal sign is not
// the test: cash in, cash out and the Z report are answered without one.
func awaitsAnswer(d IssuedDocument) bool {
	return d.Document.Kind.Fiscal() && !d.Answered && d.FiscalSign == "" && d.Refused == nil
}

// refusedMark says that the OFD refused a document, and why, in the cashier's language.
func refusedMark(l *i18n.Localizer, d IssuedDocument) string {
	return l.T("doc.refused", map[string]any{"Reason": l.Error(d.Refused)})
}

// documentState says in the cashier's language where a document stands with the OFD: its fiscal
// sign, accepted (an answer without a sign), its offline number, or that the answer is awaited.
// Empty for an X report.
func documentState(l *i18n.Localizer, d IssuedDocument) string {
	switch {
	case !d.Document.Kind.Fiscal():
		return ""
	case d.Refused != nil:
		return refusedMark(l, d) + "\n" + l.T("doc.refused.note")
	case d.FiscalSign != "":
		return l.T("doc.fiscal_sign") + ": " + d.FiscalSign
	case d.Answered:
		return l.T("doc.accepted")
	case d.Document.Offline:
		return offlineMark(l, d.Document)
	}
	return l.T("doc.waiting")
}

// offlineMark says that a document was issued offline, with its offline number: a receipt's, or
// a cash in/out's or a Z report's, which are not receipts.
func offlineMark(l *i18n.Localizer, d kkm.Document) string {
	id := "doc.offline"
	if d.Kind != kkm.KindReceipt {
		id = "doc.offline_document"
	}
	return l.T(id, map[string]any{"Number": d.OfflineNumber})
}

// documentScreen shows what an operation issued (a receipt, a cash movement, a report, or a cash
// out and its Z report) as the register prints it, with the ways to print and share it. A document
// the OFD has not answered yet is read once when the screen opens (for an answer that came before
// it), and then its answer comes by the journal port's SubscribeAnswers (UI.answered): its fiscal
// sign appears in place. Nothing here reads the journal on a status change.
type documentScreen struct {
	u        *UI
	docs     Issued
	papers   []*paperView // the documents' widgets, as the last view built them
	notice   string       // what the last print or share action did
	err      error        // why the last print or save failed
	printing bool
	mailTo   string // the buyer's e-mail as last typed (mailreceipt.go)

	checked bool // the waiting documents were read once, for answers that came before the screen

	// listed: opened from a list (the history), to which «Назад» returns with its filters; a
	// document just issued ends with «Готово» and the register instead.
	listed bool
}

// paperView is the widgets of one document, updated in place when its answer arrives.
type paperView struct {
	state *msgLabel       // the document's standing with the OFD, in the cashier's language
	text  *widget.Label   // the document as printed
	qr    *fyne.Container // the QR code, when the document has a check link
	large *widget.Button  // shows the QR code large
}

func newDocumentScreen(u *UI, docs Issued) *documentScreen {
	return &documentScreen{u: u, docs: slices.Clone(docs)}
}

// newListedDocumentScreen shows a document opened from a list, which «Назад» returns to.
func newListedDocumentScreen(u *UI, d IssuedDocument) *documentScreen {
	s := newDocumentScreen(u, Issued{d})
	s.listed = true
	return s
}

func (s *documentScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	set := u.ports.Settings.Settings()
	s.readWaiting()
	body := container.NewVBox()
	s.papers = make([]*paperView, len(s.docs))
	for i := range s.docs {
		if i > 0 {
			body.Add(widget.NewSeparator())
		}
		body.Add(s.paper(i, set))
	}

	printB := widget.NewButtonWithIcon(l.T("doc.print"), theme.DocumentPrintIcon(), s.print)
	if s.printing || len(s.docs) == 0 {
		printB.Disable()
	}
	shareB := widget.NewButtonWithIcon(l.T("share.title"), theme.MailForwardIcon(), s.share)
	if len(s.docs) == 0 {
		shareB.Disable()
	}
	notice := wrapped(s.notice)
	if s.notice == "" {
		notice.Hide()
	}
	title := l.T("doc.issued")
	if len(s.docs) > 0 {
		title = documentTitle(l, s.docs.Last().Document)
	}
	end := primary(l.T("button.done"), u.home)
	if s.listed {
		end = widget.NewButtonWithIcon(l.T("button.back"), theme.NavigateBackIcon(), u.back)
	}
	parts := []fyne.CanvasObject{errorText(l.Error(s.err)), notice, printB, shareB}
	if len(s.docs) == 1 && s.docs[0].Refused != nil && s.docs[0].Document.Receipt != nil {
		// The way on from a receipt the OFD refused: the same receipt, previewed, issued anew
		// (after a Z for code 11; a corrected one is typed as a new sale).
		d := s.docs[0]
		parts = append(parts, widget.NewButtonWithIcon(l.T("doc.issue_again"), theme.ViewRefreshIcon(), func() { u.issueAgain(d) }))
	}
	parts = append(parts, end)
	return page(u.header(title, s.listed), body, parts...)
}

// issueAgain opens the preview of a refused receipt as it was typed, to be issued anew.
func (u *UI) issueAgain(d IssuedDocument) {
	draft := kkm.DraftOf(*d.Document.Receipt)
	r, err := u.ports.Issuer.Preview(draft)
	if err != nil {
		u.inform("dialog.error", u.loc.Error(err))
		return
	}
	u.open(newPreviewScreen(u, draft, r, nil))
}

// paper builds the widgets of document i: its state, then the paper with the text and the QR code.
func (s *documentScreen) paper(i int, set kkm.Settings) fyne.CanvasObject {
	pv := &paperView{
		state: boldMsg(""),
		text:  widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true}),
		qr:    container.NewCenter(),
	}
	pv.large = widget.NewButtonWithIcon(s.u.loc.T("doc.qr.show"), theme.ZoomInIcon(), func() { s.showQR(i) })
	s.papers[i] = pv
	s.fill(pv, s.docs[i], set)
	white := canvas.NewRectangle(color.White)
	sheet := container.NewThemeOverride(
		container.NewStack(white, container.NewPadded(container.NewVBox(pv.text, pv.qr))), paperTheme{})
	box := container.NewVBox(pv.state, container.NewPadded(sheet), pv.large)
	if len(s.docs) > 1 {
		// A cash out and its Z report: each says what it is in the cashier's language.
		box.Objects = append([]fyne.CanvasObject{bold(documentTitle(s.u.loc, s.docs[i].Document))}, box.Objects...)
	}
	return box
}

// fill shows document d in pv.
func (s *documentScreen) fill(pv *paperView, d IssuedDocument, set kkm.Settings) {
	if st := documentState(s.u.loc, d); st != "" {
		pv.state.Importance = widget.MediumImportance
		if d.Refused != nil {
			pv.state.Importance = widget.DangerImportance // a clear mark: not counted
		}
		pv.state.SetText(st)
		pv.state.Show()
	} else {
		pv.state.Hide()
	}
	pv.text.SetText(kkm.ReceiptText(d.Document, set, fiscalMark(d), paperColumns))
	pv.qr.Objects = nil
	pv.large.Hide()
	if link := checkLink(d, set); link != "" {
		if img := qrCanvas(link, 360, 180); img != nil {
			pv.qr.Objects = []fyne.CanvasObject{img}
			pv.large.Show()
		}
	}
	pv.qr.Refresh()
}

// qrCanvas draws a QR code of link, drawn at px pixels and shown at least size units square.
func qrCanvas(link string, px int, size float32) *canvas.Image {
	qr, err := receipt.QRCode(link, px)
	if err != nil {
		return nil
	}
	img := canvas.NewImageFromImage(qr)
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScalePixels
	img.SetMinSize(fyne.NewSize(size, size))
	return img
}

// showQR shows document i's QR code large, for a buyer's phone to scan.
func (s *documentScreen) showQR(i int) {
	u, l := s.u, s.u.loc
	link := checkLink(s.docs[i], u.ports.Settings.Settings())
	img := qrCanvas(link, 3*qrScreenSize, qrScreenSize)
	if img == nil {
		return
	}
	hint := widget.NewLabelWithStyle(l.T("doc.qr.hint"), fyne.TextAlignCenter, fyne.TextStyle{})
	hint.Wrapping = fyne.TextWrapWord
	// The code on white, with its quiet zone, whatever the app's theme.
	code := container.NewStack(canvas.NewRectangle(color.White), img)
	u.dialogBox(l.T("doc.qr.title"), container.NewVBox(code, hint), dialogButton{text: l.T("button.done")})
}

// readWaiting reads each document still waiting for the OFD's answer once, when the screen is
// first shown: an answer that came between issuing and this screen is only in the journal. Later
// answers come by answered, which UI.Show subscribed to before any screen showed.
func (s *documentScreen) readWaiting() {
	if s.checked {
		return
	}
	s.checked = true
	var seqs []int64
	for _, d := range s.docs {
		if awaitsAnswer(d) {
			seqs = append(seqs, d.Seq)
		}
	}
	if len(seqs) == 0 || s.u.ports.Journal == nil {
		return
	}
	u := s.u
	u.background(func(ctx context.Context) func() {
		read := map[int64]IssuedDocument{}
		for _, seq := range seqs {
			if d, err := u.ports.Journal.Document(ctx, seq); err == nil {
				read[seq] = d
			}
		}
		return func() { s.update(read) }
	})
}

// answered shows the OFD's answer to one of the screen's documents in place.
func (s *documentScreen) answered(a Answer) {
	for _, d := range s.docs {
		if d.Seq == a.Seq && awaitsAnswer(d) {
			s.update(map[int64]IssuedDocument{a.Seq: a.apply(d)})
			return
		}
	}
}

// update takes the documents read again or answered and shows those the OFD has answered (or
// refused) in the meantime, in place, so that the screen does not jump while the cashier looks at
// it. It only moves forward: a read that knows less than an answer already shown is ignored.
func (s *documentScreen) update(read map[int64]IssuedDocument) {
	set := s.u.ports.Settings.Settings()
	for i, d := range s.docs {
		n, ok := read[d.Seq]
		if !ok || !awaitsAnswer(d) || n.Answered == d.Answered && n.FiscalSign == d.FiscalSign && n.QRLink == d.QRLink &&
			(n.Refused == nil) == (d.Refused == nil) {
			continue
		}
		refused := n.Refused != nil && d.Refused == nil
		s.docs[i] = n
		if i < len(s.papers) && s.papers[i] != nil {
			s.fill(s.papers[i], n, set)
		}
		if refused && s.u.current == s {
			// A refusal brings its own way on («Сформировать заново»): build the screen again.
			s.u.render()
			return
		}
	}
	if s.u.frame != nil {
		s.u.frame.Refresh()
	}
}

// share offers the ways to share the last document: its link and text to the clipboard, its
// picture and text to a file (on a phone, the save dialog reaches the system's share targets).
func (s *documentScreen) share() {
	u, l := s.u, s.u.loc
	last := s.docs.Last()
	set := u.ports.Settings.Settings()
	var d dialog.Dialog
	act := func(f func()) func() {
		return func() {
			d.Hide()
			f()
		}
	}
	link := widget.NewButtonWithIcon(l.T("share.copy_link"), theme.ContentCopyIcon(), act(func() {
		s.copy(checkLink(last, set))
	}))
	if checkLink(last, set) == "" {
		link.Disable()
	}
	text := widget.NewButtonWithIcon(l.T("share.copy_text"), theme.ContentCopyIcon(), act(func() {
		s.copy(receipt.ShareText(last.Document, set, fiscalMark(last), shareColumns))
	}))
	base := receipt.FileBase(last.Document)
	png := widget.NewButtonWithIcon(l.T("share.save_png"), theme.FileImageIcon(), act(func() {
		s.saveFile(base+".png", "share.saved_png", func(w io.Writer) error { return s.writePNG(w, last) })
	}))
	txt := widget.NewButtonWithIcon(l.T("share.save_text"), theme.FileTextIcon(), act(func() {
		s.saveFile(base+".txt", "share.saved_text", func(w io.Writer) error { return s.writeText(w, last) })
	}))
	// The check link through the buyer's messenger, opened on the phone: no server between.
	messenger := func(m receipt.Messenger, label string) *widget.Button {
		b := widget.NewButton(l.T(label), act(func() { s.openMessenger(m, last) }))
		if checkLink(last, set) == "" {
			b.Disable()
		}
		return b
	}
	wa, tg := messenger(receipt.WhatsApp, "share.whatsapp"), messenger(receipt.Telegram, "share.telegram")
	choices := container.NewVBox(link, wa, tg)
	if mail := s.mailButton(last, act); mail != nil {
		choices.Add(mail)
	}
	choices.Add(text)
	choices.Add(png)
	choices.Add(txt)
	d = u.dialogBox(l.T("share.title"), choices, dialogButton{text: l.T("button.cancel")})
}

// openMessenger opens the messenger with a message carrying the document's check link.
func (s *documentScreen) openMessenger(m receipt.Messenger, d IssuedDocument) {
	set := s.u.ports.Settings.Settings()
	var total kkm.Money
	if d.Document.Receipt != nil {
		total = d.Document.Receipt.Total
	}
	addr, err := url.Parse(receipt.ShareURL(m, s.u.loc.T("share.message", map[string]any{"Total": money(s.u.loc, total)}), checkLink(d, set)))
	if err == nil {
		err = s.u.openURL(addr)
	}
	if err != nil {
		s.err, s.notice = &uiError{id: errShareOpen, cause: err}, ""
	} else {
		s.err, s.notice = nil, s.u.loc.T("share.opened")
	}
	s.u.render()
}

// copy puts text on the clipboard.
func (s *documentScreen) copy(text string) {
	s.u.app.Clipboard().SetContent(text)
	s.err, s.notice = nil, s.u.loc.T("share.copied")
	s.u.render()
}

// writePNG writes the picture of a document with its QR code, drawn for a phone's screen.
func (s *documentScreen) writePNG(w io.Writer, d IssuedDocument) error {
	r, err := receiptRenderer()
	if err != nil {
		return err
	}
	exp, err := r.Export(d.Document, s.u.ports.Settings.Settings(), fiscalMark(d),
		receipt.Options{Columns: shareColumns, Scale: 2, Margin: 1})
	if err != nil {
		return err
	}
	_, err = w.Write(exp.PNG)
	return err
}

// writeText writes the text of a document with its check link.
func (s *documentScreen) writeText(w io.Writer, d IssuedDocument) error {
	return receipt.WriteText(w, d.Document, s.u.ports.Settings.Settings(), fiscalMark(d), shareColumns)
}

// saveFile asks where to save a file named name and writes it there; doneID is the notice shown
// when it is written.
func (s *documentScreen) saveFile(name, doneID string, write func(io.Writer) error) {
	u := s.u
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err == nil && w == nil {
			return // the cashier cancelled
		}
		if err == nil {
			err = write(w)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
		}
		s.err, s.notice = nil, ""
		if err != nil {
			s.err = &uiError{id: errShareSave, cause: err}
		} else {
			s.notice = u.loc.T(doneID)
		}
		u.render()
	}, u.win)
	d.SetFileName(name)
	titleFileDialog(d, u.loc, true)
	d.Show()
}

// print prints every document of the screen on the printer chosen in the settings (a cash out
// and its Z report on two slips), off the UI goroutine.
func (s *documentScreen) print() {
	u := s.u
	s.err, s.notice = nil, ""
	if u.ports.Printer == nil || u.ports.Settings.Settings().Printer.Address == "" {
		s.err = ErrPrinterNotSet
		u.render()
		return
	}
	docs := slices.Clone(s.docs)
	s.printing = true
	s.notice = u.loc.T("printer.printing")
	u.render()
	u.background(func(ctx context.Context) func() {
		err := u.ports.Printer.Print(ctx, docs)
		return func() {
			s.printing = false
			s.err, s.notice = err, ""
			if err == nil {
				s.notice = u.loc.T("printer.printed")
			}
			if u.current == s {
				u.render()
			}
		}
	})
}

// errShareOpen is the message ID of a messenger that could not be opened.
const errShareOpen = "err.share.open"

// errShareSave is the message ID of a file that could not be saved.
const errShareSave = "err.share.save"

// uiError is an error of a screen's own action with a message ID, wrapping its cause.
type uiError struct {
	id    string
	data  map[string]any
	cause error
}

// Error describes the failure for logs.
func (e *uiError) Error() string { return fmt.Sprintf("ui: %s: %v", e.id, e.cause) }

// Unwrap returns the cause.
func (e *uiError) Unwrap() error { return e.cause }

// MessageID is the key of the text.
func (e *uiError) MessageID() string { return e.id }

// TemplateData fills the text's placeholders.
func (e *uiError) TemplateData() map[string]any { return e.data }

// paperTheme draws a document as paper: the receipt theme, with monospace text large enough to
// read and small enough for a phone to show a 58 mm receipt's width whole.
type paperTheme struct{ receiptTheme }

// Size sets the text size.
func (t paperTheme) Size(n fyne.ThemeSizeName) float32 {
	if n == theme.SizeNameText {
		return paperTextSize
	}
	return t.receiptTheme.Size(n)
}
