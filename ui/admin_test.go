package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// openSettings opens the settings with the register screen's gear.
func (h *harness) openSettings() *settingsScreen {
	h.t.Helper()
	h.tapIcon(theme.SettingsIcon(), 0)
	s, ok := h.u.current.(*settingsScreen)
	if !ok {
		h.t.Fatalf("not the settings: %T", h.u.current)
	}
	return s
}

// scrollToBottom scrolls the screen's body to its end.
func (h *harness) scrollToBottom() {
	for _, o := range h.visible() {
		if sc, ok := o.(*container.Scroll); ok {
			sc.ScrollToBottom()
		}
	}
}

// goBack taps the header's back arrow.
func (h *harness) goBack() {
	h.t.Helper()
	h.tapIcon(theme.NavigateBackIcon(), 0)
}

// chooseIn picks an option of the i-th visible select that offers it.
func (h *harness) chooseIn(i int, option string) {
	h.t.Helper()
	n := 0
	for _, o := range h.visible() {
		if s, ok := o.(interface {
			SetSelected(string)
		}); ok {
			if sel, ok := s.(interface{ Options() []string }); ok && !contains(sel.Options(), option) {
				continue
			}
			if n == i {
				s.SetSelected(option)
				h.settle()
				return
			}
			n++
		}
	}
	h.t.Fatalf("no select %d offering %q:\n%s", i, option, h.text())
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// lockAndEnter locks the app and unlocks it with code.
func (h *harness) lockAndEnter(code string) {
	h.t.Helper()
	h.u.Lock()
	h.typeInto(h.T("lock.code.hint"), 0, code)
	h.tap(h.T("lock.enter"))
	if _, ok := h.u.current.(*lockScreen); ok {
		h.t.Fatalf("still locked: %s", h.text())
	}
}

// The administrator manages the cashiers: adds one (a code typed differently twice is refused,
// what was typed kept), changes a role, cannot remove or demote the last administrator, removes
// a cashier after a confirmation.
func TestCashiersScreen(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.openSettings()
	h.see("Токен: 77") // the administrator sees the token in full
	h.tap("Кассиры")
	h.see("Айгуль", "Администратор", "код 1")

	h.tap("Добавить кассира")
	h.typeInto(h.T("profile.name.hint"), 0, "Ержан")
	h.choose("Кассир", "Старший кассир")
	h.typeInto(h.T("profile.code.hint"), 0, "5678")
	h.typeInto(h.T("profile.code_again.hint"), 0, "5687")
	h.tap("Добавить")
	h.see("Коды не совпадают", "Ержан")
	h.typeInto(h.T("profile.code_again.hint"), 0, "5678")
	h.typeInto(h.T("cashiers.operator_code.hint"), 0, "x1")
	h.tap("Добавить")
	h.see("Код оператора — это число.")
	h.typeInto(h.T("cashiers.operator_code.hint"), 0, "")
	h.tap("Добавить")
	h.see("Кассир Ержан добавлен.", "Ержан", "Старший кассир", "код 2")

	// Another cashier with Ержан's code is refused.
	h.tap("Добавить кассира")
	h.typeInto(h.T("profile.name.hint"), 0, "Әсел")
	h.typeInto(h.T("profile.code.hint"), 0, "5678")
	h.typeInto(h.T("profile.code_again.hint"), 0, "5678")
	h.tap("Добавить")
	h.see("Этот код быстрого доступа уже есть у другого кассира")
	h.typeInto(h.T("profile.code.hint"), 0, "2468")
	h.typeInto(h.T("profile.code_again.hint"), 0, "2468")
	h.typeInto(h.T("cashiers.operator_code.hint"), 0, "40")
	h.tap("Добавить")
	h.see("Әсел", "код 40")
	h.shot("12-cashiers")

	// The only administrator stays one.
	h.chooseIn(0, "Кассир")
	h.see("На кассе должен остаться хотя бы один администратор.")
	if h.u.cashier.Role != kkm.RoleAdministrator {
		t.Fatal("the administrator lost the role")
	}
	// Ержан becomes an administrator; then Айгуль may step down to senior cashier.
	h.chooseIn(1, "Администратор")
	h.see("Ержан: теперь Администратор.")
	h.chooseIn(0, "Старший кассир")
	h.see("Айгуль: теперь Старший кассир.")
	if h.u.cashier.Role != kkm.RoleSeniorCashier {
		t.Fatalf("the cashier at work is %v", h.u.cashier.Role)
	}
	h.chooseIn(0, "Администратор") // Айгуль may no longer manage cashiers
	h.see("Добавлять и удалять кассиров может только администратор.")

	// Ержан removes Әсел after a confirmation.
	h.lockAndEnter("5678")
	h.u.home()
	h.openSettings()
	h.tap("Кассиры")
	h.see("Әсел")
	h.tapIcon(theme.DeleteIcon(), 1) // Айгуль, then Әсел (Ержан's own row has none)
	h.see("Удалить кассира Әсел? Его документы останутся в журнале.")
	h.tap("Удалить")
	h.see("Кассир Әсел удалён.")
	h.notSee("код 40")
}

// A plain cashier sees the register's settings refused, the token masked and the token change,
// the cashiers, returns and the Z report refused in their language; the owner's permissions
// open them again.
func TestRolesInTheScreens(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.reg.reg.Settings.Token = 12345678
	if _, err := h.reg.AddCashier(t.Context(), kkm.Operator{Code: 1}, CashierForm{Name: "Ержан", Role: kkm.RoleCashier, Code: "5678"}); err != nil {
		t.Fatal(err)
	}
	set := h.reg.Settings()
	set.Permissions = kkm.Permissions{kkm.ActionReturn: kkm.RoleSeniorCashier, kkm.ActionCloseShift: kkm.RoleSeniorCashier}
	h.reg.reg.Settings = set
	h.typeInto(h.T("lock.code.hint"), 0, "5678")
	h.tap("Войти")
	h.keys("1000")
	h.tap("Далее")
	h.tap("Сформировать")
	h.tap("Готово")

	h.choose("Продажа", "Возврат")
	h.see("Возвраты вам не разрешены")
	h.tap("Понятно")
	if _, ok := h.u.current.(*registerScreen); !ok {
		t.Fatalf("the return opened: %T", h.u.current)
	}
	h.tap("Смена и отчёты")
	h.tap("Z-отчёт (закрыть смену)")
	h.see("Закрыть смену вам не разрешено")
	h.notSee("Закрыть смену по Z-отчёту?")
	h.tap("Понятно")
	h.goBack()

	h.openSettings()
	h.see("Токен: ••••5678", "Менять настройки вам не разрешено", "Сменить токен может только администратор.", "Язык")
	h.notSee("12345678")
	h.notSee("Права доступа")
	h.notSee("Резервная копия")
	h.see("Проверить журнал") // the check is everyone's
	h.scrollToBottom()
	h.shot("13-settings-cashier")
	h.tap("Кассиры")
	h.see("Добавлять и удалять кассиров может только администратор.")
	h.tap("Понятно")

	// The administrator lets cashiers return and close the shift.
	h.lockAndEnter("1234")
	h.u.home()
	h.openSettings()
	h.see("Токен: 12345678", "Права доступа")
	h.chooseIn(0, "Кассир") // returns
	h.chooseIn(1, "Кассир") // the Z report
	h.tap("Сохранить")
	h.see("Настройки сохранены")
	if p := h.reg.Settings().Permissions; p.Least(kkm.ActionReturn) != kkm.RoleCashier || p.Least(kkm.ActionCloseShift) != kkm.RoleCashier || p.Least(kkm.ActionSettings) != kkm.RoleAdministrator {
		t.Fatalf("permissions saved %v", p)
	}
	h.lockAndEnter("5678")
	h.u.home()
	h.choose("Продажа", "Возврат")
	h.see("Последние чеки")
	h.goBack()
	h.tap("Смена и отчёты")
	h.tap("Z-отчёт (закрыть смену)")
	h.tap("Закрыть смену") // the Z confirmation's button says what it does
	h.see("Z-отчёт, смена 1")
}

// A token block's «Смена токена» asks the permission first.
func TestTokenBlockNeedsThePermission(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	if _, err := h.reg.AddCashier(t.Context(), kkm.Operator{Code: 1}, CashierForm{Name: "Ержан", Role: kkm.RoleCashier, Code: "5678"}); err != nil {
		t.Fatal(err)
	}
	h.typeInto(h.T("lock.code.hint"), 0, "5678")
	h.tap("Войти")
	h.reg.setBlock(BlockToken)
	h.settle()
	h.tap("Смена токена")
	h.see("Сменить токен может только администратор.")
	if _, ok := h.u.current.(*settingsScreen); ok {
		t.Fatal("the token change opened")
	}
}

// The settings choose the auto-lock's idle time; after it without a change on the screen the
// app locks, and typing or tapping puts the lock off.
func TestAutoLock(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.u.idle.stop() // the test moves the clock and looks itself
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.Local)
	h.u.idle.now = func() time.Time { return now }
	h.unlock()
	h.openSettings()
	h.see("Автоблокировка без действий", "Выключена")
	h.choose("Выключена", "Через 5 мин")
	h.tap("Сохранить")
	after := h.reg.Settings().AutoLockAfter
	if after != 5*time.Minute {
		t.Fatalf("auto-lock %v", after)
	}
	h.goBack()

	look := func(d time.Duration) {
		now = now.Add(d)
		h.u.idle.check(after)
	}
	look(0)
	look(4 * time.Minute)
	h.keys("12") // the cashier types on the keypad
	look(2 * time.Minute)
	look(4 * time.Minute) // 4 minutes since the last key
	if _, ok := h.u.current.(*lockScreen); ok {
		t.Fatal("locked while the cashier worked")
	}
	look(time.Minute + time.Second)
	if _, ok := h.u.current.(*lockScreen); !ok {
		t.Fatalf("not locked after 5 idle minutes: %T", h.u.current)
	}
	h.unlock()
	h.see("Итого") // back where the cashier was
	look(4 * time.Minute)
	if _, ok := h.u.current.(*lockScreen); ok {
		t.Fatal("locked at once after the unlock")
	}
}

// A protocol block offers «Повторить», which asks the register to send again.
func TestProtocolBlockRetry(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.reg.setBlock(BlockProtocol)
	h.settle()
	h.see(h.T("status.block.protocol"))
	h.shot("14-protocol-block")
	h.tap("Повторить")
	if h.reg.retried != 1 {
		t.Fatalf("retried %d times", h.reg.retried)
	}
	h.notSee(h.T("status.block.protocol"))
}

// A clock that jumped refuses the sale with the way out: «Часы верны» confirms the clock and
// issues the same sale, which stayed typed.
func TestClockJumpWayOut(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.reg.setClockJumped(true)
	h.keys("1500")
	h.tap("Далее")
	h.tap("Сформировать")
	h.see("Часы телефона сдвинулись на 90 мин", "Часы верны", h.T("clock.retry"))
	h.shot("15-clock-jumped")
	h.tap(h.T("clock.retry")) // not yet: refused again, the dialog again
	h.see("Часы верны")
	if len(h.reg.receipts()) != 0 {
		t.Fatal("issued with a jumped clock")
	}
	h.tap("Часы верны")
	h.see("Продажа №1, смена 1", "Фискальный признак")
	if h.reg.confirmed != 1 {
		t.Fatalf("clock confirmed %d times", h.reg.confirmed)
	}
	if rs := h.reg.receipts(); len(rs) != 1 || rs[0].Total != 150000 {
		t.Fatalf("issued %+v", rs)
	}
}

// fakeFiles is a file picker over a folder: save writes name there, open reads the file named
// next.
type fakeFiles struct {
	dir  string
	next string
}

type fakeWriter struct {
	*os.File
}

func (w fakeWriter) URI() fyne.URI { return storage.NewFileURI(w.Name()) }

type fakeReader struct {
	*os.File
}

func (r fakeReader) URI() fyne.URI { return storage.NewFileURI(r.Name()) }

func (f *fakeFiles) save(name string, done func(fyne.URIWriteCloser, error)) {
	w, err := os.Create(filepath.Join(f.dir, name))
	if err != nil {
		done(nil, err)
		return
	}
	f.next = name
	done(fakeWriter{w}, nil)
}

func (f *fakeFiles) open(done func(fyne.URIReadCloser, error)) {
	r, err := os.Open(filepath.Join(f.dir, f.next))
	if err != nil {
		done(nil, err)
		return
	}
	done(fakeReader{r}, nil)
}

// The journal section backs the journal up into the chosen file, checks it (the count, or the
// tamper error), and restores a backup after a confirmation, locking the app after.
func TestJournalBackupRestoreCheck(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.sell(10000)
	h.sell(20000)
	h.unlock()
	s := h.openSettings()
	files := &fakeFiles{dir: t.TempDir()}
	s.journal.files = files
	h.tap("Резервная копия")
	// The password, twice; two that differ are refused and nothing is saved.
	h.typeInto("Пароль копии", 0, "пароль копии")
	h.typeInto("Пароль ещё раз", 0, "другой пароль")
	h.tap("Продолжить")
	h.see("Пароли не совпадают")
	h.tap("Понятно")
	if files.next != "" {
		t.Fatalf("saved with mismatched passwords: %q", files.next)
	}
	h.tap("Резервная копия")
	h.typeInto("Пароль копии", 0, "пароль копии")
	h.typeInto("Пароль ещё раз", 0, "пароль копии")
	h.tap("Продолжить")
	h.see("Резервная копия сохранена: 2 документа.")
	b, err := os.ReadFile(filepath.Join(files.dir, files.next))
	if err != nil || !bytes.HasPrefix(b, []byte(fakeJournalMark+"пароль копии\n")) || !strings.HasSuffix(files.next, ".ekassa") {
		t.Fatalf("backup %q: %q %v", files.next, b, err)
	}

	h.tap("Проверить журнал")
	h.see("Журнал цел: проверено 2 документа.")
	h.reg.tampered = true
	h.tap("Проверить журнал")
	h.see(i18n.MustBundle().Localizer(i18n.Russian).T("err.journal.tampered"))
	h.scrollToBottom()
	h.shot("16-journal-check")

	// A file that is not a backup is refused and nothing changes.
	if err := os.WriteFile(filepath.Join(files.dir, "junk.db"), []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	name := files.next
	files.next = "junk.db"
	h.tap("Восстановить")
	h.see("Журнал кассы будет заменён резервной копией.")
	h.tap("Выбрать копию")
	h.typeInto("Пароль копии", 0, "пароль копии")
	h.tap("Продолжить")
	h.see(i18n.MustBundle().Localizer(i18n.Russian).T("err.backup.unreadable"))
	if _, ok := h.u.current.(*settingsScreen); !ok {
		t.Fatalf("left the settings: %T", h.u.current)
	}

	files.next = name
	h.tap("Восстановить")
	h.tap("Выбрать копию")
	h.typeInto("Пароль копии", 0, "не тот пароль")
	h.tap("Продолжить")
	h.see("Неверный пароль резервной копии")
	if h.reg.restored != "" {
		t.Fatalf("restored with a wrong password: %q", h.reg.restored)
	}
	h.tap("Восстановить")
	h.tap("Выбрать копию")
	h.typeInto("Пароль копии", 0, "пароль копии")
	h.tap("Продолжить")
	if h.reg.restored != string(b) {
		t.Fatalf("restored %q", h.reg.restored)
	}
	if _, ok := h.u.current.(*lockScreen); !ok {
		t.Fatalf("not locked after the restore: %T", h.u.current)
	}
	h.see("Журнал восстановлен: 2 документа.")
	h.tap("Понятно")
	h.unlock()
	h.see("Простой")
}

// A document opened from the history goes back to the list, filters kept, with «Назад»; a
// receipt just issued still ends with «Готово» on the register.
func TestHistoryDocumentGoesBackToTheList(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.sell(10000)
	h.sell(25050)
	h.openHistory()
	h.typeInto(h.T("history.amount.from.hint"), 0, "250,50")
	h.tap("Найти")
	h.tap("Продажа №2, смена 1")
	h.see("Продажа №2, смена 1")
	h.notSee("Готово")
	h.tap("Назад")
	hs, ok := h.u.current.(*historyScreen)
	if !ok {
		t.Fatalf("back to %T", h.u.current)
	}
	if hs.amountFrom != "250,50" || len(h.listed()) != 1 {
		t.Fatalf("the filter is lost: %q %q", hs.amountFrom, h.listed())
	}
	h.tap("Продажа №2, смена 1")
	h.tapIcon(theme.NavigateBackIcon(), 0) // the header's arrow too
	if _, ok := h.u.current.(*historyScreen); !ok {
		t.Fatalf("back to %T", h.u.current)
	}

	h.u.home()
	h.keys("100")
	h.tap("Далее")
	h.tap("Сформировать")
	h.notSee("Назад")
	h.tap("Готово")
	if _, ok := h.u.current.(*registerScreen); !ok {
		t.Fatalf("«Готово» went to %T", h.u.current)
	}
}

// The token is masked to its last digits, never more than half of them.
func TestMaskToken(t *testing.T) {
	for _, tc := range []struct {
		token uint32
		full  bool
		want  string
	}{
		{12345678, true, "12345678"},
		{12345678, false, "••••5678"},
		{123456, false, "••••456"},
		{77, false, "••••7"},
		{7, false, "••••"},
	} {
		if got := maskToken(tc.token, tc.full); got != tc.want {
			t.Errorf("maskToken(%d, %v) = %q, want %q", tc.token, tc.full, got, tc.want)
		}
	}
}

// The new screens fit a phone's width in every language: the cashiers and the new cashier's
// form, the settings with the permissions, and the clock refusal's dialog.
func TestAdminScreensFitPhone(t *testing.T) {
	for _, l := range i18n.Langs() {
		h := newHarness(t, true, true, l)
		h.reg.reg.Settings.Token = 4000000000
		h.unlock()
		if _, err := h.reg.AddCashier(t.Context(), kkm.Operator{Code: 1}, CashierForm{Name: "Ержан Сапарбаевич Тулегенов", Role: kkm.RoleSeniorCashier, Code: "5678"}); err != nil {
			t.Fatal(err)
		}
		list := newCashiersScreen(h.u)
		for _, s := range []screen{newSettingsScreen(h.u, false), list, newCashierFormScreen(h.u, list)} {
			h.u.open(s)
			h.settle()
		}
		h.u.home()
		h.reg.setClockJumped(true)
		h.keys("100")
		h.tap(h.T("sale.next"))
		h.tap(h.T("preview.issue"))
		h.see(h.T("clock.confirm"))
	}
}

// The way back after a wrong future date: the clock was 30 days ahead when a sale was made and is
// right again, so the next sale is refused (time only moves forward); the administrator is offered
// «Исправить время по ОФД», which the register carries out, and the sale typed stays on screen.
func TestClockWayBackAfterAWrongFutureDate(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.reg.advance(30 * 24 * time.Hour)
	h.sell(1000)
	h.reg.advance(-30 * 24 * time.Hour)
	h.keys("1500")
	h.tap("Далее")
	h.tap("Сформировать")
	h.see("Часы телефона отстают от последнего документа", "Исправить время по ОФД")
	h.tap("Исправить время по ОФД")
	h.see("Время исправлено по ОФД")
	if h.reg.corrected != 1 {
		t.Fatalf("corrected %d times", h.reg.corrected)
	}
}
