package ui

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// A new cashier picks the language, creates a profile (a mismatched code is refused without
// losing the name), gets a serial number, meets each connect error and connects the register.
func TestOnboardingAndConnect(t *testing.T) {
	h := newHarness(t, false, false, i18n.Kazakh)
	h.see("Тіркелу")
	h.tap(i18n.Russian.Name())
	h.see("Зарегистрироваться", "Язык интерфейса")
	h.shot("01-first-start")
	h.tap("Зарегистрироваться")

	h.typeInto(h.T("profile.name.hint"), 0, "Айгуль Серикова")
	h.typeInto(h.T("profile.code.hint"), 0, "1234")
	h.typeInto(h.T("profile.code_again.hint"), 0, "1243")
	h.tap("Продолжить")
	h.see("Коды не совпадают", "Айгуль Серикова")
	h.typeInto(h.T("profile.code_again.hint"), 0, "1234")
	h.tap("Продолжить")

	h.see("Новая касса", "Подключить кассу")
	h.tap("Новая касса")
	serial := h.u.current.(*serialScreen).serial
	if err := kkm.ValidateSerialNumber(serial); err != nil {
		t.Fatalf("serial %q: %v", serial, err)
	}
	h.see(serial)
	h.tap("Копировать")
	if got := h.app.Clipboard().Content(); got != serial {
		t.Errorf("clipboard %q, want %q", got, serial)
	}
	h.tap("Подключить кассу")

	h.see("АО «Казахтелеком»", KazakhtelecomAddress)
	h.typeInto(h.T("connect.system_id.hint"), 0, "404")
	h.typeInto(h.T("connect.token.hint"), 0, "77")
	h.tap("Подключить")
	h.see("ОФД не знает кассу с таким системным идентификатором")
	h.typeInto(h.T("connect.system_id.hint"), 0, "5021")
	h.typeInto(h.T("connect.token.hint"), 0, "1")
	h.tap("Подключить")
	h.see("ОФД не принял токен")
	h.choose("АО «Казахтелеком»", "Другой адрес")
	h.typeInto(h.T("connect.address.hint"), 0, "down:7777")
	h.typeInto(h.T("connect.token.hint"), 0, "77")
	h.tap("Подключить")
	h.see("Нет связи с ОФД", "5021") // what was typed is kept
	h.choose("Другой адрес", "АО «Казахтелеком», тестовый сервер")
	h.tap("Подключить")
	h.see("Касса подключена", "ИП Сейткали", "010101010101")
	h.shot("08-connected")
	h.tap("Открыть кассу")
	h.see("Простой", "Расширенный", "Смена закрыта", "Онлайн")
	if s := h.reg.Settings(); s.SystemID != 5021 || s.Token != 77 || s.OFDAddress != KazakhtelecomTestAddress {
		t.Errorf("connected with %+v", s)
	}
}

// Wrong quick-access codes make the cashier wait, longer each time; the right one opens the app
// where it was.
func TestLockGrowingWait(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.see("Введите код быстрого доступа")
	h.shot("02-lock")
	for i := 0; i < 2; i++ {
		h.typeInto(h.T("lock.code.hint"), 0, "0000")
		h.tap("Войти")
		h.see("Неверный код.")
	}
	h.typeInto(h.T("lock.code.hint"), 0, "0000")
	h.tap("Войти")
	h.see("Неверный код. Следующая попытка через 3600 с.")
	if !h.button("Войти").Disabled() {
		t.Error("the button works during the wait")
	}
	h.profiles.mu.Lock()
	h.profiles.until = time.Time{}
	h.profiles.mu.Unlock()
	h.u.current.(*lockScreen).until = time.Time{} // the wait is over
	h.u.render()
	h.unlock()
	h.see("Простой")

	h.u.Lock() // back from the background
	h.see("Введите код быстрого доступа")
	h.unlock()
	h.see("Простой")
}

// A simple-mode sale: amounts summed on the keypad, the preview, «Отменить» back with everything
// kept, then «Сформировать» and the receipt with its fiscal sign and QR code.
func TestSimpleSale(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.keys("1500")
	h.tap("+")
	h.keys("250,5")
	h.tap("ВВОД =")
	h.see("Итого: " + h.money(175050))
	h.shot("03-simple-mode")
	h.tap("Далее")
	h.see("Предварительный чек: Продажа", "ИТОГО", h.money(175050))
	h.tap("Отменить")
	h.see("Итого: " + h.money(175050))
	h.tap("Карта")
	h.tap("Далее")
	h.tap("Сформировать")
	h.see("Продажа №1, смена 1", "Фискальный признак", "880000001", "Карта")
	h.shot("04-receipt")
	var qr bool
	for _, o := range h.visible() {
		if _, ok := o.(*canvas.Image); ok {
			qr = true
		}
	}
	if !qr {
		t.Error("no QR code on the receipt")
	}
	h.tap("Поделиться")
	h.tap("Скопировать ссылку")
	if got := h.app.Clipboard().Content(); !strings.Contains(got, "i=880000001") || !strings.Contains(got, "s=1750.50") {
		t.Errorf("copied link %q", got)
	}
	h.tap("Поделиться")
	h.tap("Скопировать текст")
	if got := h.app.Clipboard().Content(); !strings.Contains(got, "880000001") {
		t.Errorf("copied text %q", got)
	}
	h.tap("Готово")
	h.see("Итого: "+h.money(0), "Смена №1")
	rs := h.reg.receipts()
	if len(rs) != 1 || rs[0].Total != 175050 || !rs[0].Simple || rs[0].Payments[0].Type != kkm.PayCard {
		t.Fatalf("issued %+v", rs)
	}
}

// An extended-mode sale with two items (one edited, one removed and added again), a receipt
// discount and a mixed payment whose card part is what the cash leaves.
func TestExtendedSaleMixedPayment(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.tab("Расширенный")
	h.see("Товаров пока нет")
	add := func(name, qty, price string) {
		h.tap("Добавить товар")
		h.typeInto(h.T("item.name.hint"), 0, name)
		h.typeInto(h.T("item.quantity.hint"), 0, qty)
		h.typeInto(h.T("sale.amount.hint"), 0, price)
		h.tap("Добавить")
	}
	add("Хлеб", "2", "150")
	add("Сыр", "1", "4000")
	h.see("Хлеб", "Сыр")
	h.tap("Добавить товар")
	h.typeInto(h.T("item.name.hint"), 0, "Молоко")
	h.typeInto(h.T("item.quantity.hint"), 0, "1,5")
	h.typeInto(h.T("sale.amount.hint"), 0, "400")
	h.tap("Добавить")
	h.see("«шт» не делится") // a piece cannot be split; the form keeps what was typed
	h.choose("шт", "л")
	h.tap("Добавить")
	h.see("Молоко", "1,5 л × "+h.money(40000)+" = "+h.money(60000))

	// Remove «Сыр» (the second line) and fix the bread's quantity.
	h.tapIcon(theme.DeleteIcon(), 1)
	h.notSee("Сыр")
	h.tapIcon(theme.DocumentCreateIcon(), 0)
	h.typeInto(h.T("item.quantity.hint"), 0, "3")
	h.tap("Сохранить")
	h.see("3 шт × " + h.money(15000) + " = " + h.money(45000))

	h.typeInto(h.T("sale.amount.hint"), 0, "50")
	h.see("Итого: " + h.money(100000)) // 450 + 600 − 50, as it is typed
	h.tap("Смешанная")
	h.typeInto(h.T("sale.amount.hint"), 1, "700")
	// The card pays what the cash leaves, filled in as the cash is typed.
	if got := h.fieldText(h.T("sale.amount.hint"), 2); got != "300,00" {
		t.Errorf("the card part is %q, want what is left: 300,00", got)
	}
	h.see(h.T("sale.left", map[string]any{"Left": h.money(30000)}))
	h.shot("05-extended-mode")
	h.tap("Далее")
	h.see("Скидка на чек", "ИТОГО", h.money(100000), "Наличные", h.money(70000))
	h.tap("Сформировать")
	h.see("Продажа №1", "Фискальный признак")
	rs := h.reg.receipts()
	if len(rs) != 1 {
		t.Fatalf("%d receipts", len(rs))
	}
	r := rs[0]
	if r.Total != 100000 || r.Change != 0 || r.Discount != 5000 || len(r.Lines) != 2 || len(r.Payments) != 2 ||
		r.Payments[0].Sum != 70000 || r.Payments[1].Sum != 30000 {
		t.Errorf("issued %+v", r)
	}
}

// Extended mode with cash: a quick button for a round sum gives the change.
func TestExtendedCashQuickSum(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.tab("Расширенный")
	h.tap("Добавить товар")
	h.typeInto(h.T("item.name.hint"), 0, "Чай")
	h.typeInto(h.T("sale.amount.hint"), 0, "730")
	h.tap("Добавить")
	h.tap(strings.TrimSuffix(h.money(100000), "\u00a0₸"))
	h.see("Сдача: " + h.money(27000))
	h.tap("Далее")
	h.tap("Сформировать")
	if r := h.reg.receipts()[0]; r.Taken != 100000 || r.Change != 27000 {
		t.Errorf("taken %v change %v", r.Taken, r.Change)
	}
}

// A return picks the original from the recent list and returns part of its amount.
func TestReturn(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.keys("2000")
	h.tap("Далее")
	h.tap("Сформировать")
	h.tap("Готово")

	h.choose("Продажа", "Возврат")
	h.see("Последние чеки")
	h.tapPrefix("Продажа №1, смена 1")
	h.see("Можно вернуть: " + h.money(200000))
	h.keys("2500")
	h.tap("Далее")
	h.see("Можно вернуть не больше") // more than the receipt: refused, amount kept
	h.tap("C")
	h.keys("500")
	h.tap("Далее")
	h.see("Предварительный чек: Возврат продажи", "Возврат по чеку", "880000001")
	h.tap("Сформировать")
	h.see("Возврат продажи №2")
	rs := h.reg.receipts()
	if len(rs) != 2 || rs[1].Operation != kkm.OpSaleReturn || rs[1].Total != 50000 || rs[1].Parent == nil {
		t.Fatalf("issued %+v", rs)
	}
	// The original can be found by its fiscal sign, and shows what is left.
	h.tap("Готово")
	h.choose("Продажа", "Возврат")
	h.typeInto(h.T("return.search.hint"), 0, "880000001")
	h.submit(h.T("return.search.hint"), 0)
	h.see("Можно вернуть: " + h.money(150000))
}

// Cash in and out; a cash out above the drawer is refused as it is typed and on the button, with
// the drawer's cash named, nothing issued and the amount kept.
func TestCashInOut(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.choose("Продажа", "Внесение")
	h.see("В кассе: " + h.money(0))
	h.keys("5000")
	h.tap("Провести внесение")
	h.see("Внесение №1, смена 1", h.money(500000))
	h.tap("Готово")
	h.choose("Продажа", "Изъятие")
	h.see("В кассе: " + h.money(500000))
	h.keys("7000")
	h.see("В кассе только "+h.money(500000), "Итого: "+h.money(700000))
	h.tap("Провести изъятие")
	h.see("В кассе только "+h.money(500000), "Итого: "+h.money(700000))
	if got := h.reg.kinds(); got != "cash_in" {
		t.Fatalf("issued %s", got)
	}
	h.tap("C")
	h.keys("1200")
	h.tap("Провести изъятие")
	h.see("Изъятие №2, смена 1")
	if got := h.reg.Status().CashInDrawer; got != 380000 {
		t.Errorf("drawer %v", got)
	}
}

// X report after a sale, then the Z report with auto cash-out; the history lists them.
func TestXAndZReports(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.reg.reg.Settings.AutoCashOut = true
	h.unlock()
	h.keys("3000")
	h.tap("Далее")
	h.tap("Сформировать")
	h.tap("Готово")

	h.tap("Смена и отчёты")
	h.tap("X-отчёт (промежуточные итоги)")
	h.see("Снять X-отчёт по текущей смене?")
	h.tap("Подтвердить")
	h.see("X-отчёт, смена 1", "X-ЕСЕП / X-ОТЧЁТ", "Продажа", "3 000,00", "Наличные в")
	h.shot("06-x-report")
	h.tap("Готово")

	h.tap("Смена и отчёты")
	h.tap("Z-отчёт (закрыть смену)")
	h.see("Закрыть смену №1? Касса снимет Z-отчёт")
	h.tap("Закрыть смену")
	h.see("Изъятие №2, смена 1", "Z-отчёт, смена 1", "ЗАКРЫТИЕ СМЕНЫ")
	if got := h.reg.kinds(); got != "receipt,cash_out,z_report" {
		t.Errorf("journal %s", got)
	}
	h.tap("Готово")
	h.see("Смена закрыта")

	h.tap("Смена и отчёты")
	h.tap("История отчётов и чеков")
	h.see("Z-отчёт, смена 1", "Продажа №1, смена 1")
	h.choose("Все", "Чеки")
	h.tap("Найти")
	h.notSee("Z-отчёт, смена 1")
	h.typeInto(h.T("history.shift.hint"), 0, "x")
	h.tap("Найти")
	h.see("Номер смены — это число.")
}

// The language switches at run time from the settings, and the settings are saved.
func TestSettingsLanguageAndSave(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.tapIcon(theme.SettingsIcon(), 0)
	h.see("Настройки", "Автоизъятие при закрытии смены")
	h.tap(i18n.Kazakh.Name())
	h.see("Баптаулар", "Ауысым жабық")
	h.tap(i18n.English.Name())
	h.see("Settings", "Shift closed")
	if got := h.app.Preferences().String(PrefLanguage); got != "en" {
		t.Errorf("language kept as %q", got)
	}
	h.typeInto(h.T("settings.register_name.hint"), 0, "Bakery")
	h.typeInto(h.T("settings.max_sum.hint"), 0, "100000")
	h.tapCheck("VAT payer")
	h.see("Default VAT rate", "VAT 16%")
	h.tap("Save")
	h.see("Settings saved")
	h.shot("09-settings-en")
	if s := h.reg.Settings(); s.RegisterName != "Bakery" || s.MaxReceiptSum != 10000000 || !s.VATPayer || s.DefaultVATRate != kkm.VAT16 {
		t.Errorf("saved %+v", s)
	}
}

// The status line shows offline mode with the documents waiting, then the catch-up; a token
// block with its way out; the shift past 24 hours with only the Z report left.
func TestStatusOfflineAndBlocks(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.reg.demo = true
	h.unlock()
	h.u.setStatus(h.reg.Status())
	h.see("ДЕМО", "Онлайн")
	h.tapCheck("Нет сети")
	h.keys("100")
	h.tap("Далее")
	h.tap("Сформировать")
	h.see("Автономный режим, чек №1")
	h.tap("Готово")
	h.see("Автономный режим, не отправлено: 1, осталось 71 ч 59 мин")
	h.shot("07-offline")
	h.tapCheck("Нет сети")
	h.see("Онлайн")

	h.reg.setBlock(BlockToken)
	h.see("ОФД не принял токен")
	h.shot("10-token-block")
	h.tap("Смена токена")
	h.typeInto(h.T("settings.token.hint"), 0, "1")
	h.tap("Сменить токен")
	h.see("ОФД не принял токен. Сгенерируйте новый токен")
	h.typeInto(h.T("settings.token.hint"), 0, "9090")
	h.tap("Сменить токен")
	h.notSee("ОФД не принял токен")
	if h.reg.Settings().Token != 9090 {
		t.Error("token not changed")
	}

	h.reg.advance(25 * time.Hour)
	h.see("Смена длится больше 24 часов", "Закрыть смену")
	h.tap("Закрыть смену")
	h.tap("Закрыть смену") // the dialog's own button, above the status line's
	h.see("Z-отчёт, смена 1")
}

// Every message ID the register's packages can produce has a text in every language.
func TestEveryMessageTranslated(t *testing.T) {
	ids := append(kkm.MessageIDs(), RefusalIDs()...)
	for _, b := range Blocks() {
		ids = append(ids, "status.block."+string(b))
	}
	for _, o := range KnownOFDs() {
		ids = append(ids, o.NameID)
	}
	for _, l := range i18n.Langs() {
		have, err := i18n.MessageIDs(l)
		if err != nil {
			t.Fatal(err)
		}
		set := map[string]bool{}
		for _, id := range have {
			set[id] = true
		}
		for _, id := range ids {
			if !set[id] {
				t.Errorf("%s: no text for %q", l, id)
			}
		}
	}
	// A typed error reaches the cashier in their language with its parameters.
	loc := i18n.MustBundle().Localizer(i18n.Kazakh)
	_, err := kkm.ComputeReceipt(kkm.SimpleDraft(kkm.OpSale, []kkm.Money{50000},
		[]kkm.Payment{{Type: kkm.PayCash, Sum: 100}}), kkm.Settings{DefaultVATRate: kkm.VATNone})
	if got := loc.Error(err); !strings.Contains(got, "ақша жетпейді") || strings.Contains(got, "no value") {
		t.Errorf("kk error text %q", got)
	}
}

// The message IDs of the OFD link, the journal and the app's adapters, read from their sources
// (ui must not import them), have a text in every language.
func TestOtherPackagesMessagesTranslated(t *testing.T) {
	re := regexp.MustCompile(`"((?:err|state)\.[a-z_]+\.[a-z_]+)"`)
	var ids []string
	for _, dir := range []string{"../ofdclient", "../storage", "../app"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				ids = append(ids, m[1])
			}
		}
	}
	for _, l := range i18n.Langs() {
		loc := i18n.MustBundle().Localizer(l)
		for _, id := range ids {
			if have, _ := i18n.MessageIDs(l); !slices.Contains(have, id) || !loc.Has(id) {
				t.Errorf("%s: no text for %q", l, id)
			}
		}
	}
}

// A return of an extended-mode receipt chooses items and quantities; more than is left of a line
// is refused before the preview.
func TestReturnExtended(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.tab("Расширенный")
	for _, it := range [][2]string{{"Хлеб", "150"}, {"Сыр", "4000"}} {
		h.tap("Добавить товар")
		h.typeInto(h.T("item.name.hint"), 0, it[0])
		h.typeInto(h.T("item.quantity.hint"), 0, "2")
		h.typeInto(h.T("sale.amount.hint"), 0, it[1])
		h.tap("Добавить")
	}
	h.tap("Далее")
	h.tap("Сформировать")
	h.tap("Готово")

	h.choose("Продажа", "Возврат")
	h.tapPrefix("Продажа №1, смена 1")
	h.see("Хлеб", "Сыр", h.money(400000)+", можно вернуть 2 шт")
	h.typeInto(h.T("return.quantity.hint"), 1, "3")
	h.tap("Далее")
	h.see("«Сыр»: можно вернуть не больше 2.")
	h.typeInto(h.T("return.quantity.hint"), 1, "1")
	h.see("Наличные: " + h.money(400000)) // as it was paid, by default
	h.tap(h.T("return.refund.card"))      // the buyer asks for the card: a deliberate choice
	h.see(h.T("return.refund.other_note"), "Карта: "+h.money(400000))
	h.tap("Далее")
	h.see("Предварительный чек: Возврат продажи", "Сыр", h.money(400000))
	h.tap("Сформировать")
	h.see("Возврат продажи №2")
	r := h.reg.receipts()[1]
	if len(r.Lines) != 1 || r.Lines[0].Name != "Сыр" || r.Lines[0].Quantity != kkm.QuantityOne || r.Payments[0].Type != kkm.PayCard {
		t.Fatalf("return %+v", r)
	}
}

// Every text of the screens' message file is used by a screen: an unused key is a screen
// removed or renamed and its text forgotten.
func TestNoUnusedUIMessages(t *testing.T) {
	raw, err := os.ReadFile("../i18n/locales/ui.ru.json")
	if err != nil {
		t.Fatal(err)
	}
	var msgs map[string]any
	if err := json.Unmarshal(raw, &msgs); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src.Write(b)
	}
	dynamic := map[string]bool{}
	for _, b := range Blocks() {
		dynamic["status.block."+string(b)] = true
	}
	for _, o := range KnownOFDs() {
		dynamic[o.NameID] = true
	}
	for id := range msgs {
		if !dynamic[id] && !strings.Contains(src.String(), `"`+id+`"`) {
			t.Errorf("%q is not used by any screen", id)
		}
	}
}

// Every screen fits a phone's width in every language, the blocked status line included.
func TestScreensFitPhoneInEveryLanguage(t *testing.T) {
	for _, l := range i18n.Langs() {
		h := newHarness(t, true, true, l)
		h.reg.reg.Settings.VATPayer = true
		h.reg.reg.Settings.DefaultVATRate = kkm.VAT16
		h.reg.demo = true
		h.unlock()
		h.reg.setBlock(BlockServer)
		h.settle()
		reg := h.u.current.(*registerScreen)
		reg.tab = tabExtended
		reg.extended.lines = []kkm.LineDraft{{Name: "Хлеб", Quantity: 2500, Unit: "166", Price: 123456, NTIN: "02900001234567890123"}}
		is, err := h.reg.IssueReceipt(context.Background(), kkm.Operator{Name: "Айгуль"},
			kkm.SimpleDraft(kkm.OpSale, []kkm.Money{150000}, []kkm.Payment{{Type: kkm.PayCash, Sum: 150000}}))
		if err != nil {
			t.Fatal(err)
		}
		screens := []screen{reg, newFirstStartScreen(h.u), newLockScreen(h.u, nil), newStartScreen(h.u),
			newSerialScreen(h.u), newConnectScreen(h.u), newItemScreen(h.u, reg.extended, 0),
			newCashScreen(h.u, kkm.KindCashOut), newReportsScreen(h.u), newHistoryScreen(h.u),
			newReturnScreen(h.u), newSettingsScreen(h.u, false), newSettingsScreen(h.u, true),
			newDocumentScreen(h.u, is)}
		for _, s := range screens {
			h.u.open(s)
			h.settle()
		}
		xr, err := h.reg.XReport(context.Background(), kkm.Operator{Name: "Айгуль"})
		if err != nil {
			t.Fatal(err)
		}
		h.u.open(newDocumentScreen(h.u, xr))
		h.settle()
		first := newFirstStartScreen(h.u)
		first.profile = true
		h.u.open(first)
		h.settle()
	}
}
