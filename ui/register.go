package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/kkm"
)

// The tabs of the register screen.
const (
	tabSimple   = 0 // «Простой» (the manual's «Простой режим»)
	tabExtended = 1 // «Расширенный» (the manual's «Расширенный режим»)
)

// menu is an entry of the operations menu.
type menu int

// The operations menu, in the order it shows.
const (
	menuSale menu = iota
	menuPurchase
	menuReturn
	menuCashIn
	menuCashOut
	menuCatalogue // «Тауарлар каталогы», when the app has a catalogue
)

// registerScreen is the register's home: the tabs «Простой» and «Расширенный» (the manual's
// simple and extended modes), each with the operations menu and its sale form, and the way to
// «Смена и отчеты» and settings. The tabs' titles are one word, so that both fit a 360 px phone
// at 130 % text in every language: a tab that does not fit goes behind Fyne's «…», where a
// Kazakh cashier never found the extended mode (walker S6; the phone-fit test fails on it).
type registerScreen struct {
	u        *UI
	tab      int
	op       kkm.Operation // the receipt being formed: sale or purchase
	simple   *simpleSale
	extended *extendedSale
}

func newRegisterScreen(u *UI) *registerScreen {
	s := &registerScreen{u: u, op: kkm.OpSale}
	s.simple = &simpleSale{u: u, reg: s}
	s.extended = &extendedSale{u: u, reg: s}
	return s
}

func (s *registerScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	u.installKeys() // the desktop keyboard (keyboard.go)
	tabs := container.NewAppTabs(
		container.NewTabItem(l.T("register.tab.simple"), s.simple.view()),
		container.NewTabItem(l.T("register.tab.extended"), s.extended.view()),
	)
	tabs.SelectIndex(s.tab)
	tabs.OnSelected = func(*container.TabItem) { s.tab = tabs.SelectedIndex() }
	reports := widget.NewButtonWithIcon(l.T("register.reports"), theme.DocumentIcon(), func() { u.open(newReportsScreen(u)) })
	// Settings is the manual's gear, so that «Смена и отчеты» keeps the width it needs in Kazakh.
	settings := widget.NewButtonWithIcon("", theme.SettingsIcon(), func() { u.open(newSettingsScreen(u, false)) })
	return container.NewBorder(nil, container.NewBorder(nil, nil, nil, settings, reports), nil, nil, tabs)
}

// operations is the operations menu («Продажа», «Покупка», «Возврат», «Внесение», «Изъятие»).
// Sale and purchase switch the form below; the others open their screens.
func (s *registerScreen) operations() *widget.Select {
	u, l := s.u, s.u.loc
	items := []string{l.T("op.sale"), l.T("op.purchase"), l.T("op.return"), l.T("op.cash_in"), l.T("op.cash_out")}
	if u.ports.Catalogue != nil {
		items = append(items, l.T("catsell.title"))
	}
	sel := widget.NewSelect(items, nil)
	if s.op == kkm.OpPurchase {
		sel.SetSelectedIndex(int(menuPurchase))
	} else {
		sel.SetSelectedIndex(int(menuSale))
	}
	sel.OnChanged = func(string) {
		switch menu(sel.SelectedIndex()) {
		case menuSale:
			s.op = kkm.OpSale
		case menuPurchase:
			s.op = kkm.OpPurchase
		case menuReturn:
			u.allowThen(kkm.ActionReturn, func() { u.open(newReturnScreen(u)) }) // the owner's permissions (admin.go)
			return
		case menuCashIn:
			u.open(newCashScreen(u, kkm.KindCashIn))
			return
		case menuCashOut:
			u.open(newCashScreen(u, kkm.KindCashOut))
			return
		case menuCatalogue:
			u.open(newCatalogueScreen(u))
			return
		}
		u.render()
	}
	return sel
}

// afterDocument readies the register for the next customer after any document (a receipt, a
// return, a cash-in or -out, a report): a sale, paid in cash, with a discount if any, and both
// forms empty (issue 12.5, a fresh start for every customer). An amount left on the keypad while
// a return was issued must not become the next customer's receipt.
func (s *registerScreen) afterDocument() {
	s.op = kkm.OpSale
	s.fresh()
}

// fresh empties both sale forms: nothing typed, cash, a discount if any.
func (s *registerScreen) fresh() {
	s.simple.fresh()
	s.extended.fresh()
	s.extended.modKind = kkm.Discount
}

// preview computes the draft and opens the preview; the error, if any, stays on the form.
func (s *registerScreen) preview(d kkm.ReceiptDraft, failed func(error), issued func()) {
	u := s.u
	r, err := u.ports.Issuer.Preview(d)
	if err != nil {
		failed(err)
		return
	}
	u.open(newPreviewScreen(u, d, r, issued))
}

// closeShift asks to confirm and closes the shift with a Z report.
func (u *UI) closeShift() {
	u.allowThen(kkm.ActionCloseShift, func() { // the owner's permissions (admin.go)
		// The question says what the Z does, and its button says it again: nothing to misread.
		text := u.loc.T("counter.z.confirm", map[string]any{"Shift": u.status.ShiftNumber, "Cash": money(u.loc, u.status.CashInDrawer)})
		// Closing the shift cannot be undone: «Отмена» is the highlighted button and the one Enter
		// presses (walker F15); the Z is made only by a tap on its own button.
		u.confirmCancelFirst("reports.z", text, "counter.z.close", func() {
			u.issue(func(ctx context.Context) (Issued, error) {
				return u.ports.Issuer.CloseShift(ctx, u.cashier.Operator())
			}, nil, nil)
		})
	})
}

// issue runs an issuing operation off the UI goroutine and, when it succeeds, shows its last
// document; done runs first (to clear the form). A failure is shown in a dialog, the form kept,
// after failed runs (to enable the form again).
func (u *UI) issue(op func(ctx context.Context) (Issued, error), done, failed func()) {
	u.background(func(ctx context.Context) func() {
		is, err := op(ctx)
		st := u.ports.Status.Status()
		return func() {
			u.setStatus(st)
			if err != nil {
				if failed != nil {
					failed()
				}
				u.issueFailed(err, func() { u.issue(op, done, failed) }) // a way out of a clock refusal (admin.go)
				return
			}
			if done != nil {
				done()
			}
			u.showIssued(is)
		}
	})
}

// showIssued shows what an operation issued, with home to go back to.
func (u *UI) showIssued(is Issued) {
	u.stack = nil
	if u.reg != nil {
		u.reg.afterDocument()
		u.stack = []screen{u.reg}
	}
	u.current = newDocumentScreen(u, is)
	u.render()
}
