package kkm

import (
	"strconv"
	"strings"
)

// The labels of cash documents and reports.
var (
	lblCashIn       = label{kk: "ҚОЛМА-ҚОЛ АҚША САЛУ", ru: "ВНЕСЕНИЕ НАЛИЧНЫХ"}
	lblCashOut      = label{kk: "ҚОЛМА-ҚОЛ АҚША АЛУ", ru: "ИЗЪЯТИЕ НАЛИЧНЫХ"}
	lblSumUpper     = label{kk: "СОМАСЫ", ru: "СУММА"}
	lblXReport      = label{kk: "X-ЕСЕП", ru: "X-ОТЧЁТ"}
	lblZReport      = label{kk: "Z-ЕСЕП", ru: "Z-ОТЧЁТ"}
	lblNoClose      = label{kk: "ауысымды жаппай", ru: "без гашения"}
	lblShiftClose   = label{kk: "АУЫСЫМДЫ ЖАБУ", ru: "ЗАКРЫТИЕ СМЕНЫ"}
	lblOpened       = label{kk: "Ашылды", ru: "Открыта"}
	lblClosed       = label{kk: "Жабылды", ru: "Закрыта"}
	lblReceipts     = label{kk: "Чектер", ru: "Чеки"}
	lblChanges      = label{kk: "Қайтарым", ru: "Сдача"}
	lblDiscounts    = label{kk: "Жеңілдіктер", ru: "Скидки"}
	lblMarkups      = label{kk: "Үстемелер", ru: "Наценки"}
	lblBeforeMods   = label{kk: "Жеңілдік/үстемеге дейін", ru: "До скидок/наценок"}
	lblTotalResult  = label{kk: "Жеңілдік/үстемеден кейін", ru: "С учётом скидок/наценок"}
	lblOfflineCount = label{kk: "Автономды", ru: "Автономных"}
	lblSinceReg     = label{kk: "Тіркелгеннен бері", ru: "С регистрации"}
	lblTurnover     = label{kk: "Айналым", ru: "Оборот"}
	lblVAT          = label{kk: "ҚҚС", ru: "НДС"}
	lblSections     = label{kk: "БӨЛІМДЕР", ru: "СЕКЦИИ"}
	lblSection      = label{kk: "Бөлім", ru: "Секция"}
	lblCashHeading  = label{kk: "ҚОЛМА-ҚОЛ АҚША", ru: "НАЛИЧНЫЕ"}
	lblDeposits     = label{kk: "Салу", ru: "Внесения"}
	lblWithdrawals  = label{kk: "Алу", ru: "Изъятия"}
	lblCashInDrawer = label{kk: "Кассадағы қолма-қол", ru: "Наличные в кассе"}
	lblRevenue      = label{kk: "Түсім", ru: "Выручка"}
	lblNonNullable  = label{kk: "НӨЛДЕНБЕЙТІН СОМАЛАР", ru: "НЕОБНУЛЯЕМЫЕ СУММЫ"}
	lblAtShiftStart = label{kk: "Ауысым басында", ru: "На начало смены"}
	lblAtShiftEnd   = label{kk: "Ауысым соңында", ru: "На конец смены"}
	lblNow          = label{kk: "Ағымдағы", ru: "Текущие"}
	lblTaxesHeading = label{kk: "ҚҚС", ru: "НДС"}
	lblCount        = label{kk: "саны", ru: "кол-во"}
)

// reportOperations returns the operations in the order reports list them: sales first.
func reportOperations() [4]Operation {
	return [4]Operation{OpSale, OpSaleReturn, OpPurchase, OpPurchaseReturn}
}

// cashBody lays out a cash in or out: its title, number, shift, time, cashier and amount.
func cashBody(sh *sheet, doc Document) {
	title := lblCashIn
	if doc.Kind == KindCashOut {
		title = lblCashOut
	}
	documentLines(sh, lblDocumentNo.String(), doc.Number, doc, title)
	sh.rule("-")
	sh.pair(lblSumUpper.String(), doc.Cash.Format())
}

// The columns of a report's counters: the count, then the sum, flush right.
const (
	countColumns = 6
	sumColumns   = 14
)

// counterValue formats a count and a sum in the counter columns. A space always stays between
// them: a sum of 14 characters or more (a shift of several near-maximum receipts) would otherwise
// run into the count, «4» and «2 000 000 007 245,56» reading as «42 000 000 007 245,56». Sums of up
// to 13 characters sit in the same columns as before.
func counterValue(count uint32, sum Money) string {
	return padLeft(strconv.FormatUint(uint64(count), 10), countColumns) + " " + padLeft(sum.String(), sumColumns-1)
}

// countValue formats a count alone in the count column (the trailing spaces are trimmed when
// printed, the count stays in its column).
func countValue(count uint32) string {
	return padLeft(strconv.FormatUint(uint64(count), 10), countColumns) + strings.Repeat(" ", sumColumns)
}

// counter lays out one counter: label, count and sum.
func counter(sh *sheet, indent int, l label, count uint32, sum Money) {
	sh.pairIndent(indent, l.String(), counterValue(count, sum))
}

// reportBody lays out an X or Z report with every counter of the protocol's ZXReport: per
// operation the receipts, their payments, change, discounts, markups, sums before and after them,
// VAT per rate, offline receipts and receipts since registration; per section; cash in and out;
// cash in the drawer; revenue; and the non-nullable sums at the shift's start and now.
func reportBody(sh *sheet, doc Document) {
	r := doc.Report
	if doc.Kind == KindZReport {
		documentLines(sh, lblDocumentNo.String(), doc.Number, doc, lblZReport, lblShiftClose)
	} else {
		documentLines(sh, "", 0, doc, lblXReport, lblNoClose)
	}
	if !r.OpenTime.IsZero() {
		sh.pair(lblOpened.String(), r.OpenTime.Format(ReceiptDateTimeLayout))
	}
	if doc.Kind == KindZReport && !r.CloseTime.IsZero() && !r.CloseTime.Equal(doc.Time) {
		sh.pair(lblClosed.String(), r.CloseTime.Format(ReceiptDateTimeLayout))
	}

	sh.rule("=")
	sh.pair("", padLeft(lblCount.kk, countColumns)+padLeft(strings.ToLower(lblSum.kk), sumColumns))
	sh.pair("", padLeft(lblCount.ru, countColumns)+padLeft(strings.ToLower(lblSum.ru), sumColumns))
	for _, op := range reportOperations() {
		operationCounters(sh, r, op)
	}

	if len(r.Sections) > 0 {
		sh.rule("=")
		sh.centerLabel(lblSections)
		for _, sc := range r.Sections {
			sh.text(lblSection.String() + " " + sc.Section)
			for _, op := range reportOperations() {
				if c := sc.Operations[op]; c.Count > 0 || c.Sum != 0 {
					counter(sh, 2, operationLabel(op), c.Count, c.Sum)
				}
			}
		}
	}

	sh.rule("=")
	sh.centerLabel(lblCashHeading)
	for i, l := range []label{lblDeposits, lblWithdrawals} {
		p := r.Placements[i]
		counter(sh, 0, l, p.Count, p.Sum)
		sh.pairIndent(2, lblOfflineCount.String(), countValue(p.OfflineCount))
		sh.pairIndent(2, lblSinceReg.String(), countValue(p.TotalCount))
	}
	sh.pair(lblCashInDrawer.String(), r.CashInDrawer.String())
	sh.rule("=")
	sh.pair(lblRevenue.String(), r.Revenue.Format())

	sh.rule("=")
	sh.centerLabel(lblNonNullable)
	sh.text(lblAtShiftStart.String() + ":")
	for _, op := range reportOperations() {
		sh.pairIndent(2, operationLabel(op).String(), r.StartNonNullable[op].String())
	}
	now := lblNow
	if doc.Kind == KindZReport {
		now = lblAtShiftEnd
	}
	sh.text(now.String() + ":")
	for _, op := range reportOperations() {
		sh.pairIndent(2, operationLabel(op).String(), r.NonNullable[op].String())
	}
}

// operationCounters lays out the counters of one receipt operation.
func operationCounters(sh *sheet, r *Report, op Operation) {
	sh.rule("-")
	sh.text(upper(operationLabel(op)).String())
	rc := r.Receipts[op]
	counter(sh, 0, lblReceipts, rc.Count, rc.Sum)
	if rc.Count == 0 && rc.OfflineCount == 0 && r.Operations[op].Count == 0 {
		// A shift without such receipts: every other counter of the operation is zero.
		sh.pairIndent(2, lblSinceReg.String(), countValue(rc.TotalCount))
		return
	}
	for _, p := range rc.Payments {
		counter(sh, 2, paymentLabel(p.Type), p.Count, p.Sum)
	}
	sh.pairIndent(2, lblChanges.String(), rc.ChangeSum.String())
	counter(sh, 2, lblDiscounts, r.Discounts[op].Count, r.Discounts[op].Sum)
	counter(sh, 2, lblMarkups, r.Markups[op].Count, r.Markups[op].Sum)
	counter(sh, 2, lblBeforeMods, r.Operations[op].Count, r.Operations[op].Sum)
	counter(sh, 2, lblTotalResult, r.TotalResult[op].Count, r.TotalResult[op].Sum)
	for _, t := range r.Taxes {
		tt := t.Operations[op]
		if tt.Turnover == 0 && tt.VAT == 0 {
			continue
		}
		p := strconv.FormatInt(t.Rate.Percent(), 10) + "%"
		sh.para("  ", 2, lblTaxesHeading.String()+" "+p+":")
		sh.pairIndent(4, lblTurnover.String(), tt.Turnover.String())
		sh.pairIndent(4, lblVAT.String(), tt.VAT.String())
		sh.pairIndent(4, lblNoVAT.String(), tt.TurnoverWithoutVAT.String())
	}
	sh.pairIndent(2, lblOfflineCount.String(), countValue(rc.OfflineCount))
	sh.pairIndent(2, lblSinceReg.String(), countValue(rc.TotalCount))
}
