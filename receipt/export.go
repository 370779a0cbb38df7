package receipt

import (
	"fmt"
	"io"
	"strings"

	"github.com/ekassa-go/ekassa/kkm"
)

// Export is a document ready to share: its text, its check link, its picture, and file names to
// offer in a save dialog. The dialog itself is the UI's.
type Export struct {
	Text      string // the document as printed, with the check link after it when there is one
	Link      string // the check link the QR code holds; empty for documents without one
	PNG       []byte // the picture with the QR code
	TextName  string // a file name for the text, e.g. "20260302-0912-receipt-1-2.txt"
	ImageName string // a file name for the picture, the same with ".png"
}

// Export lays out, draws and names a document for sharing. Options as for Render; a phone
// screen is served well by kkm.ReceiptColumns42 at scale 2 with a margin of 1.
func (r *Renderer) Export(doc kkm.Document, s kkm.Settings, mark kkm.FiscalMark, opt Options) (Export, error) {
	if opt.Columns == 0 {
		opt.Columns = kkm.ReceiptColumns80mm
	}
	img, err := r.Render(doc, s, mark, opt)
	if err != nil {
		return Export{}, err
	}
	b, err := EncodePNG(img)
	if err != nil {
		return Export{}, err
	}
	base := FileBase(doc)
	return Export{
		Text:      ShareText(doc, s, mark, opt.Columns),
		Link:      kkm.CheckLink(doc, s, mark),
		PNG:       b,
		TextName:  base + ".txt",
		ImageName: base + ".png",
	}, nil
}

// ShareText returns the document's text at the given width followed, for a receipt with a check
// link, by the link itself, so the buyer can open it from a message.
func ShareText(doc kkm.Document, s kkm.Settings, mark kkm.FiscalMark, columns int) string {
	text := kkm.ReceiptText(doc, s, mark, columns)
	if link := kkm.CheckLink(doc, s, mark); link != "" {
		text += "\n" + link + "\n"
	}
	return text
}

// WriteText writes ShareText to w (for a save dialog's writer, say).
func WriteText(w io.Writer, doc kkm.Document, s kkm.Settings, mark kkm.FiscalMark, columns int) error {
	if _, err := io.WriteString(w, ShareText(doc, s, mark, columns)); err != nil {
		return fmt.Errorf("receipt: write text: %w", err)
	}
	return nil
}

// FileBase names a document's files without extension: its date and time, kind, shift and number,
// e.g. "20260302-0912-receipt-1-2", "20260302-1900-z-report-1", "20260302-1025-x-report-1". Only
// ASCII letters, digits and dashes, so every file system and share target takes it.
func FileBase(doc kkm.Document) string {
	kind := strings.ReplaceAll(string(doc.Kind), "_", "-")
	if doc.Kind == kkm.KindReceipt && doc.Receipt != nil {
		switch doc.Receipt.Operation {
		case kkm.OpSaleReturn:
			kind = "sale-return"
		case kkm.OpPurchase:
			kind = "purchase"
		case kkm.OpPurchaseReturn:
			kind = "purchase-return"
		}
	}
	name := fmt.Sprintf("%s-%s-%d", doc.Time.Format("20060102-1504"), kind, doc.ShiftNumber)
	if doc.Number > 0 && doc.Kind != kkm.KindZReport {
		name += fmt.Sprintf("-%d", doc.Number)
	}
	return name
}
