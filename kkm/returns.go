package kkm

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

// ValidateReturn checks a computed return receipt ret against its original receipt and the
// returns already made of it (returned, which the caller reads from the journal). It is pure.
//
//   - A sale return returns a sale and a purchase return a purchase (ErrReturnOperationMismatch).
//   - ret names the original with the original's total (ErrReturnParentMissing,
//     ErrReturnParentMismatch).
//   - A return is made in the original's mode (ErrReturnModeMismatch).
//   - The returns together never exceed the original's total (ErrReturnExceedsOriginal, with the
//     amount Left). In simple mode that is the whole rule: a return is by amount.
//   - In extended mode each returned line must be an item of the original (same name, НКТ code,
//     section, unit, price and VAT rate: ErrReturnItemNotInOriginal), and the quantities returned of an item
//     never exceed what the original sold of it (ErrReturnItemExceedsOrig, with the quantity Left).
//   - A returned marked unit names a code the original sold on that item and no earlier return
//     took back (checkReturnCodes).
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
	left := original.Total
	for _, p := range returned {
		left -= p.Total
	}
	if left < 0 {
		left = 0
	}
	if ret.Total > left {
		return newError(ErrReturnExceedsOriginal, "Left", left, "Total", ret.Total)
	}
	if original.Simple {
		return nil
	}
	leftQty := make(map[returnKey]Quantity, len(original.Lines))
	for _, l := range original.Lines {
		leftQty[keyOf(l)] += l.Quantity
	}
	for _, p := range returned {
		for _, l := range p.Lines {
			if k := keyOf(l); leftQty[k] > 0 {
				leftQty[k] -= min(l.Quantity, leftQty[k])
			}
		}
	}
	for _, l := range ret.Lines {
		k := keyOf(l)
		q, ok := leftQty[k]
		if !ok {
			return newError(ErrReturnItemNotInOriginal, "Name", l.Name)
		}
		if l.Quantity > q {
			return newError(ErrReturnItemExceedsOrig, "Name", l.Name, "Left", q)
		}
		leftQty[k] = q - l.Quantity
	}
	return checkReturnCodes(original, returned, ret)
}
