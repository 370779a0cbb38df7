package kkm

import (
	"errors"
	"strings"
	"testing"
)

// Every bound a receipt's fields have on their way to the OFD, at the bound and one past it.
func TestReceiptFieldBounds(t *testing.T) {
	s := Settings{VATPayer: true, DefaultVATRate: VAT16}
	line := func(f func(*LineDraft)) LineDraft {
		l := LineDraft{Name: "Нан", Quantity: QuantityOne, Price: 100}
		f(&l)
		return l
	}
	lines := func(n int) []LineDraft {
		out := make([]LineDraft, n)
		for i := range out {
			out[i] = line(func(*LineDraft) {})
		}
		return out
	}
	cases := []struct {
		name  string
		lines []LineDraft
		want  Code
	}{
		{"lines at the bound", lines(MaxReceiptLines), ""},
		{"one line too many", lines(MaxReceiptLines + 1), ErrReceiptTooManyLines},
		{"10 000 lines", lines(10_000), ErrReceiptTooManyLines},
		{"name at the bound", []LineDraft{line(func(l *LineDraft) { l.Name = strings.Repeat("Ә", MaxItemNameLength) })}, ""},
		{"name one past", []LineDraft{line(func(l *LineDraft) { l.Name = strings.Repeat("Ә", MaxItemNameLength+1) })}, ErrLineNameInvalid},
		{"НКТ code at the bound", []LineDraft{line(func(l *LineDraft) { l.NTIN = strings.Repeat("7", MaxNTINLength) })}, ""},
		{"НКТ code one past", []LineDraft{line(func(l *LineDraft) { l.NTIN = strings.Repeat("7", MaxNTINLength+1) })}, ErrLineNTIN},
		{"section at the bound", []LineDraft{line(func(l *LineDraft) { l.Section = strings.Repeat("Қ", MaxSectionLength) })}, ""},
		{"section one past", []LineDraft{line(func(l *LineDraft) { l.Section = strings.Repeat("Қ", MaxSectionLength+1) })}, ErrLineSection},
		{"section with a line break", []LineDraft{line(func(l *LineDraft) { l.Section = "1\n2" })}, ErrLineSection},
	}
	for _, c := range cases {
		var total Money
		for _, l := range c.lines {
			total += l.Price
		}
		_, err := ComputeReceipt(ReceiptDraft{Operation: OpSale, Lines: c.lines,
			Payments: []Payment{{Type: PayCash, Sum: total}}}, s)
		if (c.want == "") != (err == nil) || (c.want != "" && !errors.Is(err, c.want)) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}
