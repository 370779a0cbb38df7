package kkm

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestComputeReceiptNTIN checks the optional НКТ product code of a line: empty or digits only, at
// most MaxNTINLength of them, kept on the computed line with surrounding spaces trimmed.
func TestComputeReceiptNTIN(t *testing.T) {
	tests := []struct {
		name   string
		ntin   string
		simple bool
		want   string // the computed line's NTIN
		code   Code
	}{
		{"none", "", false, "", ""},
		{"a GTIN-like code", "4870001234567", false, "4870001234567", ""},
		{"one digit", "7", false, "7", ""},
		{"twenty digits", strings.Repeat("9", MaxNTINLength), false, strings.Repeat("9", MaxNTINLength), ""},
		{"leading zeros kept", "0000000000123", false, "0000000000123", ""},
		{"spaces trimmed", "  4870001234567 ", false, "4870001234567", ""},
		{"only spaces is none", "   ", false, "", ""},
		{"simple mode", "4870001234567", true, "4870001234567", ""},
		{"twenty-one digits", strings.Repeat("9", MaxNTINLength+1), false, "", ErrLineNTIN},
		{"a letter", "487000123456A", false, "", ErrLineNTIN},
		{"a space inside", "4870 001234567", false, "", ErrLineNTIN},
		{"a minus", "-4870001234567", false, "", ErrLineNTIN},
		{"a decimal point", "4870001.234567", false, "", ErrLineNTIN},
		{"full-width digits", "４８７０", false, "", ErrLineNTIN},
		{"Arabic-Indic digits", "٤٨٧٠", false, "", ErrLineNTIN},
		{"a control character", "4870\x00001234567", false, "", ErrLineNTIN},
		{"a line break", "4870\n001234567", false, "", ErrLineNTIN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := ReceiptDraft{Operation: OpSale, Simple: tt.simple,
				Lines:    []LineDraft{item("Шай", 1000, 10000), item("Нан", 1000, 10000)},
				Payments: cash(20000)}
			if tt.simple {
				d.Lines[0].Name, d.Lines[1].Name = "", ""
			}
			d.Lines[1].NTIN = tt.ntin
			r, err := ComputeReceipt(d, payerSettings())
			wantCode(t, err, tt.code)
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Data["Line"] != 2 || e.Data["Max"] != MaxNTINLength {
					t.Errorf("error data %v, want line 2 and max %d", e.Data, MaxNTINLength)
				}
				return
			}
			if r.Lines[1].NTIN != tt.want || r.Lines[0].NTIN != "" {
				t.Errorf("NTIN %q, %q; want %q on the second line only", r.Lines[0].NTIN, r.Lines[1].NTIN, tt.want)
			}
		})
	}
}

func TestValidateNTIN(t *testing.T) {
	for in, ok := range map[string]bool{
		"": true, "0": true, strings.Repeat("1", 20): true,
		strings.Repeat("1", 21): false, " 1": false, "1x": false, "+1": false,
	} {
		if err := ValidateNTIN(in); (err == nil) != ok {
			t.Errorf("ValidateNTIN(%q) = %v", in, err)
		} else if err != nil {
			wantCode(t, err, ErrLineNTIN)
		}
	}
}

// TestNTINJSON: a line without a code is stored as before (no "ntin" key), so journals written
// before codes existed and after read the same; a code round-trips.
func TestNTINJSON(t *testing.T) {
	r, err := ComputeReceipt(ReceiptDraft{Operation: OpSale,
		Lines:    []LineDraft{item("Шай", 1000, 10000), {Name: "Нан", Quantity: 1000, Price: 10000, NTIN: "4870001234567"}},
		Payments: cash(20000)}, payerSettings())
	if err != nil {
		t.Fatal(err)
	}
	plain, err := json.Marshal(r.Lines[0])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(plain), "ntin") {
		t.Errorf("a line without a code carries the key: %s", plain)
	}
	coded, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(coded), `"ntin":"4870001234567"`) {
		t.Errorf("the code is not stored: %s", coded)
	}
	var back Receipt
	if err := json.Unmarshal(coded, &back); err != nil {
		t.Fatal(err)
	}
	if back.Lines[1].NTIN != "4870001234567" || back.Lines[0].NTIN != "" {
		t.Errorf("read back %+v", back.Lines)
	}
	draft, err := json.Marshal(LineDraft{Name: "Нан", NTIN: "12"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(draft), `"ntin":"12"`) {
		t.Errorf("draft JSON %s", draft)
	}
}

// TestValidateReturnNTIN: a returned line is an item of the original only with the original's НКТ
// code; lines without a code match as before.
func TestValidateReturnNTIN(t *testing.T) {
	s := payerSettings()
	const code = "4870001234567"
	tea := func(q Quantity, ntin string) LineDraft {
		return LineDraft{Name: "Шай", Quantity: q, Price: 100000, NTIN: ntin}
	}
	bread := func(q Quantity) LineDraft { return item("Нан", q, 200000) }
	orig, err := ComputeReceipt(ReceiptDraft{Operation: OpSale, Lines: []LineDraft{tea(3000, code), bread(1000)},
		Payments: cash(500000)}, s)
	if err != nil {
		t.Fatal(err)
	}
	ret := func(lines ...LineDraft) Receipt {
		t.Helper()
		var total Money
		for _, l := range lines {
			m, _ := MulQuantity(l.Price, l.Quantity)
			total += m
		}
		p := parent()
		p.Total = orig.Total
		r, err := ComputeReceipt(ReceiptDraft{Operation: OpSaleReturn, Lines: lines,
			Payments: []Payment{{Type: PayCard, Sum: total}}, Parent: p}, s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	tests := []struct {
		name     string
		returned []Receipt
		ret      Receipt
		code     Code
	}{
		{"with the original's code", nil, ret(tea(1000, code)), ""},
		{"all of it", nil, ret(tea(3000, code), bread(1000)), ""},
		{"a line without a code as before", nil, ret(bread(1000)), ""},
		{"the code left out", nil, ret(tea(1000, "")), ErrReturnItemNotInOriginal},
		{"another code", nil, ret(tea(1000, "4870001234568")), ErrReturnItemNotInOriginal},
		{"a code the original had not", nil, ret(LineDraft{Name: "Нан", Quantity: 1000, Price: 200000, NTIN: code}), ErrReturnItemNotInOriginal},
		{"more than sold", []Receipt{ret(tea(2000, code))}, ret(tea(2000, code)), ErrReturnItemExceedsOrig},
		{"the rest", []Receipt{ret(tea(2000, code))}, ret(tea(1000, code)), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, ValidateReturn(orig, tt.returned, tt.ret), tt.code)
		})
	}
}
