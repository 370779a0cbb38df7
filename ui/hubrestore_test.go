package ui

import (
	"context"
	"testing"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// hubPhone is the HubRestore port of a new phone: the hub at hubAddress holds register serial's
// copy, opened by credential; the restore brings the register and its cashier «Бекзат» (5678).
type hubPhone struct {
	*fakeRegister
	restored int
	asked    []string // the addresses asked
}

const (
	hubAddress    = "https://hub.example:8443"
	hubCredential = "reg-credential-1"
)

func (p *hubPhone) RestoreFromHub(_ context.Context, _ kkm.Operator, address string, _ []byte, credential string) (int64, error) {
	p.asked = append(p.asked, address)
	switch {
	case address != hubAddress:
		return 0, ErrOwnerUnreachable
	case credential != hubCredential:
		return 0, fakeRefusal("err.hubrestore.credential")
	}
	r := p.fakeRegister
	r.mu.Lock()
	r.registered = true
	r.reg.Settings.SerialNumber = "EKG0000000000007"
	r.reg.Settings.Reg = fakeRegInfo()
	r.mu.Unlock()
	pr := r.profiles
	pr.mu.Lock()
	pr.cashiers = []kkm.Cashier{{ID: 1, Name: "Бекзат", OperatorCode: 1, Role: kkm.RoleAdministrator}}
	pr.codes = []string{"5678"}
	pr.mu.Unlock()
	p.restored++
	r.notify()
	return 21, nil
}

// On a new phone the start page restores the register from the owner's hub: a typed address that
// is not https and a missing key are refused before the hub is asked; a key that does not open the
// register's copy is refused in the cashier's language with what was typed kept; the register's
// own key opens the register behind the lock, and a code of the restored cashiers opens it.
func TestStartPageRestoresFromTheHub(t *testing.T) {
	for _, l := range i18n.Langs() {
		t.Run(string(l), func(t *testing.T) {
			h := newHarness(t, true, false, l)
			phone := &hubPhone{fakeRegister: h.reg}
			h.u.ports.HubRestore = phone
			h.unlock()
			if _, ok := h.u.current.(*startScreen); !ok {
				t.Fatalf("not the start page: %T", h.u.current)
			}
			if l == i18n.Kazakh {
				h.see("Хабтан қалпына келтіру")
			}
			h.tap(h.T("hubrestore.start"))
			s, ok := h.u.current.(*hubRestoreScreen)
			if !ok {
				t.Fatalf("not the hub restore page: %T", h.u.current)
			}
			h.see(h.T("hubrestore.intro"))
			h.typeInto("https://…", 0, "http://hub.example")
			h.tap(h.T("hubrestore.go"))
			h.see(h.u.loc.Error(ErrOwnerAddress))
			h.typeInto("https://…", 0, "s") // now "http://hub.examples": still not https
			h.see(h.u.loc.Error(ErrOwnerAddress))
			h.typeInto("https://…", 0, hubAddress) // corrected: the error goes as typed (W14)
			h.noErrors()
			h.tap(h.T("hubrestore.go"))
			h.see(h.u.loc.Error(ErrOwnerCredential))
			h.typeInto(h.T("hubrestore.credential.hint"), 0, "x")
			h.noErrors()
			h.typeInto(h.T("hubrestore.credential.hint"), 0, "")
			if len(phone.asked) != 0 {
				t.Fatalf("the hub was asked with a bad form: %v", phone.asked)
			}
			h.typeInto(h.T("hubrestore.credential.hint"), 0, "someone else's")
			h.tap(h.T("hubrestore.go"))
			h.see(h.u.loc.Error(fakeRefusal("err.hubrestore.credential")))
			if phone.restored != 0 || h.u.current != s || s.address != hubAddress {
				t.Fatalf("after the refusal: %d restored, %T, address %q", phone.restored, h.u.current, s.address)
			}
			h.shot("34-hub-restore-refused-" + string(l))
			s.credential = hubCredential
			h.u.render()
			h.tap(h.T("hubrestore.go"))
			if phone.restored != 1 {
				t.Fatalf("restored %d times", phone.restored)
			}
			if _, ok := h.u.current.(*lockScreen); !ok {
				t.Fatalf("not locked after the restore: %T", h.u.current)
			}
			h.see(h.T("hubrestore.done", map[string]any{"Count": 21}))
			h.see(h.T("hubfix.restore.cashiers")) // the profile made here no longer opens it (W16)
			h.tap(h.T("button.ok"))
			h.typeInto(h.T("lock.code.hint"), 0, "5678")
			h.tap(h.T("lock.enter"))
			if _, ok := h.u.current.(*lockScreen); ok {
				t.Fatal("the restored cashier's code did not open the register")
			}
		})
	}
}
