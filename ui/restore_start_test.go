package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// newPhone is the JournalCare port of a phone with no register yet. Its Restore takes a backup of the
// fake's register (serial number serial): the registration comes with it, and so do the cashiers
// (only «Бекзат», code 5678, replacing the profile made at first start). A backup of another
// register is refused with the journal's message, changing nothing.
type newPhone struct {
	*fakeRegister
	serial   string
	restored int
}

func (p *newPhone) Restore(_ context.Context, _ kkm.Operator, path, password string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	rest, ok := strings.CutPrefix(string(b), fakeJournalMark)
	pw, serial, _ := strings.Cut(rest, "\n")
	switch {
	case !ok:
		return 0, fakeRefusal("err.backup.unreadable")
	case pw != password:
		return 0, fakeRefusal("err.backup.wrong_password")
	case serial != p.serial:
		return 0, fakeRefusal("err.backup.other_register")
	}
	r := p.fakeRegister
	r.mu.Lock()
	r.registered = true
	r.reg.Settings.SerialNumber = serial
	r.reg.Settings.Reg = fakeRegInfo()
	r.mu.Unlock()
	pr := r.profiles
	pr.mu.Lock()
	pr.cashiers = []kkm.Cashier{{ID: 1, Name: "Бекзат", OperatorCode: 1, Role: kkm.RoleAdministrator}}
	pr.codes = []string{"5678"}
	pr.mu.Unlock()
	p.restored++
	r.notify() // the runtime tells its subscribers, from its own goroutine
	return 12, nil
}

// On a new phone the start page restores a backup: another register's backup is refused in the
// cashier's language and the page stays; the register's own one opens the register behind the
// lock, and only a code of the backup's cashiers opens it.
func TestStartPageRestoresABackup(t *testing.T) {
	for _, l := range i18n.Langs() {
		t.Run(string(l), func(t *testing.T) {
			h := newHarness(t, true, false, l)
			phone := &newPhone{fakeRegister: h.reg, serial: "EKG0000000000007"}
			h.u.ports.JournalCare = phone
			h.unlock()
			s, ok := h.u.current.(*startScreen)
			if !ok {
				t.Fatalf("not the start page: %T", h.u.current)
			}
			h.see(h.T("start.new"), h.T("start.connect"), h.T("start.restore"))
			if l == i18n.Russian {
				h.see("Восстановить из резервной копии")
			}
			h.shot("32-start-restore-" + string(l))
			files := &fakeFiles{dir: t.TempDir(), next: "other.db"}
			s.journal.files = files
			write := func(name, serial string) {
				if err := os.WriteFile(filepath.Join(files.dir, name), []byte(fakeJournalMark+"пароль копии\n"+serial), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			write("other.db", "EKG0000000000099")
			write("mine.db", phone.serial)

			// Cancelled at the question: nothing happens.
			h.tap(h.T("start.restore"))
			h.see(h.T("journal.restore.confirm"))
			h.tap(h.T("button.cancel"))
			if phone.restored != 0 || h.u.current != s {
				t.Fatalf("restored without a yes: %d, %T", phone.restored, h.u.current)
			}

			// Another register's backup.
			h.tap(h.T("start.restore"))
			h.tap(h.T("journal.restore.go"))
			h.typeInto(h.T("backup.password"), 0, "пароль копии")
			h.tap(h.T("backup.password.ok"))
			h.see(h.u.loc.Error(fakeRefusal("err.backup.other_register")))
			if h.u.current != s || h.u.status.Registered {
				t.Fatalf("after the refusal: %T, %+v", h.u.current, h.u.status)
			}
			if l == i18n.Russian {
				h.see("Эта резервная копия другой кассы")
				h.shot("33-start-restore-refused")
			}

			// The register's own backup.
			files.next = "mine.db"
			// A wrong password first: refused in the cashier's language, the page stays.
			h.tap(h.T("start.restore"))
			h.tap(h.T("journal.restore.go"))
			h.typeInto(h.T("backup.password"), 0, "не тот")
			h.tap(h.T("backup.password.ok"))
			h.see(h.u.loc.Error(fakeRefusal("err.backup.wrong_password")))
			if phone.restored != 0 || h.u.current != s {
				t.Fatalf("a wrong password restored: %d, %T", phone.restored, h.u.current)
			}
			h.tap(h.T("start.restore"))
			h.tap(h.T("journal.restore.go"))
			h.typeInto(h.T("backup.password"), 0, "пароль копии")
			h.tap(h.T("backup.password.ok"))
			if phone.restored != 1 {
				t.Fatalf("restored %d times", phone.restored)
			}
			if _, ok := h.u.current.(*lockScreen); !ok {
				t.Fatalf("not locked after the restore: %T", h.u.current)
			}
			h.see(h.T("journal.restore.done", map[string]any{"Count": 12}))
			h.tap(h.T("button.ok"))
			h.typeInto(h.T("lock.code.hint"), 0, "1234") // the first start's profile is gone
			if _, ok := h.u.current.(*lockScreen); !ok {
				t.Fatalf("the replaced profile's code opened the app: %T", h.u.current)
			}
			h.tap(h.T("lock.enter"))
			if _, ok := h.u.current.(*lockScreen); !ok {
				t.Fatalf("the replaced profile's code opened the app: %T", h.u.current)
			}
			h.typeInto(h.T("lock.code.hint"), 0, "5678")
			h.tap(h.T("lock.enter"))
			if _, ok := h.u.current.(*registerScreen); !ok {
				t.Fatalf("the register did not open: %T", h.u.current)
			}
			if h.u.cashier.Name != "Бекзат" {
				t.Fatalf("signed in as %q", h.u.cashier.Name)
			}
			h.see(h.T("register.tab.simple"))
		})
	}
}

// Without a JournalCare port (no journal to restore into) the start page offers no restore.
func TestStartPageWithoutJournalCare(t *testing.T) {
	h := newHarness(t, true, false, i18n.Russian)
	h.u.ports.JournalCare = nil
	h.unlock()
	h.see(h.T("start.connect"))
	h.notSee(h.T("start.restore"))
}

// Ctrl+R asks the owner's permission as the operations menu does: a cashier kept from returns is
// told so and stays on the register; a senior cashier gets the return screen.
func TestCtrlRAsksPermission(t *testing.T) {
	desktopOnly(t)
	h := newHarness(t, true, true, i18n.Russian)
	if _, err := h.reg.AddCashier(t.Context(), kkm.Operator{Code: 1}, CashierForm{Name: "Ержан", Role: kkm.RoleCashier, Code: "5678"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.reg.AddCashier(t.Context(), kkm.Operator{Code: 1}, CashierForm{Name: "Салтанат", Role: kkm.RoleSeniorCashier, Code: "4321"}); err != nil {
		t.Fatal(err)
	}
	set := h.reg.Settings()
	set.Permissions = kkm.Permissions{kkm.ActionReturn: kkm.RoleSeniorCashier}
	h.reg.reg.Settings = set

	h.typeInto(h.T("lock.code.hint"), 0, "5678")
	h.tap("Войти")
	h.ctrl(fyne.KeyR)
	h.see("Возвраты вам не разрешены")
	h.tap("Понятно")
	if _, ok := h.u.current.(*registerScreen); !ok {
		t.Fatalf("Ctrl+R opened %T for a cashier kept from returns", h.u.current)
	}

	h.u.Lock()
	h.typeInto(h.T("lock.code.hint"), 0, "4321")
	h.tap("Войти")
	h.ctrl(fyne.KeyR)
	if _, ok := h.u.current.(*returnScreen); !ok {
		t.Fatalf("Ctrl+R opened %T for a senior cashier", h.u.current)
	}
}
