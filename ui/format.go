package ui

import (
	"time"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// money formats an amount with the tenge sign in the conventions of the language: "1 234,50 ₸"
// in Kazakh and Russian, "1,234.50 ₸" in English.
func money(l *i18n.Localizer, m kkm.Money) string {
	// One formatter for the screen and the messages (i18n's Number).
	return l.Number(m.String()) + "\u00a0" + kkm.CurrencySign
}

// quantity formats a quantity in the conventions of the language.
func quantity(l *i18n.Localizer, q kkm.Quantity) string {
	return l.Number(q.String())
}

// dateTime formats a moment for the language: "02.01.2006 15:04" in Kazakh and Russian,
// "2006-01-02 15:04" in English.
func dateTime(l *i18n.Localizer, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if l.Lang() == i18n.English {
		return t.Format("2006-01-02 15:04")
	}
	return t.Format("02.01.2006 15:04")
}

// dateLayout is the layout a cashier types dates in, per language.
func dateLayout(l *i18n.Localizer) string {
	if l.Lang() == i18n.English {
		return "2006-01-02"
	}
	return "02.01.2006"
}

// duration formats a time left as hours and minutes, e.g. «23 ч 10 мин».
func duration(l *i18n.Localizer, d time.Duration) string {
	if d < 0 {
		d = 0
	}
	m := int64(d / time.Minute)
	return l.T("fmt.duration", map[string]any{"Hours": m / 60, "Minutes": m % 60})
}

// unitName returns the short name of a unit in the language (Kazakh names for Kazakh, Russian
// otherwise, as receipts print them), or the code if the unit is not in kkm's list.
func unitName(l *i18n.Localizer, code string) string {
	if code == "" {
		code = kkm.UnitPiece
	}
	u, ok := kkm.UnitByCode(code)
	if !ok {
		return code
	}
	// The screen speaks the cashier's language; the printed receipt keeps the kk/ru names the
	// law asks for (kkm's receipt text), whatever the language of the screen.
	if l.Lang() == i18n.English && l.Has("unit."+u.Code) {
		return l.T("unit." + u.Code)
	}
	if l.Lang() == i18n.Kazakh {
		return u.NameKK
	}
	return u.NameRU
}

// vatName names a VAT rate, e.g. «Без НДС», «НДС 16 %».
func vatName(l *i18n.Localizer, r kkm.VATRate) string {
	if !r.Taxed() {
		return l.T("vat.none")
	}
	return l.T("vat.rate", map[string]any{"Percent": r.Percent()})
}

// operationName names a receipt operation.
func operationName(l *i18n.Localizer, op kkm.Operation) string {
	switch op {
	case kkm.OpPurchase:
		return l.T("op.purchase")
	case kkm.OpPurchaseReturn:
		return l.T("op.purchase_return")
	case kkm.OpSaleReturn:
		return l.T("op.sale_return")
	}
	return l.T("op.sale")
}

// paymentName names a payment type.
func paymentName(l *i18n.Localizer, p kkm.PaymentType) string {
	switch p {
	case kkm.PayCard:
		return l.T("pay.card")
	case kkm.PayMobile:
		return l.T("pay.mobile")
	}
	return l.T("pay.cash")
}

// documentTitle names a document, e.g. «Продажа №3», «Z-отчет, смена 5».
func documentTitle(l *i18n.Localizer, d kkm.Document) string {
	data := map[string]any{"Number": d.Number, "Shift": d.ShiftNumber}
	switch d.Kind {
	case kkm.KindReceipt:
		if d.Receipt != nil {
			data["Operation"] = operationName(l, d.Receipt.Operation)
		}
		return l.T("doc.title.receipt", data)
	case kkm.KindCashIn:
		return l.T("doc.title.cash_in", data)
	case kkm.KindCashOut:
		return l.T("doc.title.cash_out", data)
	case kkm.KindXReport:
		return l.T("doc.title.x_report", data)
	case kkm.KindZReport:
		return l.T("doc.title.z_report", data)
	}
	return string(d.Kind)
}
