package ui

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// docLine is one line of a document as shown and as shared in text: a left part, an optional
// amount on the right.
type docLine struct {
	left, right string
	bold        bool
}

// documentLines lays a document out as a receipt reads, in the cashier's language: the seller,
// the document's title and number, its content and the fiscal sign or the offline mark.
func documentLines(l *i18n.Localizer, d IssuedDocument, set kkm.Settings, issued bool) []docLine {
	doc := d.Document
	var out []docLine
	add := func(left, right string, b bool) { out = append(out, docLine{left, right, b}) }
	reg := set.Reg
	if reg.OrgTitle != "" {
		add(reg.OrgTitle, "", true)
	}
	if reg.OrgIINBIN != "" {
		add(l.T("reg.iin_bin"), reg.OrgIINBIN, false)
	}
	if reg.PointAddress != "" {
		add(reg.PointAddress, "", false)
	}
	if issued {
		add(documentTitle(l, doc), "", true)
		add(dateTime(l, doc.Time), "", false)
	}
	if doc.Operator.Name != "" {
		add(l.T("doc.cashier"), doc.Operator.Name, false)
	}
	switch doc.Kind {
	case kkm.KindReceipt:
		if doc.Receipt != nil {
			out = append(out, receiptLines(l, doc.Receipt)...)
		}
	case kkm.KindCashIn, kkm.KindCashOut:
		add(l.T("doc.amount"), money(l, doc.Cash), true)
	case kkm.KindXReport, kkm.KindZReport:
		if doc.Report != nil {
			out = append(out, reportLines(l, doc.Report)...)
		}
	}
	if issued && doc.Kind.Fiscal() {
		if reg.RNM != "" {
			add(l.T("reg.rnm"), reg.RNM, false)
		}
		if reg.ZNM != "" {
			add(l.T("reg.znm"), reg.ZNM, false)
		}
		switch {
		case d.Refused != nil:
			add(l.T("doc.refused.short"), "", true)
		case d.FiscalSign != "":
			add(l.T("doc.fiscal_sign"), d.FiscalSign, true)
		case d.Answered:
			add(l.T("doc.accepted"), "", true)
		case doc.Offline:
			add(offlineMark(l, doc), "", true)
		default:
			add(l.T("doc.waiting"), "", true)
		}
		if reg.OFDTitle != "" {
			add(l.T("doc.ofd"), reg.OFDTitle, false)
		}
	}
	return out
}

// receiptLines are the lines and totals of a receipt.
func receiptLines(l *i18n.Localizer, r *kkm.Receipt) []docLine {
	var out []docLine
	add := func(left, right string, b bool) { out = append(out, docLine{left, right, b}) }
	if r.Parent != nil {
		add(l.T("doc.parent"), r.Parent.Number, false)
	}
	for i, ln := range r.Lines {
		name := ln.Name
		if name == "" {
			name = l.T("doc.simple_line", map[string]any{"Index": i + 1})
		}
		add(name, "", false)
		if ln.NTIN != "" {
			add(l.T("doc.ntin", map[string]any{"Code": ln.NTIN}), "", false)
		}
		for _, c := range ln.Codes {
			add(l.T("doc.marking", map[string]any{"Code": printedCode(c)}), "", false)
		}
		add(l.T("doc.line", map[string]any{"Quantity": quantity(l, ln.Quantity), "Unit": unitName(l, ln.Unit),
			"Price": money(l, ln.Price)}), money(l, ln.Gross), false)
		if ln.Discount > 0 {
			add(l.T("doc.discount"), "-"+money(l, ln.Discount), false)
		}
		if ln.Markup > 0 {
			add(l.T("doc.markup"), "+"+money(l, ln.Markup), false)
		}
	}
	if r.Discount > 0 {
		add(l.T("doc.receipt_discount"), "-"+money(l, r.Discount), false)
	}
	if r.Markup > 0 {
		add(l.T("doc.receipt_markup"), "+"+money(l, r.Markup), false)
	}
	add(l.T("doc.total"), money(l, r.Total), true)
	for _, p := range r.Payments {
		add(paymentName(l, p.Type), money(l, p.Sum), false)
	}
	if r.Change > 0 {
		add(l.T("doc.change"), money(l, r.Change), true)
	}
	for _, t := range r.Taxes {
		add(l.T("doc.vat_included", map[string]any{"Rate": vatName(l, t.Rate)}), money(l, t.VAT), false)
	}
	if len(r.Taxes) == 0 {
		add(l.T("vat.none"), "", false)
	}
	if r.BuyerIINBIN != "" {
		add(l.T("doc.buyer"), r.BuyerIINBIN, false)
	}
	return out
}

// reportLines are the counters of an X or Z report.
func reportLines(l *i18n.Localizer, r *kkm.Report) []docLine {
	var out []docLine
	add := func(left, right string, b bool) { out = append(out, docLine{left, right, b}) }
	add(l.T("report.shift"), fmt.Sprint(r.ShiftNumber), true)
	add(l.T("report.opened"), dateTime(l, r.OpenTime), false)
	if !r.CloseTime.IsZero() {
		add(l.T("report.closed"), dateTime(l, r.CloseTime), false)
	}
	for _, op := range []kkm.Operation{kkm.OpSale, kkm.OpSaleReturn, kkm.OpPurchase, kkm.OpPurchaseReturn} {
		c := r.Receipts[op]
		add(operationName(l, op), l.T("report.count_sum", map[string]any{"Count": c.Count, "Sum": money(l, c.Sum)}), false)
		for _, p := range c.Payments {
			if p.Sum != 0 {
				add("  "+paymentName(l, p.Type), money(l, p.Sum), false)
			}
		}
		if c.ChangeSum != 0 {
			add("  "+l.T("doc.change"), money(l, c.ChangeSum), false)
		}
	}
	in, outc := r.Placements[kkm.PlacementCashIn], r.Placements[kkm.PlacementCashOut]
	add(l.T("op.cash_in"), l.T("report.count_sum", map[string]any{"Count": in.Count, "Sum": money(l, in.Sum)}), false)
	add(l.T("op.cash_out"), l.T("report.count_sum", map[string]any{"Count": outc.Count, "Sum": money(l, outc.Sum)}), false)
	for _, t := range r.Taxes {
		add(l.T("doc.vat_included", map[string]any{"Rate": vatName(l, t.Rate)}), money(l, t.Operations[kkm.OpSale].VAT), false)
	}
	add(l.T("report.revenue"), money(l, r.Revenue), true)
	add(l.T("report.cash"), money(l, r.CashInDrawer), true)
	add(l.T("report.non_nullable"), "", false)
	for _, op := range []kkm.Operation{kkm.OpSale, kkm.OpSaleReturn, kkm.OpPurchase, kkm.OpPurchaseReturn} {
		add("  "+operationName(l, op), money(l, r.NonNullable[op]), false)
	}
	return out
}

// documentCard shows a document as a receipt looks: its lines, then the QR code.
func (u *UI) documentCard(d IssuedDocument, issued bool) fyne.CanvasObject {
	l := u.loc
	box := container.NewVBox()
	for _, ln := range documentLines(l, d, u.ports.Settings.Settings(), issued) {
		left := widget.NewLabelWithStyle(ln.left, fyne.TextAlignLeading, fyne.TextStyle{Bold: ln.bold})
		left.Wrapping = fyne.TextWrapWord
		if ln.right == "" {
			box.Add(left)
			continue
		}
		right := widget.NewLabelWithStyle(ln.right, fyne.TextAlignTrailing, fyne.TextStyle{Bold: ln.bold})
		box.Add(container.NewBorder(nil, nil, nil, right, left))
	}
	if d.QRLink != "" {
		if img := qrImage(d.QRLink); img != nil {
			box.Add(container.NewCenter(img))
		}
	}
	paper := canvas.NewRectangle(receiptTheme{}.Color(theme.ColorNameBackground, theme.VariantLight))
	return container.NewThemeOverride(container.NewStack(paper, container.NewPadded(box)), receiptTheme{})
}

// receiptTheme draws a document as a paper receipt: dark text on white, lines set close
// together, whatever the app's theme.
type receiptTheme struct{}

// Color is the default theme's light variant.
func (receiptTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return theme.DefaultTheme().Color(n, theme.VariantLight)
}

// Font is the default theme's.
func (receiptTheme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

// Icon is the default theme's.
func (receiptTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

// Size tightens the padding around the lines.
func (receiptTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameInnerPadding:
		return 2
	case theme.SizeNamePadding:
		return 2
	}
	return theme.DefaultTheme().Size(n)
}

// qrImage is the QR code of a link.
func qrImage(link string) *canvas.Image {
	b, err := qrcode.Encode(link, qrcode.Medium, 256)
	if err != nil {
		return nil
	}
	img := canvas.NewImageFromResource(fyne.NewStaticResource("qr.png", b))
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSize(180, 180))
	return img
}
