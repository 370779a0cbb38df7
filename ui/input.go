package ui

import (
	"strings"

	"fyne.io/fyne/v2"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// inputRule is what an amount or quantity field takes as it is typed, key by key: digits, group
// spaces and one decimal separator («,» or «.»), with at most decimals digits after it (none and
// no separator at all when decimals is 0). A key that would break it is refused at once with
// refusal, on the on-screen keypad and on a keyboard alike, so that a third decimal of money is
// never on the screen only to be refused at «Добавить» (walker F7).
type inputRule struct {
	decimals int
	refusal  error // why a key was refused: the field's own «at most N decimals» message
}

// moneyRule is the rule of an amount of money: tiyn, two decimals.
var moneyRule = inputRule{decimals: 2, refusal: kkm.Code(kkm.ErrMoneyTooManyDecimals)}

// quantityRule is the rule of a quantity in unit (a kkm unit code): thousandths for a unit that
// may be split (kilograms, litres), whole numbers for one that may not (pieces), named in the
// language of l.
func quantityRule(l *i18n.Localizer, unit string) inputRule {
	if fractional(unit) {
		return inputRule{decimals: 3, refusal: kkm.Code(kkm.ErrQuantityTooManyDecs)}
	}
	return inputRule{decimals: 0, refusal: &kkm.Error{Code: kkm.ErrQuantityFraction, Data: map[string]any{"Unit": unitName(l, unit)}}}
}

// check says why text breaks the rule, or nil. Other faults (an empty field, a number too large)
// are the parser's to name; this only keeps keys off the field that no parser would take.
func (r inputRule) check(text string) error {
	sep := strings.IndexAny(text, ",.")
	if sep < 0 {
		return nil
	}
	if r.decimals == 0 {
		return r.refusal
	}
	frac := text[sep+1:]
	if strings.ContainsAny(frac, ",.") {
		return r.refusal // a second separator: no number has two
	}
	digits := 0
	for _, c := range frac {
		if c >= '0' && c <= '9' {
			digits++
		}
	}
	if digits > r.decimals {
		return r.refusal
	}
	return nil
}

// The fields of an amount share two behaviours with the on-screen keypads, implemented by padEntry
// (counter.go) for the phone's keyboard, a hardware keyboard and the keypad alike:
//
//   - its rule (inputRule): a key that would break it changes nothing and is refused with a
//     message;
//   - pristine: an amount the screen filled in (the card part of a mixed payment, a quick sum of
//     the cash taken, an item's quantity 1, an edited item's price) is replaced by the first key
//     typed, not appended to: tapping the card part's 4 580,88 and typing 5000 gives 5000, not
//     «4580,885000» (walker F4). Backspace or C on it clears it.

// fill puts text in the field as the screen's own suggestion: the next key replaces it.
func (e *padEntry) fill(text string) {
	e.SetText(text)
	e.pristine = text != ""
}

// TypedRune takes a character from a keyboard (the phone's or a hardware one) through the rule.
func (e *padEntry) TypedRune(r rune) {
	if e.scan != nil {
		e.scan.rune(r)
	}
	if e.pristine {
		e.pristine = false
		e.SetText("")
	}
	before, col := e.Text, e.CursorColumn
	e.Entry.TypedRune(r)
	if err := e.ruleNow().check(e.Text); err != nil {
		e.SetText(before)
		e.CursorColumn = col
		e.Refresh()
		e.refuse(err)
	}
}

// TypedKey clears a filled-in amount on Backspace or Delete, as a selected text would be; a key
// that moves the cursor keeps it, now the cashier's to edit. Any other key leaves it filled in:
// a desktop keyboard sends a digit's key (here) before its character (TypedRune), which is the
// one that replaces the amount.
func (e *padEntry) TypedKey(k *fyne.KeyEvent) {
	if e.scan != nil && e.scan.key(k.Name) {
		return // the Enter of a scan, whose keys are already taken back out
	}
	if e.pristine {
		switch k.Name {
		case fyne.KeyBackspace, fyne.KeyDelete:
			e.pristine = false
			e.SetText("")
			return
		case fyne.KeyLeft, fyne.KeyRight, fyne.KeyUp, fyne.KeyDown, fyne.KeyHome, fyne.KeyEnd:
			e.pristine = false
		}
	}
	e.Entry.TypedKey(k)
}

// press applies a key of an on-screen keypad (decimalPad): a digit, "00", "," (the language's
// separator sep), "back" or "clear", through the same rule as the keyboard.
func (e *padEntry) press(k, sep string) {
	t := e.Text
	if e.pristine {
		t = "" // the first key replaces the suggestion; ⌫ and C clear it
		if k == "back" {
			k = "clear"
		}
	}
	e.pristine = false
	switch k {
	case "back":
		if r := []rune(t); len(r) > 0 {
			t = string(r[:len(r)-1])
		}
	case "clear":
		t = ""
	case ",":
		if strings.ContainsAny(t, ",.") {
			return // one separator already: the key adds nothing
		}
		if t == "" {
			t = "0"
		}
		t += sep
	default:
		t += k
	}
	if err := e.ruleNow().check(t); err != nil {
		e.refuse(err)
		return
	}
	e.SetText(t)
	// The cursor follows the keys, so a keyboard's next key goes after them too.
	e.CursorColumn = len([]rune(t))
	e.Refresh()
}

// ruleNow is the field's rule at this moment (a quantity's follows its unit); money by default.
func (e *padEntry) ruleNow() inputRule {
	if e.rule != nil {
		return e.rule()
	}
	return moneyRule
}

// refuse tells the screen a key was refused.
func (e *padEntry) refuse(err error) {
	if e.refused != nil {
		e.refused(err)
	}
}
