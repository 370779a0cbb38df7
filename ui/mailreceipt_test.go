package ui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// fakeMailer is the hub's mailer as the share dialog sees it.
type fakeMailer struct {
	mu    sync.Mutex
	ready bool
	fail  error
	to    []string
	texts []string
	links []string
}

func (m *fakeMailer) Ready() bool { return m.ready }

func (m *fakeMailer) Send(_ context.Context, to, text, link string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.to, m.texts, m.links = append(m.to, to), append(m.texts, text), append(m.links, link)
	return nil
}

// A receipt to the buyer's e-mail through the owner's hub (issue 18.7), in every language: a
// typed address that is not one is refused by name and nothing is sent; a good one gets the
// receipt's text and its check link, and the screen says where it went; a hub that does not
// take it is said so. A register with no hub offers no e-mail.
func TestReceiptToTheBuyersEmail(t *testing.T) {
	for _, lang := range i18n.Langs() {
		t.Run(string(lang), func(t *testing.T) {
			h := newHarness(t, true, true, lang)
			h.unlock()
			is, err := h.reg.IssueReceipt(context.Background(), kkm.Operator{Name: "Айгуль"},
				kkm.SimpleDraft(kkm.OpSale, []kkm.Money{150000}, []kkm.Payment{{Type: kkm.PayCash, Sum: 150000}}))
			if err != nil {
				t.Fatal(err)
			}
			h.u.open(newDocumentScreen(h.u, is))
			h.settle()
			h.tap(h.T("share.title"))
			h.notSee(h.T("share.mail")) // no hub
			h.tap(h.T("button.cancel"))

			m := &fakeMailer{ready: true}
			h.u.ports.ReceiptMail = m
			h.tap(h.T("share.title"))
			h.tap(h.T("share.mail"))
			h.typeInto("buyer@example.kz", 0, "buyer@")
			h.tap(h.T("share.mail.send"))
			h.settle()
			h.see(h.u.loc.Error(&uiError{id: errMailAddress, data: map[string]any{"Input": "buyer@"}}))
			if len(m.to) != 0 {
				t.Fatalf("sent to %v", m.to)
			}

			h.tap(h.T("share.title"))
			h.tap(h.T("share.mail"))
			h.typeInto("buyer@example.kz", 0, "aigul@mail.kz")
			h.tap(h.T("share.mail.send"))
			h.settle()
			h.see(h.T("share.mail.sent", map[string]any{"To": "aigul@mail.kz"}))
			if len(m.to) != 1 || m.to[0] != "aigul@mail.kz" || !strings.Contains(m.texts[0], "1\u00a0500,00") || m.links[0] == "" {
				t.Fatalf("sent %v %q %v", m.to, m.texts, m.links)
			}

			m.fail = errors.New("hub: 503")
			h.tap(h.T("share.title"))
			h.tap(h.T("share.mail"))
			h.tap(h.T("share.mail.send")) // the address typed before is kept
			h.settle()
			h.see(h.u.loc.Error(&uiError{id: errMailSend}))
		})
	}
}
