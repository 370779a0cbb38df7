package kkm

import "testing"

func TestValidateReturn(t *testing.T) {
	s := payerSettings()
	orig, err := ComputeReceipt(ReceiptDraft{Operation: OpSale, Lines: []LineDraft{
		item("Сүт", 3000, 50000), {Name: "Ет", Quantity: 1500, Unit: "166", Price: 400000},
	}, Payments: cash(800000)}, s)
	if err != nil {
		t.Fatal(err)
	}
	simpleOrig, err := ComputeReceipt(SimpleDraft(OpSale, []Money{30000, 20000}, cash(50000)), s)
	if err != nil {
		t.Fatal(err)
	}
	par := func(r Receipt) *ParentReceipt { p := parent(); p.Total = r.Total; return p }
	ret := func(orig Receipt, lines ...LineDraft) Receipt {
		var total Money
		for _, l := range lines {
			m, _ := MulQuantity(l.Price, l.Quantity)
			total += m
		}
		r, err := ComputeReceipt(ReceiptDraft{Operation: OpSaleReturn, Lines: lines, Payments: []Payment{{Type: PayCard, Sum: total}}, Parent: par(orig)}, s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	simpleRet := func(amount Money) Receipt {
		d := SimpleDraft(OpSaleReturn, []Money{amount}, []Payment{{Type: PayCard, Sum: amount}})
		d.Parent = par(simpleOrig)
		r, err := ComputeReceipt(d, s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	milk := func(q Quantity) LineDraft { return item("Сүт", q, 50000) }
	meat := func(q Quantity) LineDraft { return LineDraft{Name: "Ет", Quantity: q, Unit: "166", Price: 400000} }
	wrongParent := ret(orig, milk(1000))
	wrongParent.Parent.Total = 1
	purchaseRet := ret(orig, milk(1000))
	purchaseRet.Operation = OpPurchaseReturn
	noParent := ret(orig, milk(1000))
	noParent.Parent = nil
	otherMode := simpleRet(100)
	otherMode.Parent.Total = orig.Total

	tests := []struct {
		name     string
		original Receipt
		returned []Receipt
		ret      Receipt
		code     Code
	}{
		{"one item", orig, nil, ret(orig, milk(1000)), ""},
		{"all of it", orig, nil, ret(orig, milk(3000), meat(1500)), ""},
		{"the rest", orig, []Receipt{ret(orig, milk(2000)), ret(orig, meat(500))}, ret(orig, milk(1000), meat(1000)), ""},
		{"too many", orig, nil, ret(orig, milk(4000)), ErrReturnItemExceedsOrig},
		{"too many after returns", orig, []Receipt{ret(orig, meat(1000))}, ret(orig, meat(600)), ErrReturnItemExceedsOrig},
		{"split lines add up", orig, nil, ret(orig, milk(2000), milk(2000)), ErrReturnItemExceedsOrig},
		{"not in original", orig, nil, ret(orig, item("Нан", 1000, 100)), ErrReturnItemNotInOriginal},
		{"other price", orig, nil, ret(orig, item("Сүт", 1000, 60000)), ErrReturnItemNotInOriginal},
		{"amount left", orig, []Receipt{ret(orig, milk(3000), meat(1500))}, ret(orig, milk(1000)), ErrReturnExceedsOriginal},
		{"parent total", orig, nil, wrongParent, ErrReturnParentMismatch},
		{"no parent", orig, nil, noParent, ErrReturnParentMissing},
		{"operation", orig, nil, purchaseRet, ErrReturnOperationMismatch},
		{"return of a return", ret(orig, milk(1000)), nil, ret(orig, milk(1000)), ErrReturnOperationMismatch},
		{"mode", orig, nil, otherMode, ErrReturnModeMismatch},
		{"simple by amount", simpleOrig, nil, simpleRet(50000), ""},
		{"simple part", simpleOrig, []Receipt{simpleRet(30000)}, simpleRet(20000), ""},
		{"simple too much", simpleOrig, []Receipt{simpleRet(30000)}, simpleRet(20001), ErrReturnExceedsOriginal},
		{"simple over", simpleOrig, nil, simpleRet(50001), ErrReturnExceedsOriginal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, ValidateReturn(tt.original, tt.returned, tt.ret), tt.code)
		})
	}
}
