package ui

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// Bad input everywhere (issue 7 item 4, the screens' part; app/badinput_test.go has the rest):
// every field a cashier or the owner types into gets hostile values. For each the table says
// what must happen:
//
//	shown    a translated error is shown (under the field or in a dialog), in the cashier's
//	         language: not a message ID, not Go's error text, not the catch-all «unexpected»
//	ignored  the field does not take the characters (the keypad ignores letters, a menu
//	         offers only its choices); what is left is shown and nothing is done with it
//	taken    the value is legitimate for this field (an emoji in an item's name, an empty
//	         optional e-mail, a discount of 0 that is no discount): the next step is only a
//	         preview or a saved setting, never a document
//
// and in every case: no panic, no document issued (the fake register's journal, counters,
// settings, cashiers and printer are snapshotted before and after; a "taken" setting may change
// only itself), and what was typed is still in the field when the screen promises to keep it.

// hostileValue is a value a hostile or careless cashier types.
type hostileValue struct{ name, text string }

var hostileValues = []hostileValue{
	{"empty", ""},
	{"spaces", "   "},
	{"negative", "-5"},
	{"exponent", "1e9"},
	{"mixed separators", "1,234.567"},
	{"three decimals", "12,345"},
	{"19 digits", "9223372036854775808"}, // one past int64
	{"zero", "0"},
	{"letters", "abc"},
	{"emoji", "💰🙂"},
	{"10 000 characters", strings.Repeat("9", 10000)},
	{"control characters", "1\x00\x1b[2J\t\r\n2"},
	{"SQL", "'; DROP TABLE documents;--"},
	{"right-to-left mark", "\u200f123"},
	{"full-width digits", "１２３"},
}

// everyLanguage are the values tried in kk and en too (all are tried in ru).
var everyLanguage = map[string]bool{"letters": true, "19 digits": true}

type outcome string

const (
	shown   outcome = "shown"
	ignored outcome = "ignored"
	taken   outcome = "taken"
)

// hostileField is an entry point: how to reach it, type into it and act on it.
type hostileField struct {
	name string
	// open builds a harness in lang showing the field.
	open func(t *testing.T, lang i18n.Lang) *harness
	// put types the value into the field.
	put func(h *harness, s string)
	// act is what the cashier does next: «Далее», «Сохранить», «Войти»...
	act func(h *harness)
	// kept is what the field holds afterwards, when the screen promises to keep it (nil: the
	// screen clears it, as the lock screen clears a code).
	kept func(h *harness) string
	// want is the outcome for a value; default shown.
	want map[string]outcome
	// keypad: the amount the keypad shows after the value (ignored characters dropped), in tiyn.
	keypad map[string]kkm.Money
	// check runs after a taken value (what it was taken as).
	check func(h *harness, v hostileValue)
	// mayChange: a taken value may change the settings, the cashiers or the printer (it is saved).
	mayChange bool
	// reset readies the screen for the next value (the keypad's «C»; the lock screen's wait).
	reset func(h *harness)
}

// strictRegister is the fake register with the runtime's checks on what the screens send it:
// SaveSettings validates as app.Runtime.SaveSettings does, and the OFD accepts only the new token
// 88 in a token change.
type strictRegister struct{ *fakeRegister }

func (r strictRegister) SaveSettings(ctx context.Context, by kkm.Operator, s kkm.Settings) error {
	cur := r.Settings()
	s.SystemID, s.Token, s.Reg, s.SerialNumber, s.OFDAddress = cur.SystemID, cur.Token, cur.Reg, cur.SerialNumber, cur.OFDAddress
	if err := s.Validate(); err != nil {
		return err
	}
	return r.fakeRegister.SaveSettings(ctx, by, s)
}

func (r strictRegister) ChangeToken(ctx context.Context, by kkm.Operator, token uint32) error {
	if token != 88 {
		return ErrConnectBadToken
	}
	return r.fakeRegister.ChangeToken(ctx, by, token)
}

// strictConnector is an OFD reachable only at the known addresses, that knows system ID 5021
// with token 77: any other address cannot be dialled, as ofdclient finds.
type strictConnector struct{ fakeConnector }

func (c strictConnector) Connect(ctx context.Context, req ConnectRequest) (kkm.RegInfo, error) {
	switch {
	case req.OFDAddress != KazakhtelecomAddress && req.OFDAddress != KazakhtelecomTestAddress && req.OFDAddress != "ofd.test:7777":
		return kkm.RegInfo{}, ErrConnectNoNetwork
	case req.SystemID != 5021:
		return kkm.RegInfo{}, ErrConnectUnknownID
	case req.Token != 77:
		return kkm.RegInfo{}, ErrConnectBadToken
	}
	return c.fakeConnector.Connect(ctx, req)
}

// newStrictHarness is newHarness over strictRegister and strictConnector.
func newStrictHarness(t *testing.T, withProfile, registered bool, lang i18n.Lang) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	p := &fakeProfiles{}
	if withProfile {
		if _, err := p.CreateCashier(context.Background(), NewCashier{Name: "Айгуль", Code: "1234"}); err != nil {
			t.Fatal(err)
		}
	}
	reg := newFakeRegister(registered)
	reg.reg.Settings.OfflineLimit, reg.reg.Settings.ShiftLimit = kkm.DefaultOfflineLimit, kkm.DefaultShiftLimit
	if registered {
		reg.reg.Settings.Reg.OrgIINBIN = "960624350642" // the fake's own fails the check digit
	}
	reg.profiles = p
	u := New(a, fakePorts(p, strictConnector{fakeConnector{reg: reg}}, reg, strictRegister{reg}),
		i18n.MustBundle(), lang)
	h := &harness{t: t, u: u, app: a, profiles: p, reg: reg}
	u.spawn = func(f func()) { h.queue = append(h.queue, f) }
	h.w = test.NewWindow(nil)
	h.w.Resize(fyne.NewSize(360, 640))
	u.Show(h.w)
	t.Cleanup(func() { h.settle(); u.Close(); h.w.Close() })
	return h
}

// unlocked is a strict harness of a registered register, unlocked on the register screen.
func unlocked(t *testing.T, lang i18n.Lang) *harness {
	h := newStrictHarness(t, true, true, lang)
	h.unlock()
	return h
}

// fieldText reads the i-th entry with this placeholder.
func (h *harness) fieldText(placeholder string, i int) string {
	h.t.Helper()
	es := h.entries(placeholder)
	if len(es) <= i {
		h.t.Fatalf("no entry %d with placeholder %q:\n%s", i, placeholder, h.text())
	}
	return es[i].Text
}

// put types s into the i-th entry with this placeholder; a longer value is pasted, as such a
// value comes (and typing 10 000 characters one by one tells nothing more).
func (h *harness) put(placeholder string, i int, s string) {
	h.t.Helper()
	if len(s) <= 12 {
		h.typeInto(placeholder, i, s)
		return
	}
	es := h.entries(placeholder)
	if len(es) <= i {
		h.t.Fatalf("no entry %d with placeholder %q:\n%s", i, placeholder, h.text())
	}
	es[i].SetText("")
	h.w.Canvas().Focus(es[i])
	h.app.Clipboard().SetContent(s)
	es[i].TypedShortcut(&fyne.ShortcutPaste{Clipboard: h.app.Clipboard()})
	h.settle()
}

// keypadKeys types s at the keypad: a digit or comma key is tapped, anything else is typed on
// the keyboard (which the keypad ignores). Only the first 20 characters: the keypad's limit is
// 13 digits.
func (h *harness) keypadKeys(s string) {
	h.t.Helper()
	for i, r := range []rune(s) {
		if i == 20 {
			break
		}
		switch {
		case r >= '0' && r <= '9':
			h.tap(string(r))
		case r == ',':
			h.tap(h.T("keypad.decimal"))
		default:
			h.typeKeys(string(r))
		}
	}
}

// keyboardKeys types s on the keyboard with no field focused (the desktop keypad), at most 20
// characters.
func (h *harness) keyboardKeys(s string) {
	h.t.Helper()
	if r := []rune(s); len(r) > 20 {
		s = string(r[:20])
	}
	h.typeKeys(s)
}

// snapshot is everything a hostile value must not change: the journal, the counters and the
// settings of the fake register, the cashiers and the printer.
func (h *harness) snapshot() (docs, rest string) {
	r := h.reg
	r.mu.Lock()
	docs = fmt.Sprintf("%+v|%+v|%v", r.docs, r.reg.State, r.registered)
	rest = fmt.Sprintf("%+v", r.reg.Settings)
	r.mu.Unlock()
	p := h.profiles
	p.mu.Lock()
	rest += fmt.Sprintf("|%+v|%q", p.cashiers, p.codes)
	p.mu.Unlock()
	return docs, rest
}

// shownErrors are the error texts on the screen: the danger labels and the text of a dialog,
// which it closes.
func (h *harness) shownErrors() []string {
	var out []string
	for _, o := range h.visible() {
		if text, imp, ok := labelText(o); ok && imp == widget.DangerImportance && strings.TrimSpace(text) != "" {
			out = append(out, text)
		}
	}
	if top := h.w.Canvas().Overlays().Top(); top != nil {
		var walk func(o fyne.CanvasObject)
		walk = func(o fyne.CanvasObject) {
			if o == nil || !o.Visible() {
				return
			}
			switch v := o.(type) {
			case *widget.Label:
				if v.Wrapping == fyne.TextWrapWord && v.Text != "" {
					out = append(out, v.Text)
				}
			case *msgLabel: // a dialog's text
				if v.Text != "" {
					out = append(out, v.Text)
				}
			case *fyne.Container:
				for _, c := range v.Objects {
					walk(c)
				}
			case fyne.Widget:
				for _, c := range test.WidgetRenderer(v).Objects() {
					walk(c)
				}
			}
		}
		walk(top)
		h.w.Canvas().Overlays().Remove(top)
		h.settle()
	}
	return out
}

var (
	messageIDLike = regexp.MustCompile(`\b[a-z_]+\.[a-z_]+(\.[a-z_0-9]+)*\b`)
	goErrorLike   = regexp.MustCompile(`strconv|invalid syntax|kkm:|ui:|ofdclient:|storage:|<no value>|%!|\bnil\b|runtime error`)
)

// translatedError fails unless text reads as a message in lang.
func (h *harness) translatedError(what, text string, lang i18n.Lang) {
	h.t.Helper()
	switch {
	case text == h.T("err.unexpected"):
		h.t.Errorf("%s: the catch-all error %q, not a clear one", what, text)
	case goErrorLike.MatchString(text):
		h.t.Errorf("%s: Go's error text in %q", what, text)
	}
	for _, m := range messageIDLike.FindAllString(text, -1) {
		if strings.HasPrefix(m, "err.") || h.u.loc.Has(m) {
			h.t.Errorf("%s: the message ID %s in %q", what, m, text)
		}
	}
	cyrillic := strings.IndexFunc(text, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) >= 0
	if lang == i18n.English && cyrillic || lang != i18n.English && !cyrillic {
		h.t.Errorf("%s: %q is not in %s", what, text, lang.Name())
	}
}

func TestHostileInput(t *testing.T) {
	// The keypad's totals after each value: the characters it has no key for are ignored, the
	// digits beyond 2 after the comma too, and a digit that would take the amount past kkm.MaxMoney
	// is refused at once with the limit shown (keypadRefused).
	keypad := map[string]kkm.Money{
		"negative": 500, "exponent": 1900, "mixed separators": 123, "three decimals": 1234,
		"19 digits": 92233720368500, "10 000 characters": 99999999999900, "control characters": 12200,
		"right-to-left mark": 12300,
	}
	// On the register's simple tab a keyboard is the keypad; the numeric pad's point is its comma.
	// A phone's hardware keyboard (a Bluetooth scanner is one) reaches it too, through the scan
	// catcher (scancatcher.go), as the desktop's does.
	simpleKeypad := keypad
	// 1,234.567: the point is a second comma, ignored.
	onlyValid := func(names ...string) map[string]outcome {
		m := map[string]outcome{}
		for _, n := range names {
			m[n] = taken
		}
		return m
	}
	// A name is text: anything printable is taken; control and format characters (a right-to-left
	// mark among them) and absurd lengths are refused by kkm's name rules.
	nameLike := onlyValid("negative", "exponent", "mixed separators", "three decimals", "19 digits", "zero",
		"letters", "emoji", "SQL", "full-width digits")
	for _, n := range []string{"10 000 characters", "control characters", "right-to-left mark"} {
		nameLike[n] = shown
	}
	blankAllowed := onlyValid("empty", "spaces")

	extended := func(t *testing.T, lang i18n.Lang) *harness {
		h := unlocked(t, lang)
		h.tab(h.T("register.tab.extended"))
		return h
	}
	withItem := func(t *testing.T, lang i18n.Lang) *harness {
		h := extended(t, lang)
		h.tap(h.T("sale.add_item"))
		h.typeInto(h.T("item.name.hint"), 0, "Хлеб")
		h.typeInto(h.T("sale.amount.hint"), 0, "150")
		h.tap(h.T("item.add"))
		return h
	}
	newItem := func(name, qty, price string) func(t *testing.T, lang i18n.Lang) *harness {
		return func(t *testing.T, lang i18n.Lang) *harness {
			h := extended(t, lang)
			h.tap(h.T("sale.add_item"))
			h.typeInto(h.T("item.name.hint"), 0, name)
			h.typeInto(h.T("item.quantity.hint"), 0, qty)
			h.typeInto(h.T("sale.amount.hint"), 0, price)
			return h
		}
	}
	next := func(h *harness) { h.tap(h.T("sale.next")) }
	// previewed: a taken value opened only the preview; «Отменить» goes back.
	previewed := func(h *harness, v hostileValue) {
		h.t.Helper()
		if _, ok := h.u.current.(*previewScreen); !ok {
			h.t.Fatalf("%s: not the preview: %T", v.name, h.u.current)
		}
		h.tap(h.T("preview.cancel"))
	}
	returnOf := func(simple bool) func(t *testing.T, lang i18n.Lang) *harness {
		return func(t *testing.T, lang i18n.Lang) *harness {
			h := unlocked(t, lang)
			d := kkm.SimpleDraft(kkm.OpSale, []kkm.Money{200000}, []kkm.Payment{{Type: kkm.PayCash, Sum: 200000}})
			if !simple {
				d = kkm.ReceiptDraft{Operation: kkm.OpSale, Lines: []kkm.LineDraft{{Name: "Хлеб", Quantity: 2 * kkm.QuantityOne,
					Unit: kkm.UnitPiece, Price: 100000}}, Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 200000}}}
			}
			is, err := h.reg.IssueReceipt(context.Background(), kkm.Operator{Code: 1, Name: "Айгуль"}, d)
			if err != nil {
				t.Fatal(err)
			}
			h.choose(h.T("op.sale"), h.T("op.return"))
			h.tapPrefix(documentTitle(h.u.loc, is.Last().Document))
			return h
		}
	}
	cash := func(kind kkm.DocumentKind) func(t *testing.T, lang i18n.Lang) *harness {
		return func(t *testing.T, lang i18n.Lang) *harness {
			h := unlocked(t, lang)
			op := "op.cash_in"
			if kind == kkm.KindCashOut {
				op = "op.cash_out"
				// A drawer holding the most there may be: the amounts typed are checked against it
				// as they are typed, and the values here are about the keys, not the drawer.
				if _, err := h.reg.CashIn(context.Background(), kkm.Operator{Code: 1, Name: "Кассир"}, kkm.MaxDrawer); err != nil {
					t.Fatal(err)
				}
				h.settle()
			}
			h.choose(h.T("op.sale"), h.T(op))
			return h
		}
	}
	history := func(t *testing.T, lang i18n.Lang) *harness {
		h := unlocked(t, lang)
		h.tap(h.T("register.reports"))
		h.tap(h.T("reports.history"))
		return h
	}
	settings := func(t *testing.T, lang i18n.Lang) *harness {
		h := unlocked(t, lang)
		h.openSettings()
		return h
	}
	vatSettings := func(t *testing.T, lang i18n.Lang) *harness {
		h := settings(t, lang)
		h.tapCheck(h.T("settings.vat_payer"))
		h.typeInto("", 0, "12345")
		h.typeInto("", 1, "1234567")
		return h
	}
	connect := func(other bool) func(t *testing.T, lang i18n.Lang) *harness {
		return func(t *testing.T, lang i18n.Lang) *harness {
			h := newStrictHarness(t, true, false, lang)
			h.unlock()
			h.tap(h.T("start.connect"))
			if other {
				h.choose(h.T("connect.ofd.kazakhtelecom"), h.T("connect.ofd.other"))
			}
			h.typeInto(h.T("connect.system_id.hint"), 0, "5021")
			h.typeInto(h.T("connect.token.hint"), 0, "77")
			return h
		}
	}
	profile := func(t *testing.T, lang i18n.Lang) *harness {
		h := newStrictHarness(t, false, false, lang)
		h.tap(h.T("first.register"))
		h.typeInto(h.T("profile.name.hint"), 0, "Айгуль")
		h.typeInto(h.T("profile.code.hint"), 0, "1234")
		h.typeInto(h.T("profile.code_again.hint"), 0, "1234")
		return h
	}
	entryField := func(hintID string, i int) (func(h *harness, s string), func(h *harness) string) {
		return func(h *harness, s string) { h.put(h.T(hintID), i, s) },
			func(h *harness) string { return h.fieldText(h.T(hintID), i) }
	}
	tapID := func(id string) func(h *harness) { return func(h *harness) { h.tap(h.T(id)) } }
	clear := func(h *harness) { h.tap(h.T("keypad.clear")) }

	itemName, itemNameKept := entryField("item.name.hint", 0)
	itemQty, itemQtyKept := entryField("item.quantity.hint", 0)
	itemPrice, itemPriceKept := entryField("sale.amount.hint", 0)
	modifier, modifierKept := entryField("sale.amount.hint", 0)
	taken_, takenKept := entryField("sale.amount.hint", 1)
	buyer, buyerKept := entryField("sale.buyer.hint", 0)
	retQty, retQtyKept := entryField("return.quantity.hint", 0)
	hShift, hShiftKept := entryField("history.shift.hint", 0)
	hNumber, hNumberKept := entryField("history.number.hint", 0)
	hFrom, hFromKept := entryField("history.amount.from.hint", 0)
	hTo, hToKept := entryField("history.amount.to.hint", 0)
	regName, regNameKept := entryField("settings.register_name.hint", 0)
	maxSum, maxSumKept := entryField("settings.max_sum.hint", 0)
	vatSeries, vatSeriesKept := entryField("", 0)
	vatNumber, vatNumberKept := entryField("", 1)
	printerAddr, printerAddrKept := entryField("printer.address.hint", 0)
	address, addressKept := entryField("connect.address.hint", 0)
	systemID, systemIDKept := entryField("connect.system_id.hint", 0)
	token, tokenKept := entryField("connect.token.hint", 0)
	code, _ := entryField("lock.code.hint", 0)
	pName, pNameKept := entryField("profile.name.hint", 0)
	pEmail, pEmailKept := entryField("profile.email.hint", 0)
	pCode, pCodeKept := entryField("profile.code.hint", 0)
	pAgain, pAgainKept := entryField("profile.code_again.hint", 0)
	newToken, newTokenKept := entryField("settings.token.hint", 0)
	// The history's dates: the hint is the date layout in the cashier's language.
	dateHint := func(h *harness) string {
		l := h.u.loc
		return strings.NewReplacer("02", l.T("history.dd"), "01", l.T("history.mm"), "2006", l.T("history.yyyy")).Replace(dateLayout(l))
	}

	fields := []hostileField{
		{name: "simple-mode keypad, typed keys", open: unlocked,
			put: func(h *harness, s string) { h.keyboardKeys(s) }, act: next, keypad: simpleKeypad, reset: clear},
		{name: "cash in amount", open: cash(kkm.KindCashIn),
			put: func(h *harness, s string) { h.keypadKeys(s) }, act: tapID("cash.in"), keypad: keypad, reset: clear},
		{name: "cash out amount", open: cash(kkm.KindCashOut),
			put: func(h *harness, s string) { h.keypadKeys(s) }, act: tapID("cash.out"), keypad: keypad, reset: clear},
		{name: "return amount", open: returnOf(true),
			put: func(h *harness, s string) { h.keypadKeys(s) }, act: next, keypad: keypad, reset: clear},
		{name: "item name", open: newItem("", "1", "150"), put: itemName, act: tapID("item.add"), kept: itemNameKept,
			want: nameLike, check: func(h *harness, v hostileValue) {
				s := h.u.reg.extended
				if len(s.lines) != 1 || s.lines[0].Name != strings.TrimSpace(v.text) {
					h.t.Errorf("%s: the lines are %+v", v.name, s.lines)
				}
			}},
		{name: "item quantity", open: newItem("Хлеб", "1", "150"), put: itemQty, act: tapID("item.add"), kept: itemQtyKept},
		{name: "item price", open: newItem("Хлеб", "1", "150"), put: itemPrice, act: tapID("item.add"), kept: itemPriceKept},
		{name: "cash taken", open: withItem, put: taken_, act: next, kept: takenKept,
			want: blankAllowed, check: previewed},
		{name: "receipt discount", open: withItem, put: modifier, act: next, kept: modifierKept,
			want: onlyValid("empty", "spaces", "zero"), check: previewed},
		{name: "receipt markup", open: func(t *testing.T, lang i18n.Lang) *harness {
			h := withItem(t, lang)
			h.tap(h.T("sale.markup"))
			return h
		}, put: modifier, act: next, kept: modifierKept, want: onlyValid("empty", "spaces", "zero"), check: previewed},
		{name: "buyer IIN/BIN", open: withItem, put: buyer, act: next, kept: buyerKept,
			want: blankAllowed, check: previewed},
		{name: "return quantity", open: returnOf(false), put: retQty, act: next, kept: retQtyKept},
		{name: "history shift", open: history, put: hShift, act: tapID("history.search"), kept: hShiftKept,
			want: onlyValid("empty", "spaces", "zero")}, // shift 0: no shift filter
		{name: "history from date", open: history,
			put: func(h *harness, s string) { h.put(dateHint(h), 0, s) }, act: tapID("history.search"),
			kept: func(h *harness) string { return h.fieldText(dateHint(h), 0) }, want: blankAllowed},
		{name: "history to date", open: history,
			put: func(h *harness, s string) { h.put(dateHint(h), 1, s) }, act: tapID("history.search"),
			kept: func(h *harness) string { return h.fieldText(dateHint(h), 1) }, want: blankAllowed},
		// A number is searched as typed: digits find nothing here, anything else the journal refuses.
		{name: "history number", open: history, put: hNumber, act: tapID("history.search"), kept: hNumberKept,
			want: onlyValid("empty", "spaces", "zero", "19 digits", "10 000 characters")},
		{name: "history amount from", open: history, put: hFrom, act: tapID("history.search"), kept: hFromKept,
			want: onlyValid("empty", "spaces", "zero")},
		{name: "history amount to", open: history, put: hTo, act: tapID("history.search"), kept: hToKept,
			want: onlyValid("empty", "spaces", "zero")},
		{name: "register name", open: settings, put: regName, act: tapID("settings.save"), kept: regNameKept,
			want: func() map[string]outcome {
				m := onlyValid("empty", "spaces")
				for k, v := range nameLike {
					m[k] = v
				}
				return m
			}(), mayChange: true, check: func(h *harness, v hostileValue) {
				if got := h.reg.Settings().RegisterName; got != v.text {
					h.t.Errorf("%s: saved as %q", v.name, got)
				}
			}},
		{name: "maximum receipt sum", open: settings, put: maxSum, act: tapID("settings.save"), kept: maxSumKept,
			want: onlyValid("empty", "spaces", "zero"), mayChange: true}, // 0 or nothing: no maximum
		{name: "VAT certificate series", open: vatSettings, put: vatSeries, act: tapID("settings.save"), kept: vatSeriesKept,
			want: onlyValid("zero"), mayChange: true}, // digits only, at most kkm.MaxVATCertificateLen
		{name: "VAT certificate number", open: vatSettings, put: vatNumber, act: tapID("settings.save"), kept: vatNumberKept,
			want: onlyValid("zero"), mayChange: true},
		{name: "printer address", open: func(t *testing.T, lang i18n.Lang) *harness {
			h := settings(t, lang)
			h.tap(h.T("printer.title"))
			return h
		}, put: printerAddr, act: tapID("settings.save"), kept: printerAddrKept,
			want: onlyValid("empty", "spaces", "exponent", "letters"), mayChange: true}, // host names «1e9», «abc»
		{name: "OFD address", open: connect(true), put: address, act: tapID("connect.connect"), kept: addressKept},
		{name: "system ID", open: connect(false), put: systemID, act: tapID("connect.connect"), kept: systemIDKept},
		{name: "token", open: connect(false), put: token, act: tapID("connect.connect"), kept: tokenKept},
		{name: "quick-access code", open: func(t *testing.T, lang i18n.Lang) *harness {
			return newStrictHarness(t, true, true, lang)
		}, put: code, act: tapID("lock.enter"), reset: func(h *harness) {
			// The wait after wrong codes is TestLockGrowingWait's; here it is over at once.
			h.profiles.mu.Lock()
			h.profiles.wrong, h.profiles.until = 0, time.Time{}
			h.profiles.mu.Unlock()
			h.u.current.(*lockScreen).until = time.Time{}
			h.u.render()
		}}, // the code is cleared after each try: nothing is kept
		{name: "profile name", open: profile, put: pName, act: tapID("profile.continue"), kept: pNameKept,
			want: nameLike, mayChange: true, check: func(h *harness, v hostileValue) {
				if cs, _ := h.reg.Cashiers(context.Background()); len(cs) != 1 || cs[0].Name != strings.TrimSpace(v.text) {
					h.t.Errorf("%s: cashiers %+v", v.name, cs)
				}
			}},
		{name: "profile e-mail", open: profile, put: pEmail, act: tapID("profile.continue"), kept: pEmailKept,
			want: blankAllowed, mayChange: true},
		{name: "profile code", open: profile, put: pCode, act: tapID("profile.continue"), kept: pCodeKept},
		{name: "profile code again", open: profile, put: pAgain, act: tapID("profile.continue"), kept: pAgainKept},
		{name: "token change", open: settings, put: newToken, act: tapID("settings.token.change"), kept: newTokenKept},
	}

	seen := map[string]map[i18n.Lang]string{} // field/value → the error in each language
	for _, f := range fields {
		t.Run(f.name, func(t *testing.T) {
			for _, lang := range []i18n.Lang{i18n.Russian, i18n.Kazakh, i18n.English} {
				// One screen takes value after value, as a cashier retypes; when a value moved
				// the app to another screen the next gets a fresh one.
				var h *harness
				var screen string
				for _, v := range hostileValues {
					if lang != i18n.Russian && !everyLanguage[v.name] {
						continue
					}
					if h == nil {
						h = f.open(t, lang)
						screen = fmt.Sprintf("%T", h.u.current)
					} else if f.reset != nil {
						f.reset(h)
					}
					errText, failed := tryHostile(t, h, f, v, lang)
					if failed || fmt.Sprintf("%T", h.u.current) != screen || h.w.Canvas().Overlays().Top() != nil {
						h = nil
					}
					if errText != "" {
						key := f.name + "/" + v.name
						if seen[key] == nil {
							seen[key] = map[i18n.Lang]string{}
						}
						seen[key][lang] = errText
					}
				}
			}
		})
	}
	// The same refusal reads differently in each language: it is translated, not left in one.
	for key, byLang := range seen {
		if len(byLang) == 3 && (byLang[i18n.Kazakh] == byLang[i18n.Russian] || byLang[i18n.English] == byLang[i18n.Russian]) {
			t.Errorf("%s: the same text in two languages: %q", key, byLang)
		}
	}
}

// tryHostile types v into f on h's screen and checks the outcome; it returns the error shown, if
// any, and whether something went wrong.
func tryHostile(t *testing.T, h *harness, f hostileField, v hostileValue, lang i18n.Lang) (errText string, failed bool) {
	t.Helper()
	what := fmt.Sprintf("%s, %s, %s", f.name, v.name, lang.Name())
	failed = true
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: panic: %v", what, r)
		}
	}()
	docs, rest := h.snapshot()
	f.put(h, v.text)

	want := f.want[v.name]
	if want == "" {
		want = shown
	}
	if f.keypad != nil {
		// The keypad takes only its keys: what it shows is what is left of the value.
		total := f.keypad[v.name]
		want = ignored
		if total == 0 {
			want = shown // nothing to record: «Далее» or the record button says so
		}
		if got := keypadTotal(h); got != total {
			t.Errorf("%s: the keypad holds %v, want %v", what, got, total)
		}
		if keypadRefused(h) {
			// A key past the limit was refused as it was typed: the limit is on the screen now,
			// translated, and what was typed before it stays (it is a valid amount).
			errs := h.shownErrors()
			if len(errs) == 0 {
				t.Errorf("%s: a key past the limit refused without a message:\n%s", what, h.text())
			}
			for _, e := range errs {
				h.translatedError(what, e, lang)
			}
			if len(errs) > 0 {
				errText = errs[0]
			}
			if afterDocs, _ := h.snapshot(); afterDocs != docs {
				t.Errorf("%s: the journal changed:\n%s\n%s", what, docs, afterDocs)
			}
			return errText, t.Failed()
		}
	}
	if want != ignored {
		f.act(h)
	}
	errs := h.shownErrors()
	switch want {
	case shown:
		if len(errs) == 0 {
			t.Errorf("%s: no error shown (on %T):\n%s", what, h.u.current, h.text())
		}
		for _, e := range errs {
			h.translatedError(what, e, lang)
		}
		if len(errs) > 0 {
			errText = errs[0]
		}
	case taken, ignored:
		if len(errs) > 0 {
			t.Errorf("%s: refused with %q", what, errs)
		}
		if want == taken && f.check != nil {
			f.check(h, v)
		}
	}
	afterDocs, afterRest := h.snapshot()
	if afterDocs != docs {
		t.Errorf("%s: the journal changed:\n%s\n%s", what, docs, afterDocs)
	}
	if afterRest != rest && !(want == taken && f.mayChange) {
		t.Errorf("%s: the settings, cashiers or printer changed:\n%s\n%s", what, rest, afterRest)
	}
	if want == shown && f.kept != nil {
		if got := f.kept(h); got != v.text && !(len(v.text) > 12 && got == strings.ReplaceAll(v.text, "\n", " ")) {
			t.Errorf("%s: the field holds %.40q, not what was typed", what, got)
		}
	}
	return errText, t.Failed()
}

// keypadRefused reports whether the keypad on the screen shown refused its last key at a limit.
func keypadRefused(h *harness) bool {
	switch s := h.u.current.(type) {
	case *registerScreen:
		return s.simple.in.err != nil
	case *cashScreen:
		return s.in.err != nil
	case *returnScreen:
		return s.in.err != nil
	}
	return false
}

// keypadTotal is the total of the keypad on the screen shown.
func keypadTotal(h *harness) kkm.Money {
	switch s := h.u.current.(type) {
	case *registerScreen:
		return s.simple.in.total()
	case *cashScreen:
		return s.in.total()
	case *returnScreen:
		return s.in.total()
	}
	h.t.Fatalf("no keypad on %T", h.u.current)
	return 0
}

// TestKeypadRefusesPastTheLimit types the issue's 9999999999999 on the simple-mode keypad and on
// the cash-in keypad: the 13th digit is refused at once, in each language, with a message naming
// the limit (kkm.MaxMoney), and the amount typed before it stays; the next key clears the message.
// «+» that would take the receipt's total past the limit is refused the same way.
func TestKeypadRefusesPastTheLimit(t *testing.T) {
	for _, lang := range i18n.Langs() {
		t.Run(string(lang), func(t *testing.T) {
			h := unlocked(t, lang)
			limit := strings.ReplaceAll(h.u.loc.Number(kkm.MaxMoney.String()), "\u00a0", " ") // as the screen writes it
			h.keypadKeys("9999999999999")
			if got := keypadTotal(h); got != 99_999_999_999_900 {
				t.Fatalf("the keypad holds %v, want 999 999 999 999", got)
			}
			errs := h.shownErrors()
			if len(errs) == 0 || !strings.Contains(strings.ReplaceAll(errs[0], "\u00a0", " "), limit) {
				t.Fatalf("shown %q, want the limit %s named", errs, limit)
			}
			h.translatedError("13 digits", errs[0], lang)
			h.tap(h.T("keypad.plus"))
			h.keypadKeys("1")
			if got := keypadTotal(h); got != 99_999_999_999_900 {
				t.Fatalf("after «+ 1» the keypad holds %v: the total went past the limit", got)
			}
			if errs := h.shownErrors(); len(errs) == 0 {
				t.Fatal("a total past the limit refused without a message")
			}
			h.tap(h.T("keypad.clear"))
			h.keypadKeys("5")
			if errs := h.shownErrors(); len(errs) != 0 {
				t.Fatalf("the message stayed after its cause went: %q", errs)
			}
		})
	}
}
