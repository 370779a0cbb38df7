package ui

import (
	"context"
	"testing"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// A receipt with a receipt discount, paid part by card and part in cash: the return screen says
// what each line gives back after the discount and refunds it as it was paid; both items are
// returned one after the other, the second after the first (it used to be refused), and together
// they give back exactly what was paid, per payment type.
func TestReturnPaysBackWhatWasPaid(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	by := kkm.Operator{Code: 1, Name: "Кассир"}
	// 300,00 + 2 × 350,00 = 1 000,00, less 100,00: Хлеб pays 270,00, Сыр 630,00; card 600,00,
	// cash 300,00 (500,00 taken, 200,00 change).
	if _, err := h.reg.IssueReceipt(context.Background(), by, kkm.ReceiptDraft{Operation: kkm.OpSale,
		Lines:    []kkm.LineDraft{{Name: "Хлеб", Quantity: 1000, Price: 30000}, {Name: "Сыр", Quantity: 2000, Price: 35000}},
		Modifier: &kkm.Modifier{Kind: kkm.Discount, Amount: 10000},
		Payments: []kkm.Payment{{Type: kkm.PayCard, Sum: 60000}, {Type: kkm.PayCash, Sum: 50000}}}); err != nil {
		t.Fatal(err)
	}
	h.settle()

	h.choose("Продажа", "Возврат")
	h.tapPrefix("Продажа №1, смена 1")
	h.see(h.T("return.line.refund_left", map[string]any{"Sum": h.money(63000)})) // all of Сыр, as paid after the discount
	h.typeInto(h.T("return.quantity.hint"), 1, "1")
	h.see("Наличные: "+h.money(10500), "Карта: "+h.money(21000)) // 315,00 as paid: 1 : 2
	h.tap("Далее")
	h.tap("Сформировать")
	h.see("Возврат продажи №2")
	h.tap("Готово")

	h.choose("Продажа", "Возврат")
	h.tapPrefix("Продажа №1, смена 1")
	h.typeInto(h.T("return.quantity.hint"), 0, "1")
	h.typeInto(h.T("return.quantity.hint"), 1, "1")
	h.tap("Далее")
	h.tap("Сформировать")
	h.see("Возврат продажи №3")

	rs := h.reg.receipts()
	if len(rs) != 3 {
		t.Fatalf("issued %d receipts", len(rs))
	}
	var total kkm.Money
	byType := map[kkm.PaymentType]kkm.Money{}
	for _, r := range rs[1:] {
		total += r.Total
		for _, p := range r.Payments {
			byType[p.Type] += p.Sum
		}
	}
	if total != rs[0].Total || byType[kkm.PayCard] != 60000 || byType[kkm.PayCash] != 30000 {
		t.Fatalf("refunded %v (%v) of %v paid card 600,00 cash 300,00", total, byType, rs[0].Total)
	}
}

// A receipt paid by card is refunded to the card unless the cashier deliberately chooses cash,
// in every language; the choice is shown with its note.
func TestReturnOfACardReceiptGoesToTheCard(t *testing.T) {
	for _, lang := range i18n.Langs() {
		t.Run(string(lang), func(t *testing.T) {
			h := newHarness(t, true, true, lang)
			h.unlock()
			if _, err := h.reg.IssueReceipt(context.Background(), kkm.Operator{Code: 1, Name: "Кассир"}, kkm.ReceiptDraft{
				Operation: kkm.OpSale, Lines: []kkm.LineDraft{{Name: "Кітап", Quantity: 2000, Price: 250000}},
				Payments: []kkm.Payment{{Type: kkm.PayCard, Sum: 500000}}}); err != nil {
				t.Fatal(err)
			}
			h.settle()
			h.choose(h.T("op.sale"), h.T("op.return"))
			h.tapPrefix(h.T("doc.title.receipt", map[string]any{"Operation": h.T("op.sale"), "Number": 1, "Shift": 1}))
			h.typeInto(h.T("return.quantity.hint"), 0, "1")
			card := h.T("return.refund.line", map[string]any{"Pay": h.T("pay.card"), "Sum": h.money(250000)})
			h.see(card)
			h.tap(h.T("return.refund.cash"))
			h.see(h.T("return.refund.other_note"), h.T("return.refund.line", map[string]any{"Pay": h.T("pay.cash"), "Sum": h.money(250000)}))
			h.tap(h.T("return.refund.as_paid"))
			h.see(card)
			h.tap(h.T("sale.next"))
			h.tap(h.T("preview.issue"))
			rs := h.reg.receipts()
			if len(rs) != 2 || len(rs[1].Payments) != 1 || rs[1].Payments[0] != (kkm.Payment{Type: kkm.PayCard, Sum: 250000}) {
				t.Fatalf("issued %+v", rs)
			}
		})
	}
}
