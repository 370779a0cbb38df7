package kkm

import (
	"errors"
	"strings"
	"testing"
)

// Names that a receipt prints and the OFD receives refuse what would break the layout or hide
// in it: control and format characters, invalid UTF-8, absurd lengths. Kazakh letters and emoji
// are ordinary text.
func TestNamesRefuseControlCharactersAndAbsurdLengths(t *testing.T) {
	cases := []struct {
		name string
		ok   bool
	}{
		{"Нан «Қазақстан» 500 г", true},
		{"Кофе ☕", true},
		{strings.Repeat("ә", MaxItemNameLength), true},
		{strings.Repeat("ә", MaxItemNameLength+1), false},
		{"Хлеб\x00", false},
		{"Хлеб\x1b[2J", false},
		{"Хлеб\nМолоко", false},
		{"\u200fХлеб", false}, // a right-to-left mark
		{"Хлеб\xff", false},   // not UTF-8
	}
	s := DefaultSettings()
	for _, c := range cases {
		d := ReceiptDraft{Operation: OpSale, Lines: []LineDraft{{Name: c.name, Quantity: QuantityOne, Price: 10000}},
			Payments: []Payment{{Type: PayCash, Sum: 10000}}}
		_, err := ComputeReceipt(d, s)
		if c.ok != (err == nil) || (err != nil && !errors.Is(err, ErrLineNameInvalid)) {
			t.Errorf("item %q: %v, want ok=%v", c.name, err, c.ok)
		}
		cashierErr := Cashier{Name: c.name, Role: RoleCashier}.Validate()
		wantCashier := c.ok && len([]rune(c.name)) <= MaxCashierNameLength
		if wantCashier != (cashierErr == nil) {
			t.Errorf("cashier %q: %v", c.name, cashierErr)
		}
	}
	s.VATPayer, s.VATCertificateSeries, s.VATCertificateNumber = true, "12345", strings.Repeat("1", MaxVATCertificateLen+1)
	if err := s.Validate(); !errors.Is(err, ErrSettingsVATCertificate) {
		t.Errorf("a 17-digit certificate number: %v", err)
	}
	s.VATCertificateNumber = "1234567"
	s.RegisterName = "Касса\t1"
	if err := s.Validate(); !errors.Is(err, ErrSettingsRegisterName) {
		t.Errorf("a register name with a tab: %v", err)
	}
}
