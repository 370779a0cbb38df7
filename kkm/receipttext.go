package kkm

import (
	"strconv"
	"strings"
)

// FiscalMark is what the OFD answered for a fiscal document, kept by the journal beside it: the
// fiscal sign, the check link for the QR code, and the OFD's name as the answer or the
// registration gives it. The zero FiscalMark stands for a document the OFD has not answered yet.
type FiscalMark struct {
	Sign     string `json:"sign,omitempty"`      // the fiscal sign (the answer's ticket_number)
	QRLink   string `json:"qr_link,omitempty"`   // the answer's qr_code, a URL used as is
	OFDTitle string `json:"ofd_title,omitempty"` // the OFD's name; empty takes Settings.Reg.OFDTitle
	// Accepted is whether the OFD has answered. Cash in, cash out and the Z report are answered
	// without a fiscal sign; once accepted, an offline one no longer reads as not yet sent.
	Accepted bool `json:"accepted,omitempty"`
}

// KazakhtelecomOFDTitle is the name printed for Kazakhtelecom's OFD when neither the answer nor the
// registration names the OFD and the receipts are checked on its site.
const KazakhtelecomOFDTitle = "АО «Казахтелеком»"

// PrintedTicketColumns is the width of the text sent to the OFD as printed_ticket.
const PrintedTicketColumns = ReceiptColumns42

// ReceiptDateTimeLayout is how receipts and reports print a date and time (day.month.year).
const ReceiptDateTimeLayout = "02.01.2006 15:04:05"

// ReceiptText lays out a document as printed on paper or shown on screen, width columns wide (see
// ReceiptColumns; clamped to MinReceiptColumns…MaxReceiptColumns), every label in Kazakh and
// Russian. A receipt carries every detail of MinFin Order No. 626, para 56 that applies (the
// protocol fact sheet §6.3): taxpayer, address, IIN/BIN, serial and registration numbers,
// receipt and shift numbers, the items with quantity, unit, price and sum, discounts and markups,
// total, payments with the change, VAT by rate for a VAT payer, the buyer's IIN/BIN when given,
// the OFD's name and check site, date and time, fiscal sign and cashier. A return names its
// original; an offline document says it is not yet fiscalised and shows its offline number. Cash
// in and out, X and Z reports get their own layouts. The QR code itself (detail 16) is drawn
// beside the text by whoever renders it, from CheckLink.
//
// ReceiptText is pure: the same arguments give the same text, byte for byte.
func ReceiptText(doc Document, s Settings, mark FiscalMark, width int) string {
	return layoutDocument(doc, s, mark, width, false)
}

// PrintedTicket returns the text sent to the OFD as the receipt's printed_ticket: the document as
// ReceiptText lays it out at PrintedTicketColumns, before the OFD's answer, so without a fiscal
// sign (an online document) or with its offline number (an offline one).
func PrintedTicket(doc Document, s Settings) string {
	return layoutDocument(doc, s, FiscalMark{}, PrintedTicketColumns, true)
}

// CheckLink returns the link a receipt's QR code holds (fact sheet §6.4): the OFD's own link when
// it has answered, used as is; for a receipt issued offline and not yet answered, the register's
// OFD's format built locally from the check site, the offline number, the RNM, the total and the time
// (see QRLink). It is empty for other documents and for an online receipt still waiting for its
// answer.
func CheckLink(doc Document, s Settings, mark FiscalMark) string {
	if mark.QRLink != "" {
		return mark.QRLink
	}
	if doc.Kind != KindReceipt || doc.Receipt == nil {
		return ""
	}
	sign := mark.Sign
	if sign == "" {
		if !doc.Offline {
			return ""
		}
		// Offline and not yet answered: the register's own link, with its offline number where
		// the OFD's link has the fiscal sign. This is the one place it is built.
		sign = strconv.FormatUint(uint64(doc.OfflineNumber), 10)
	}
	return QRLink(s.CheckSite(), sign, s.Reg.RNM, doc.Receipt.Total, doc.Time)
}

// label is a label in Kazakh and Russian, with a short form for narrow paper.
type label struct{ kk, ru, short string }

// String joins the two languages: "Сатылым / Продажа", or one word when they are the same.
func (l label) String() string {
	if l.kk == l.ru || l.kk == "" {
		return l.ru
	}
	return l.kk + " / " + l.ru
}

// Short returns the short form, or the full one when there is none.
func (l label) Short() string {
	if l.short != "" {
		return l.short
	}
	return l.String()
}

// The labels of receipts and reports. The Kazakh abbreviations follow the Kazakh text of Order
// 626: БКМ (бақылау-касса машинасы) for ККМ, ЗН (зауыттық нөмірі) for ЗНМ, ТН (тіркеу нөмірі)
// for РНМ, ФБ (фискалдық белгі) for ФП, ФДО (фискалдық деректер операторы) for ОФД, ЖСН/БСН for
// ИИН/БИН.
var (
	lblFiscalReceipt  = label{kk: "ФИСКАЛДЫҚ ЧЕК", ru: "ФИСКАЛЬНЫЙ ЧЕК"}
	lblIIN            = label{kk: "ЖСН", ru: "ИИН"}
	lblBIN            = label{kk: "БСН", ru: "БИН"}
	lblIINBIN         = label{kk: "ЖСН/БСН", ru: "ИИН/БИН"}
	lblVATCert        = label{kk: "ҚҚС куәлігі", ru: "Свид. НДС"}
	lblZNM            = label{kk: "БКМ зауыттық нөмірі", ru: "ЗНМ", short: "БКМ ЗН / ЗНМ"}
	lblRNM            = label{kk: "БКМ тіркеу нөмірі", ru: "РНМ", short: "БКМ ТН / РНМ"}
	lblReceiptNo      = label{kk: "Чек №", ru: "Чек №"}
	lblDocumentNo     = label{kk: "Құжат №", ru: "Документ №"}
	lblShiftNo        = label{kk: "Ауысым", ru: "Смена №"}
	lblDateTime       = label{kk: "Күні, уақыты", ru: "Дата, время", short: "Күні / Дата"}
	lblCashier        = label{kk: "Кассир", ru: "Кассир"}
	lblDiscount       = label{kk: "Жеңілдік", ru: "Скидка"}
	lblMarkup         = label{kk: "Үстеме", ru: "Наценка"}
	lblSubtotal       = label{kk: "Аралық сома", ru: "Подытог"}
	lblReceiptDisc    = label{kk: "Чекке жеңілдік", ru: "Скидка на чек"}
	lblReceiptMarkup  = label{kk: "Чекке үстеме", ru: "Наценка на чек"}
	lblTotal          = label{kk: "ЖИЫНЫ", ru: "ИТОГО"}
	lblChange         = label{kk: "Қайтарым", ru: "Сдача"}
	lblNoVAT          = label{kk: "ҚҚС-сыз", ru: "Без НДС"}
	lblBuyer          = label{kk: "Сатып алушының ЖСН/БСН", ru: "ИИН/БИН покупателя"}
	lblParent         = label{kk: "Бастапқы чек", ru: "Исходный чек"}
	lblSum            = label{kk: "Сомасы", ru: "Сумма"}
	lblNTIN           = label{kk: "ҰТК", ru: "НКТ", short: "ҰТК/НКТ"} // Ұлттық тауарлар каталогы / Национальный каталог товаров
	lblMarking        = label{kk: "Таңбалау коды", ru: "Код маркировки", short: "ТК / КМ"}
	lblFiscalSign     = label{kk: "Фискалдық белгі", ru: "Фискальный признак", short: "ФБ / ФП"}
	lblOfflineNo      = label{kk: "Автономды нөмір", ru: "Автономный номер", short: "Автономды № / Автономный №"}
	lblOFD            = label{kk: "ФДО", ru: "ОФД"}
	lblCheckSite      = label{kk: "Чекті тексеру", ru: "Проверка чека", short: "Тексеру / Проверка"}
	lblOffline        = label{kk: "АВТОНОМДЫ РЕЖИМ", ru: "АВТОНОМНЫЙ РЕЖИМ"}
	lblAwaiting       = label{kk: "күтілуде", ru: "ожидается"}
	lblNotSentReceipt = label{kk: "Чек ФДО-ға әлі жіберілмеген", ru: "Чек ещё не передан в ОФД"}
	lblNotSentDoc     = label{kk: "Құжат ФДО-ға әлі жіберілмеген", ru: "Документ ещё не передан в ОФД"}
)

// operationLabel names a receipt operation.
func operationLabel(op Operation) label {
	switch op {
	case OpPurchase:
		return label{kk: "Сатып алу", ru: "Покупка"}
	case OpPurchaseReturn:
		return label{kk: "Сатып алуды қайтару", ru: "Возврат покупки"}
	case OpSaleReturn:
		return label{kk: "Сатылымды қайтару", ru: "Возврат продажи"}
	}
	return label{kk: "Сатылым", ru: "Продажа"}
}

// paymentLabel names a payment type.
func paymentLabel(t PaymentType) label {
	switch t {
	case PayCard:
		return label{kk: "Банк картасы", ru: "Банковская карта", short: "Карта"}
	case PayMobile:
		return label{kk: "Мобильді төлем", ru: "Мобильный платёж", short: "Мобильді / Мобильный"}
	}
	return label{kk: "Қолма-қол", ru: "Наличные"}
}

// vatLabel names the VAT included in the total at a rate: «о.і. ҚҚС 16% / в т.ч. НДС 16%»,
// shortened on narrow paper to «о.і./в т.ч. ҚҚС/НДС 16%». Both languages say "including"
// (о.і. = оның ішінде, as the screen says): a bare «ҚҚС 16%» reads as VAT added on top.
func vatLabel(r VATRate) label {
	p := strconv.FormatInt(r.Percent(), 10) + "%"
	return label{kk: "о.і. ҚҚС " + p, ru: "в т.ч. НДС " + p, short: "о.і./в т.ч. ҚҚС/НДС " + p}
}

// layoutDocument lays out any document; printed leaves out what only the OFD's answer gives.
func layoutDocument(doc Document, s Settings, mark FiscalMark, width int, printed bool) string {
	sh := newSheet(width)
	header(sh, s)
	switch doc.Kind {
	case KindReceipt:
		if doc.Receipt != nil {
			receiptBody(sh, doc, s)
		}
	case KindCashIn, KindCashOut:
		cashBody(sh, doc)
	case KindXReport, KindZReport:
		if doc.Report != nil {
			reportBody(sh, doc)
		}
	}
	if doc.Kind.Fiscal() {
		fiscalFooter(sh, doc, s, mark, printed)
	}
	return sh.String()
}

// header lays out who issues the document and on which register: taxpayer, trading point,
// addresses in Kazakh and Russian, IIN/BIN, VAT certificate, ZNM and RNM.
func header(sh *sheet, s Settings) {
	r := s.Reg
	if r.OrgTitle != "" {
		sh.center(r.OrgTitle)
	}
	if r.PointTitle != "" && r.PointTitle != r.OrgTitle {
		sh.center(r.PointTitle)
	}
	kz, ru := r.PointAddressKZ, r.PointAddress
	if kz == "" && ru == "" {
		kz, ru = r.OrgAddressKZ, r.OrgAddress
	}
	if kz != "" {
		sh.center(kz)
	}
	if ru != "" && ru != kz {
		sh.center(ru)
	}
	if r.OrgIINBIN != "" {
		sh.pair(iinbinLabel(r.OrgIINBIN).String(), r.OrgIINBIN)
	}
	if s.VATPayer && s.VATCertificateNumber != "" {
		cert := s.VATCertificateNumber
		if s.VATCertificateSeries != "" {
			cert = s.VATCertificateSeries + " № " + cert
		}
		sh.pair(lblVATCert.String(), cert)
	}
	znm := r.ZNM
	if znm == "" {
		znm = s.SerialNumber
	}
	if znm != "" {
		sh.pair(sh.labelled(lblZNM.String(), lblZNM.Short(), znm), znm)
	}
	if r.RNM != "" {
		sh.pair(sh.labelled(lblRNM.String(), lblRNM.Short(), r.RNM), r.RNM)
	}
	sh.rule("-")
}

// iinbinLabel tells an IIN from a BIN by its fifth digit (the tens of the birth day, 0–3, in an
// IIN; the kind of entity, 4–6, in a BIN) and labels it so.
func iinbinLabel(n string) label {
	if len(n) != 12 {
		return lblIINBIN
	}
	switch n[4] {
	case '0', '1', '2', '3':
		return lblIIN
	case '4', '5', '6':
		return lblBIN
	}
	return lblIINBIN
}

// documentLines lays out the title block shared by every document: the titles centred, then the
// number, shift, date and time, and cashier.
func documentLines(sh *sheet, numberLabel string, number uint32, doc Document, titles ...label) {
	for _, t := range titles {
		sh.centerLabel(t)
	}
	if number > 0 {
		sh.pair(numberLabel, strconv.FormatUint(uint64(number), 10))
	}
	sh.pair(lblShiftNo.String(), strconv.FormatUint(uint64(doc.ShiftNumber), 10))
	when := doc.Time.Format(ReceiptDateTimeLayout)
	sh.pair(sh.labelled(lblDateTime.String(), lblDateTime.Short(), when), when)
	if doc.Operator.Name != "" {
		sh.pair(lblCashier.String(), doc.Operator.Name)
	}
}

// receiptBody lays out a receipt from its title to its VAT and buyer.
func receiptBody(sh *sheet, doc Document, s Settings) {
	rc := doc.Receipt
	documentLines(sh, lblReceiptNo.String(), doc.Number, doc, lblFiscalReceipt, upper(operationLabel(rc.Operation)))
	if p := rc.Parent; p != nil {
		parentLines(sh, p, s)
	}
	sh.rule("-")
	for i, l := range rc.Lines {
		lineLines(sh, i+1, l)
	}
	sh.rule("-")
	if rc.Discount > 0 || rc.Markup > 0 {
		sh.pair(lblSubtotal.String(), rc.Subtotal.String())
		if rc.Discount > 0 {
			sh.pair(modifierLabel(lblReceiptDisc, rc.Modifier), "-"+rc.Discount.String())
		}
		if rc.Markup > 0 {
			sh.pair(modifierLabel(lblReceiptMarkup, rc.Modifier), "+"+rc.Markup.String())
		}
	}
	sh.pair(lblTotal.String(), rc.Total.Format())
	sh.rule("-")
	for _, p := range rc.Payments {
		l := paymentLabel(p.Type)
		v := p.Sum.String()
		sh.pair(sh.labelled(l.String(), l.Short(), v), v)
	}
	if rc.Change > 0 {
		sh.pair(lblChange.String(), rc.Change.String())
	}
	if s.VATPayer {
		vatLines(sh, rc)
	}
	if rc.BuyerIINBIN != "" {
		sh.pair(lblBuyer.String(), rc.BuyerIINBIN)
	}
}

// upper returns the label in capitals, as operation titles are printed.
func upper(l label) label {
	return label{kk: strings.ToUpper(l.kk), ru: strings.ToUpper(l.ru), short: strings.ToUpper(l.short)}
}

// parentLines names a return's original: its fiscal sign (or offline number), date and time,
// register when another, and total.
func parentLines(sh *sheet, p *ParentReceipt, s Settings) {
	sh.text(lblParent.String() + ":")
	num := lblFiscalSign
	if p.Offline {
		num = lblOfflineNo
	}
	sh.pair(sh.labelled(num.String(), num.Short(), p.Number), p.Number)
	when := p.Time.Format(ReceiptDateTimeLayout)
	sh.pair(sh.labelled(lblDateTime.String(), lblDateTime.Short(), when), when)
	if p.RNM != "" && p.RNM != s.Reg.RNM {
		sh.pair(lblRNM.Short(), p.RNM)
	}
	sh.pair(lblSum.String(), p.Total.String())
}

// lineLines lays out one item: its number and name (wrapped, with a hanging indent), its product
// code in the National Catalogue of Goods when it has one (para 56 item 8: «ҰТК / НКТ: <code>»,
// «ҰТК/НКТ: <code>» where that is too wide, the code going under the label when even that does
// not fit), the marking code of each unit of a marked item (para 56 item 8 too: «Таңбалау
// коды / Код маркировки:», «ТК / КМ:» where that is too wide, then one code a line), then
// quantity, unit and price with the sum before modifiers, then its own discount or markup.
func lineLines(sh *sheet, n int, l Line) {
	num := strconv.Itoa(n) + ". "
	indent := TextWidth(num)
	sh.para(num, indent, l.Name)
	if l.NTIN != "" {
		code := lblNTIN.String() + ": " + l.NTIN
		if short := lblNTIN.Short() + ": " + l.NTIN; TextWidth(code) > sh.w-indent && TextWidth(short) <= sh.w-indent {
			code = short
		}
		sh.para("", indent, code)
	}
	if len(l.Codes) > 0 {
		lbl := lblMarking.String() + ":"
		if TextWidth(lbl) > sh.w-indent {
			lbl = lblMarking.Short() + ":"
		}
		sh.para("", indent, lbl)
		for _, code := range l.Codes {
			sh.para("", indent, printedMarkingCode(code))
		}
	}
	qty := l.Quantity.String() + " " + unitName(l.Unit) + " × " + l.Price.String()
	sh.pairGap(indent, 2, qty, l.Gross.String())
	if l.Discount > 0 {
		sh.pairIndent(indent, modifierLabel(lblDiscount, l.Modifier), "-"+l.Discount.String())
	}
	if l.Markup > 0 {
		sh.pairIndent(indent, modifierLabel(lblMarkup, l.Modifier), "+"+l.Markup.String())
	}
}

// unitName prints a unit by its ИС ЭСФ code: "дана/шт", "кг", or the code itself when unknown.
func unitName(code string) string {
	if code == "" {
		code = UnitPiece
	}
	u, ok := UnitByCode(code)
	if !ok {
		return code
	}
	if u.NameKK == u.NameRU {
		return u.NameRU
	}
	return u.NameKK + "/" + u.NameRU
}

// modifierLabel names a discount or markup, with its percentage when it was typed as one.
func modifierLabel(l label, m *Modifier) string {
	if m != nil && m.Percent > 0 {
		return l.String() + " " + formatDecimal(m.Percent, 2, true) + "%"
	}
	return l.String()
}

// vatLines lays out the VAT included in the total, per rate, and the turnover without VAT.
func vatLines(sh *sheet, rc *Receipt) {
	for _, t := range rc.Taxes {
		l := vatLabel(t.Rate)
		v := t.VAT.String()
		sh.pair(sh.labelled(l.String(), l.Short(), v), v)
	}
	var untaxed Money
	for _, l := range rc.Lines {
		if !l.VATRate.Taxed() {
			untaxed += l.Sum
		}
	}
	if untaxed > 0 {
		sh.pair(lblNoVAT.String(), untaxed.String())
	}
}

// fiscalFooter lays out what makes the document fiscal: the offline notice and number, the fiscal
// sign (or that it is awaited), the OFD and where to check the receipt.
func fiscalFooter(sh *sheet, doc Document, s Settings, mark FiscalMark, printed bool) {
	sh.rule("-")
	if doc.Offline {
		if mark.Sign == "" && !mark.Accepted {
			if banner := "*** " + lblOffline.String() + " ***"; TextWidth(banner) <= sh.w {
				sh.center(banner)
			} else {
				sh.center("*** " + lblOffline.kk + " ***")
				sh.center("*** " + lblOffline.ru + " ***")
			}
			notSent := lblNotSentDoc
			if doc.Kind == KindReceipt {
				notSent = lblNotSentReceipt
			}
			sh.centerLabel(notSent)
		}
		n := strconv.FormatUint(uint64(doc.OfflineNumber), 10)
		sh.pair(sh.labelled(lblOfflineNo.String(), lblOfflineNo.Short(), n), n)
	}
	switch {
	case mark.Sign != "":
		sh.pair(sh.labelled(lblFiscalSign.String(), lblFiscalSign.Short(), mark.Sign), mark.Sign)
	case doc.Kind == KindReceipt && !doc.Offline && !printed:
		sh.pair(lblFiscalSign.Short(), lblAwaiting.String())
	}
	ofd := mark.OFDTitle
	if ofd == "" {
		ofd = s.OFDTitle()
	}
	site := s.CheckSite()
	if ofd != "" {
		sh.pair(lblOFD.String(), ofd)
	}
	if doc.Kind == KindReceipt {
		sn := siteName(site)
		sh.pair(sh.labelled(lblCheckSite.String(), lblCheckSite.Short(), sn), sn)
		sh.centerLabel(lblFiscalReceipt)
	}
}

// centerLabel appends a bilingual label centred on one line, or, when it does not fit, the Kazakh
// and the Russian each centred on lines of their own.
func (s *sheet) centerLabel(l label) {
	if full := l.String(); TextWidth(full) <= s.w || l.kk == l.ru {
		s.center(full)
		return
	}
	s.center(l.kk)
	s.center(l.ru)
}

// siteName prints a check site without its scheme and trailing "/": "consumer.oofd.kz",
// "ofd1.kz/t".
func siteName(site string) string {
	site = strings.TrimPrefix(site, "https://")
	return strings.TrimRight(strings.TrimPrefix(site, "http://"), "/")
}

// printedMarkingCode is a marking code as the receipt prints it: the unit's identification,
// "(01)<GTIN> (21)<serial>", which a buyer or inspector can read and check against the pack. The
// verification tail (91/92/93) is a signature for the OFD, goes on the wire whole, and would only
// fill paper; the space lets a narrow receipt break the code between GTIN and serial.
func printedMarkingCode(code string) string {
	c, err := ParseMarkingCode(code)
	if err != nil {
		return strings.ReplaceAll(code, GS, " ")
	}
	return "(01)" + c.GTIN + " (21)" + c.Serial
}
