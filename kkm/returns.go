package kkm

import (
	"math/bits"
	"strconv"
)

// Returns pay back what was paid (issue 12 item 3). The rules, in one place:
//
//   - What a line refunds. A line of the original was paid its Sum: its price × quantity after its
//     own discount or markup and its share of the receipt's (the spread ComputeReceipt made). A
//     return of q of its Q units, after r were returned, refunds share(r+q) − share(r) where
//     share(x) = Sum × x / Q rounded half up: parts of a line add up to its Sum exactly, in any
//     order and however it is split, so every unit can be returned down to the last tiyn. The
//     return line carries the original's name, codes, section, unit, price and VAT rate, and the
//     difference between price × q and its refund as an item discount (or markup), so the OFD sees
//     the same goods at the same price, and what the buyer gets back. A unit whose refund rounds to
//     nothing (a line paid less than a tiyn a unit) is returned with a line of zero; a return that
//     refunds nothing at all is refused (ErrReturnNothingToRefund): return it with more units.
//   - What the whole return refunds is the sum of its lines, never more than what is left of the
//     original's total (original total − the totals of the returns made of it).
//   - A simple-mode original is returned by amount, up to what is left of it.
//   - How it is refunded. By default as the original was paid: each payment type gets back its
//     part of the refund in proportion to what is still unrefunded of it (cash counted net of the
//     change), by the largest-remainder method; the last return refunds each type exactly what is
//     left of it, so returning everything refunds every type exactly what it paid (card → card,
//     mixed → as paid). Refunding otherwise (all cash, all card) is the cashier's deliberate
//     choice (ReturnRequest.RefundAs).
//
// ComputeReturn builds the return the screen previews and the register issues; ValidateReturn
// checks an issued return against it with the same rule (refund, take), so the preview, the check
// and the issue are one computation. Register.IssueReturn computes the return's receipt once,
// checks it with ValidateReturn and issues it. What is left of an original — units, amounts,
// marking codes, per payment type — is ReturnStateOf, and how a return names its original is
// ParentOf; the app only reads the original and its returns from the journal.

// ErrReturnNothingToRefund refuses a return whose lines refund nothing (units paid less than a
// tiyn each): there is no money to give back, and a receipt of zero is not a document.
// ErrReturnRefundMismatch refuses a returned line that does not refund its share of what was paid.
// ErrReturnNothing refuses a return with no line or amount chosen.
const (
	ErrReturnNothingToRefund Code = "err.return.nothing_to_refund"
	ErrReturnRefundMismatch  Code = "err.return.refund_mismatch" // {{.Name}} refunds {{.Sum}}, its share is {{.Want}}
	ErrReturnNothing         Code = "err.return.nothing"
	ErrReturnFromNotReturn   Code = "err.return.from_not_return" // a line naming an original line on a sale or purchase
	// ErrReturnOriginalPending refuses a return of a receipt issued online whose answer has not
	// come yet: it has no number (fiscal sign) a return could name.
	ErrReturnOriginalPending Code = "err.return.original_pending"
)

// returnMessageIDs lists the message IDs of returns.go, for MessageIDs.
func returnMessageIDs() []string {
	return []string{string(ErrReturnNothingToRefund), string(ErrReturnRefundMismatch), string(ErrReturnNothing),
		string(ErrReturnFromNotReturn), string(ErrReturnOriginalPending)}
}

// returnKey identifies an item of an original receipt for returns: the same goods at the same
// price in the same unit, section and VAT rate.
//
// The goods are the name together with the НКТ product code (NTIN): the code identifies the
// product in the National Catalogue, so a return sends the OFD the code the sale sent, and a
// returned line carrying another code (or none where the original had one) is not an item of the
// original. A line without a code matches only a line without one, so originals issued before
// codes existed are returned as before.
type returnKey struct {
	name, ntin, section, unit string
	price                     Money
	rate                      VATRate
}

func keyOf(l Line) returnKey {
	return returnKey{name: l.Name, ntin: l.NTIN, section: l.Section, unit: l.Unit, price: l.Price, rate: l.VATRate}
}

// ReturnLine is what is left to return of one line of an original receipt.
type ReturnLine struct {
	Line     Line     `json:"line"`     // the original line
	Returned Quantity `json:"returned"` // returned by earlier returns
	Refunded Money    `json:"refunded"` // refunded for it by earlier returns
	// Codes are the marking codes of the line's units no earlier return took back, in the
	// original's order (a marked line only): a return of marked units names which come back.
	Codes []string `json:"codes,omitempty"`
}

// ParentOf names an issued receipt as a return names it (parent_ticket): by the fiscal sign the
// OFD answered for it (sign), else, for a receipt issued offline, by the offline number it was
// printed with; rnm is the registration number of the register that issued it. A receipt issued
// online whose answer has not come has no number a return could name (ErrReturnOriginalPending).
func ParentOf(doc Document, sign, rnm string) (ParentReceipt, error) {
	if sign == "" && !doc.Offline {
		return ParentReceipt{}, newError(ErrReturnOriginalPending)
	}
	p := ParentReceipt{Number: sign, Time: doc.Time, RNM: rnm, Total: doc.Total(), Offline: doc.Offline}
	if p.Number == "" {
		p.Number = strconv.FormatUint(uint64(doc.OfflineNumber), 10)
	}
	return p, nil
}

// Left is the quantity still returnable of the line.
func (l ReturnLine) Left() Quantity { return max(l.Line.Quantity-l.Returned, 0) }

// ReturnState is what is left to return of an original receipt after the returns made of it:
// per line, in total and per payment type. ReturnStateOf computes it; ComputeReturn uses it.
type ReturnState struct {
	Original Receipt      `json:"original"`
	Lines    []ReturnLine `json:"lines"`    // per line of the original, in its order
	Left     Money        `json:"left"`     // the amount still returnable: total − returns' totals, ≥ 0
	Paid     [5]Money     `json:"paid"`     // what the original was paid per PaymentType (cash net of change)
	Refunded [5]Money     `json:"refunded"` // what the returns refunded per PaymentType
}

// ReturnStateOf computes what is left to return of original after the returns made of it (oldest
// first). A returned line counts against the original line it names (Line.From); a line that names
// none (returns issued before lines did) against the lines of the same item in order, each up to
// what it sold, so an item sold on two lines is not counted as returned twice.
func ReturnStateOf(original Receipt, returned []Receipt) ReturnState {
	st := ReturnState{Original: original, Left: original.Total}
	for _, l := range original.Lines {
		st.Lines = append(st.Lines, ReturnLine{Line: l})
	}
	for _, p := range original.Payments {
		if p.Type.Valid() {
			st.Paid[p.Type] += p.Sum
		}
	}
	st.Paid[PayCash] -= original.Change
	for _, r := range returned {
		st.Left -= r.Total
		for _, p := range r.Payments {
			if p.Type.Valid() {
				st.Refunded[p.Type] += p.Sum
			}
		}
		st.Refunded[PayCash] -= r.Change
		if original.Simple {
			continue
		}
		for _, l := range r.Lines {
			if i := l.From - 1; i >= 0 && i < len(st.Lines) {
				st.Lines[i].Returned += l.Quantity
				st.Lines[i].Refunded += l.Sum
				continue
			}
			left, sum := l.Quantity, l.Sum
			for i := range st.Lines {
				sl := &st.Lines[i]
				if left == 0 || keyOf(sl.Line) != keyOf(l) || sl.Left() == 0 {
					continue
				}
				use := min(left, sl.Left())
				part := sum
				if use < left {
					part = shareOf(sum, use, left)
				}
				sl.Returned += use
				sl.Refunded += part
				left -= use
				sum -= part
			}
		}
	}
	st.Left = max(st.Left, 0)
	st.codesLeft(returned)
	return st
}

// codesLeft keeps, on each marked line of st, the codes of the units no return in returned took
// back (a code counts by its unit, MarkingID, however it was scanned).
func (st *ReturnState) codesLeft(returned []Receipt) {
	var back map[string]bool
	for i := range st.Lines {
		l := &st.Lines[i]
		if len(l.Line.Codes) == 0 {
			continue
		}
		if back == nil {
			back = map[string]bool{}
			for _, r := range returned {
				for _, rl := range r.Lines {
					for _, c := range rl.Codes {
						back[MarkingID(c)] = true
					}
				}
			}
		}
		for _, c := range l.Line.Codes {
			if !back[MarkingID(c)] {
				l.Codes = append(l.Codes, c)
			}
		}
	}
}

// shareOf is sum × x / of rounded half up, in 128 bits (x ≤ of, all non-negative).
func shareOf(sum Money, x, of Quantity) Money {
	if of <= 0 || sum <= 0 || x <= 0 {
		return 0
	}
	if x >= of {
		return sum
	}
	hi, lo := bits.Mul64(uint64(sum), uint64(x))
	lo, c := bits.Add64(lo, uint64(of)/2, 0)
	hi += c
	q, _ := bits.Div64(hi, lo, uint64(of)) // hi < of: sum × x / of < sum
	return Money(q)
}

// refund is what returning q more of line i refunds after st's returns and taken (what this
// return already takes of the line): share(r+q) − share(r) of the line's Sum, and the whole rest
// of what it was paid with its last unit; never more than is unrefunded of it.
func (st ReturnState) refund(i int, taken, q Quantity) Money {
	l := st.Lines[i]
	from := l.Returned + taken
	to := from + q
	unrefunded := max(l.Line.Sum-l.Refunded-st.shares(i, l.Returned, from), 0)
	if to >= l.Line.Quantity {
		return unrefunded
	}
	return min(shareOf(l.Line.Sum, to, l.Line.Quantity)-shareOf(l.Line.Sum, from, l.Line.Quantity), unrefunded)
}

// shares is what the line's units from..to refund, as refund counts them.
func (st ReturnState) shares(i int, from, to Quantity) Money {
	l := st.Lines[i].Line
	return shareOf(l.Sum, to, l.Quantity) - shareOf(l.Sum, from, l.Quantity)
}

// ReturnRequest is what the cashier chose to return of an original.
type ReturnRequest struct {
	// Quantities is, for an extended-mode original, the quantity to return of each of its lines,
	// in the original's order (0 or missing: none of it).
	Quantities []Quantity
	// Codes is, for marked lines, the marking code of each unit returned, per line.
	Codes [][]string
	// Amounts is, for a simple-mode original, the amounts returned.
	Amounts []Money
	// RefundAs refunds everything one way (cash, card, mobile) instead of as the original was paid;
	// nil refunds as paid. Another way is the cashier's deliberate choice.
	RefundAs *PaymentType
}

// ComputeReturn builds the return draft for req from what is left of the original (st) and the
// parent naming it: the returned lines with their refunds (see the rules above) and the refund
// split over the payment types. It refuses a quantity beyond what is left of a line
// (ErrReturnItemExceedsOrig), a bad quantity (ErrQuantity…), nothing chosen (ErrReturnNothing), a
// refund of nothing (ErrReturnNothingToRefund) and more than is left of the original
// (ErrReturnExceedsOriginal). The draft goes through ComputeReceipt like any receipt.
func ComputeReturn(st ReturnState, parent ParentReceipt, req ReturnRequest) (ReceiptDraft, error) {
	op := OpSaleReturn
	if st.Original.Operation == OpPurchase {
		op = OpPurchaseReturn
	}
	p := parent
	d := ReceiptDraft{Operation: op, Simple: st.Original.Simple, Parent: &p}
	var total Money
	if st.Original.Simple {
		// The return names the free-price item the original sold, even when the owner has named
		// another since (Settings.SimpleItem).
		var name, ntin string
		if len(st.Original.Lines) > 0 {
			name, ntin = st.Original.Lines[0].Name, st.Original.Lines[0].NTIN
		}
		for _, a := range req.Amounts {
			if a <= 0 {
				continue
			}
			if a > MaxMoney || total+a > MaxMoney {
				return d, newError(ErrMoneyOverflow, "Input", a, "Max", MaxMoney)
			}
			d.Lines = append(d.Lines, LineDraft{Name: name, NTIN: ntin, Price: a, Quantity: QuantityOne, Unit: UnitPiece})
			total += a
		}
	} else {
		for i, q := range req.Quantities {
			if i >= len(st.Lines) || q == 0 {
				continue
			}
			ol := st.Lines[i].Line
			switch {
			case q < 0:
				return d, newError(ErrQuantityNegative, "Line", i+1)
			case q > st.Lines[i].Left():
				return d, newError(ErrReturnItemExceedsOrig, "Name", ol.Name, "Left", st.Lines[i].Left())
			}
			ld, sum, err := st.returnLine(i, 0, q)
			if err != nil {
				return d, err
			}
			if i < len(req.Codes) {
				ld.Codes = append([]string(nil), req.Codes[i]...)
			}
			d.Lines = append(d.Lines, ld)
			total += sum
		}
	}
	if len(d.Lines) == 0 {
		return d, newError(ErrReturnNothing)
	}
	if total == 0 {
		return d, newError(ErrReturnNothingToRefund)
	}
	if total > st.Left {
		return d, newError(ErrReturnExceedsOriginal, "Left", st.Left, "Total", total)
	}
	d.Payments = st.refundPayments(total, req.RefundAs)
	return d, nil
}

// returnLine is the draft line returning q more of line i after taken of it in this return, and
// what it refunds.
func (st ReturnState) returnLine(i int, taken, q Quantity) (LineDraft, Money, error) {
	ol := st.Lines[i].Line
	sum := st.refund(i, taken, q)
	gross, err := MulQuantity(ol.Price, q)
	if err != nil {
		return LineDraft{}, 0, err
	}
	ld := LineDraft{Name: ol.Name, Section: ol.Section, Quantity: q, Unit: ol.Unit, Price: ol.Price,
		VATRate: ol.VATRate, NTIN: ol.NTIN, Marked: ol.Marked, From: i + 1}
	switch {
	case sum < gross:
		ld.Modifier = &Modifier{Kind: Discount, Amount: gross - sum}
	case sum > gross:
		ld.Modifier = &Modifier{Kind: Markup, Amount: sum - gross}
	}
	return ld, sum, nil
}

// refundPayments splits a refund over the payment types: all of it one way when as is set, else
// in proportion to what is still unrefunded of each type the original was paid with.
func (st ReturnState) refundPayments(total Money, as *PaymentType) []Payment {
	if as != nil {
		return []Payment{{Type: *as, Sum: total}}
	}
	types := PaymentTypes()
	weights := make([]Money, len(types))
	var sum Money
	for i, t := range types {
		weights[i] = max(st.Paid[t]-st.Refunded[t], 0)
		sum += weights[i]
	}
	parts := make([]Money, len(types))
	switch {
	case sum == 0:
		parts[0] = total // nothing is left unrefunded of any type (returns refunded otherwise): cash
	case total <= sum:
		parts = spread(total, weights)
	default:
		copy(parts, weights)
		parts[0] += total - sum // more than is unrefunded (earlier returns refunded otherwise): the rest in cash
	}
	var out []Payment
	for i, t := range types {
		if parts[i] > 0 {
			out = append(out, Payment{Type: t, Sum: parts[i]})
		}
	}
	return out
}

// ValidateReturn checks a computed return receipt ret against its original receipt and the
// returns already made of it (returned, which the caller reads from the journal). It is pure.
//
//   - A sale return returns a sale and a purchase return a purchase (ErrReturnOperationMismatch).
//   - ret names the original with the original's total (ErrReturnParentMissing,
//     ErrReturnParentMismatch).
//   - A return is made in the original's mode (ErrReturnModeMismatch).
//   - The returns together never exceed the original's total (ErrReturnExceedsOriginal, with the
//     amount Left). In simple mode that is the whole rule: a return is by amount.
//   - In extended mode each returned line is a line of the original: the one it names (Line.From),
//     or, for a line that names none, the first of the same item (name, НКТ code, section, unit,
//     price and VAT rate) with units left (ErrReturnItemNotInOriginal); the quantities returned
//     never exceed what it sold (ErrReturnItemExceedsOrig, with the quantity Left), and each line
//     refunds exactly its share of what was paid (ErrReturnRefundMismatch): ComputeReturn's rule.
//   - A returned marked unit names a code the original sold on that item and no earlier return
//     took back (checkReturnCodes).
//
// How the refund is split over payment types is not checked: refunding otherwise than as paid is
// the cashier's choice (ReturnRequest.RefundAs).
func ValidateReturn(original Receipt, returned []Receipt, ret Receipt) error {
	want := OpSaleReturn
	if original.Operation == OpPurchase {
		want = OpPurchaseReturn
	}
	if original.Operation.Returning() || ret.Operation != want {
		return newError(ErrReturnOperationMismatch)
	}
	if ret.Parent == nil {
		return newError(ErrReturnParentMissing)
	}
	if ret.Parent.Total != original.Total {
		return newError(ErrReturnParentMismatch, "Total", original.Total)
	}
	if ret.Simple != original.Simple {
		return newError(ErrReturnModeMismatch)
	}
	st := ReturnStateOf(original, returned)
	if ret.Total > st.Left {
		return newError(ErrReturnExceedsOriginal, "Left", st.Left, "Total", ret.Total)
	}
	if original.Simple {
		return nil
	}
	taken := make([]Quantity, len(st.Lines))
	for _, l := range ret.Lines {
		want, err := st.take(l, taken)
		if err != nil {
			return err
		}
		if l.Sum != want {
			return newError(ErrReturnRefundMismatch, "Name", l.Name, "Sum", l.Sum, "Want", want)
		}
	}
	return checkReturnCodes(original, returned, ret)
}

// take counts a returned line against the original's lines (after taken of them in this
// return) and returns what it must refund: the line it names (Line.From), which must be the same
// item, or, for a line that names none, the lines of the same item in order, each up to what is
// left of it.
func (st ReturnState) take(l Line, taken []Quantity) (Money, error) {
	if l.From != 0 {
		i := l.From - 1
		if i < 0 || i >= len(st.Lines) || keyOf(st.Lines[i].Line) != keyOf(l) {
			return 0, newError(ErrReturnItemNotInOriginal, "Name", l.Name)
		}
		if avail := st.Lines[i].Left() - taken[i]; l.Quantity > avail {
			return 0, newError(ErrReturnItemExceedsOrig, "Name", l.Name, "Left", avail)
		}
		want := st.refund(i, taken[i], l.Quantity)
		taken[i] += l.Quantity
		return want, nil
	}
	var avail Quantity
	found := false
	for i, sl := range st.Lines {
		if keyOf(sl.Line) == keyOf(l) {
			found = true
			avail += sl.Left() - taken[i]
		}
	}
	switch {
	case !found:
		return 0, newError(ErrReturnItemNotInOriginal, "Name", l.Name)
	case l.Quantity > avail:
		return 0, newError(ErrReturnItemExceedsOrig, "Name", l.Name, "Left", avail)
	}
	var want Money
	left := l.Quantity
	for i, sl := range st.Lines {
		if left == 0 || keyOf(sl.Line) != keyOf(l) {
			continue
		}
		use := min(left, sl.Left()-taken[i])
		if use <= 0 {
			continue
		}
		want += st.refund(i, taken[i], use)
		taken[i] += use
		left -= use
	}
	return want, nil
}
