package ui

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"strings"
	"testing"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/receipt"
)

// Document reads a document of the fake journal by its sequence number.
func (r *fakeRegister) Document(_ context.Context, seq int64) (IssuedDocument, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.docReads++
	for _, d := range r.docs {
		if d.Seq == seq {
			return d, nil
		}
	}
	return IssuedDocument{}, ErrNotFound
}

// sale issues a simple cash sale of amount tiyn through the screens and stays on its receipt.
func (h *harness) sale(amount string) {
	h.t.Helper()
	h.keys(amount)
	h.tap("Далее")
	h.tap("Сформировать")
}

// images counts the pictures drawn from an image on the screen: the QR codes.
func (h *harness) images() int {
	n := 0
	for _, o := range h.visible() {
		if img, ok := o.(*canvas.Image); ok && img.Image != nil && img.ScaleMode == canvas.ImageScalePixels { // not an icon
			n++
		}
	}
	return n
}

// The receipt screen shows the receipt as issued, the text the OFD keeps (Kazakh and Russian
// labels), with its fiscal sign and QR code; the QR shows large; the link and the text go to the
// clipboard; the picture and the text are saved under the export's names.
func TestReceiptScreenShowsIssuedReceipt(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.sale("1500")
	h.see("Продажа №1, смена 1", "Фискальный признак: 880000001", "ФИСКАЛДЫҚ ЧЕК / ФИСКАЛЬНЫЙ ЧЕК",
		"ЖИЫНЫ / ИТОГО", "1 500,00", "ФБ / ФП", "880000001", "consumer.oofd.kz", "Казахтелеком")
	if h.images() != 1 {
		t.Fatalf("%d pictures on the receipt, want its QR code", h.images())
	}
	doc := h.u.current.(*documentScreen).docs[0]
	set := h.reg.Settings()
	if want := kkm.ReceiptText(doc.Document, set, fiscalMark(doc), kkm.ReceiptColumns58mm); !strings.Contains(h.text(), strings.ReplaceAll(want, "\u00a0", " ")) {
		t.Errorf("the screen does not show kkm's receipt text:\n%s", want)
	}

	h.tap("Показать QR-код покупателю")
	h.see("QR-код чека", "Покупатель сканирует код")
	if h.images() != 2 {
		t.Errorf("%d pictures with the large QR code", h.images())
	}
	h.tap("Готово") // closes the dialog
	h.see("Продажа №1, смена 1")

	h.tap("Поделиться")
	h.tap("Скопировать ссылку")
	h.see("Скопировано в буфер обмена")
	if got := h.app.Clipboard().Content(); got != doc.QRLink || !strings.Contains(got, "i=880000001") {
		t.Errorf("copied link %q, want %q", got, doc.QRLink)
	}
	h.tap("Поделиться")
	h.tap("Скопировать текст")
	if got, want := h.app.Clipboard().Content(), receipt.ShareText(doc.Document, set, fiscalMark(doc), kkm.PrintedTicketColumns); got != want {
		t.Errorf("copied text\n%s\nwant\n%s", got, want)
	}

	base := receipt.FileBase(doc.Document)
	h.tap("Поделиться")
	h.tap("Сохранить картинку")
	h.see(base + ".png") // the file dialog offers the export's name
	s := h.u.current.(*documentScreen)
	var pic bytes.Buffer
	if err := s.writePNG(&pic, doc); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&pic)
	if err != nil {
		t.Fatal(err)
	}
	if w := img.Bounds().Dx(); w != (kkm.PrintedTicketColumns+2)*receipt.CellWidth*2 {
		t.Errorf("picture %d px wide", w)
	}
	var txt bytes.Buffer
	if err := s.writeText(&txt, doc); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(txt.String(), doc.QRLink) || !strings.Contains(txt.String(), "ФИСКАЛЬНЫЙ ЧЕК") {
		t.Errorf("saved text:\n%s", txt.String())
	}
}

// Reports and cash documents show as issued too, without a QR code.
func TestReportAndCashDocumentsHaveNoQR(t *testing.T) {
	h := newHarness(t, true, true, i18n.Kazakh)
	h.unlock()
	is, err := h.reg.CashIn(context.Background(), kkm.Operator{Name: "Айгуль"}, 500000)
	if err != nil {
		t.Fatal(err)
	}
	h.u.open(newDocumentScreen(h.u, is))
	h.settle()
	h.see(h.T("doc.accepted"), "5 000,00") // answered, with no fiscal sign
	h.notSee(h.T("doc.fiscal_sign"))
	h.notSee(h.T("doc.qr.show"))
	if h.images() != 0 {
		t.Error("a QR code on a cash in")
	}
	xr, err := h.reg.XReport(context.Background(), kkm.Operator{Name: "Айгуль"})
	if err != nil {
		t.Fatal(err)
	}
	h.u.open(newDocumentScreen(h.u, xr))
	h.settle()
	h.see("X-ЕСЕП / X-ОТЧЁТ")
	h.notSee(h.T("doc.qr.show"))
	h.notSee(h.T("doc.fiscal_sign"))
	h.tap(h.T("share.title"))
	if h.button(h.T("share.copy_link")).Disabled() == false {
		t.Error("a report's link can be copied")
	}
}

// A receipt issued offline shows its offline number, then its fiscal sign as soon as the OFD
// answers, in place; so does an online receipt whose answer came after the wait.
func TestDocumentScreenFollowsTheAnswer(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	if err := h.reg.SetNetworkCut(true); err != nil {
		t.Fatal(err)
	}
	h.settle()
	h.sale("700")
	h.see("Автономный режим, чек №1", "*** АВТОНОМНЫЙ РЕЖИМ ***")
	h.notSee("880000001")
	if h.images() != 1 {
		t.Error("an offline receipt without its locally built QR code")
	}
	reads := func(want int) {
		t.Helper()
		h.reg.mu.Lock()
		n := h.reg.docReads
		h.reg.mu.Unlock()
		if n != want {
			t.Errorf("the document screen read the journal %d times, want %d (one per shown waiting document)", n, want)
		}
	}
	reads(1) // the waiting receipt, once, for an answer that came before the screen
	for range 3 {
		h.reg.notify() // status ticks: nothing is read again
		h.settle()
	}
	reads(1)
	if err := h.reg.SetNetworkCut(false); err != nil {
		t.Fatal(err)
	}
	h.settle()
	h.see("Фискальный признак: 880000001", "Продажа №1, смена 1")
	h.notSee("*** АВТОНОМНЫЙ РЕЖИМ ***")
	reads(1) // the answer came by SubscribeAnswers

	// Online, but the OFD had not answered within the wait: no sign, no QR yet.
	h.reg.mu.Lock()
	late := h.reg.docs[0]
	late.Seq, late.FiscalSign, late.QRLink, late.Answered = 99, "", "", false
	late.Document.Offline, late.Document.Number = false, 2
	h.reg.docs = append(h.reg.docs, late)
	h.reg.mu.Unlock()
	h.u.open(newDocumentScreen(h.u, Issued{late}))
	h.settle()
	h.see("Ожидает ответа ОФД", "ФБ / ФП")
	if h.images() != 0 {
		t.Error("a QR code before the OFD's answer")
	}
	h.reg.mu.Lock()
	h.reg.docs[len(h.reg.docs)-1].FiscalSign = "880000099"
	h.reg.docs[len(h.reg.docs)-1].Answered = true
	h.reg.docs[len(h.reg.docs)-1].QRLink = "http://consumer.oofd.kz?i=880000099"
	h.reg.mu.Unlock()
	reads(2) // the late receipt's screen read it once
	h.reg.notify()
	h.settle()
	h.see("Ожидает ответа ОФД") // a status tick alone brings nothing: the answer comes as an answer
	h.reg.publish(Answer{Seq: 99, FiscalSign: "880000099", QRLink: "http://consumer.oofd.kz?i=880000099"})
	h.settle()
	h.see("Фискальный признак: 880000099")
	h.notSee("Ожидает ответа ОФД")
	if h.images() != 1 {
		t.Error("no QR code after the answer")
	}
	reads(2)
}

// The printer is chosen in the settings (address, 80 mm paper), kept in the register's settings
// and test-printed on the printer as typed; the receipt prints on the settings' printer; an X
// report prints; a receipt is reprinted from the history; a printer missing or unreachable says
// so. (What reaches the printer's wire is app's TestPrinterPrintsOnNetworkPrinter.)
func TestPrintToNetworkPrinter(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	const addr = "192.168.1.77:9100"
	h.unlock()
	h.sale("1500")
	h.tap("Печать")
	h.see("Принтер не выбран. Укажите его адрес: Настройки → Принтер чеков.")
	h.tap("Готово")
	if len(h.reg.printed) != 0 {
		t.Fatalf("printed without a printer: %+v", h.reg.printed)
	}

	h.tapIcon(theme.SettingsIcon(), 0)
	h.tap("Принтер чеков")
	h.see("Адрес принтера", "Ширина бумаги")
	h.typeInto("192.168.1.100:9100", 0, "printer:port")
	h.tap("Сохранить")
	h.see("Адрес принтера — IP-адрес или имя")
	if h.reg.Settings().Printer != (kkm.Printer{}) {
		t.Fatalf("a bad address was kept: %+v", h.reg.Settings().Printer)
	}
	h.typeInto("192.168.1.100:9100", 0, addr)
	h.tap("80 мм")
	h.tap("Пробная печать")
	h.see("Отправлено на принтер")
	test := h.reg.lastPrint()
	if test.printer != (kkm.Printer{Address: addr, Paper: Paper80mm}) || !strings.Contains(test.text, "Ә") ||
		!strings.Contains(test.text, strings.Repeat("-", kkm.ReceiptColumns80mm)) {
		t.Errorf("test slip %+v", test)
	}
	if h.reg.Settings().Printer.Address != "" {
		t.Fatal("the test print saved the printer")
	}
	h.tap("Сохранить")
	h.see("Принтер сохранён")
	if c := h.reg.Settings().Printer; c.Address != addr || c.Paper != Paper80mm {
		t.Fatalf("kept %+v", c)
	}
	h.u.back()
	h.u.back()
	h.settle()

	h.sale("2500")
	h.tap("Печать")
	h.see("Отправлено на принтер")
	doc := h.u.current.(*documentScreen).docs[0]
	if job := h.reg.lastPrint(); job.printer.Address != addr || job.printer.Paper != Paper80mm ||
		len(job.docs) != 1 || job.docs[0].Seq != doc.Seq || job.docs[0].FiscalSign != doc.FiscalSign {
		t.Errorf("the printer got %+v, not the receipt %d", job, doc.Seq)
	}
	h.tap("Готово")

	// The X report prints too.
	h.tap("Смена и отчёты")
	h.tap("X-отчёт (промежуточные итоги)")
	h.tap("Подтвердить")
	h.tap("Печать")
	h.see("Отправлено на принтер")
	if job := h.reg.lastPrint(); len(job.docs) != 1 || job.docs[0].Document.Kind != kkm.KindXReport {
		t.Errorf("X report printed as %+v", job)
	}
	h.tap("Готово")

	// Reprint from the history.
	h.tap("Смена и отчёты")
	h.tap("История отчётов и чеков")
	h.tapPrefix("Продажа №1, смена 1")
	h.see("Фискальный признак: 880000001")
	h.tap("Печать")
	h.see("Отправлено на принтер")
	if job := h.reg.lastPrint(); len(job.docs) != 1 || job.docs[0].Seq != h.reg.docs[0].Seq {
		t.Errorf("the reprint is %+v, not the first receipt", job)
	}

	// A printer that does not answer.
	dead := "192.168.1.78:9100"
	h.reg.mu.Lock()
	h.reg.deadPrinter = dead
	h.reg.reg.Settings.Printer = kkm.Printer{Address: dead, Paper: Paper58mm}
	h.reg.mu.Unlock()
	h.tap("Печать")
	h.see(fmt.Sprintf("Принтер %s не отвечает.", dead))
}

// The printer addresses the settings take.
func TestCheckPrinterAddress(t *testing.T) {
	for addr, ok := range map[string]bool{
		"192.168.1.50": true, "192.168.1.50:9100": true, "printer.local": true, "[fe80::1]:9100": true,
		"fe80::1": true, "printer:port": false, "host:0": false, "host:70000": false, ":9100": false,
		"a b": false, "http://x": false,
	} {
		if err := checkPrinterAddress(addr); (err == nil) != ok {
			t.Errorf("%q: %v", addr, err)
		}
	}
}

// The lock screen of the demo register shows the demo cashier's code; a real register's does not.
func TestLockScreenDemoHint(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.u.ports.DemoCode = "1111"
	h.u.render()
	h.notSee("Демо-режим")
	h.reg.demo = true
	h.u.status = h.reg.Status()
	h.u.render()
	h.see("Демо-режим: код кассира 1111", "Журнал демо-кассы сохраняется и после закрытия приложения.")
	h.u.SetLang(i18n.Kazakh)
	h.see("Демо режим: кассир коды 1111", "Демо касса журналы қосымша жабылса да сақталады.")
	for _, lang := range i18n.Langs() { // the longer hint still leaves the PIN pad on a phone
		h.u.SetLang(lang)
		h.fits("the demo's lock screen, " + string(lang))
	}
}
