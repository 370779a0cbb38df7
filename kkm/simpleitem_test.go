package kkm

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Simple mode's lines carry the owner's free-price item (issue 14.3): its name and NTIN on every
// line of the receipt, printed and sent; without one they stay SimpleLineName; a return of a
// simple receipt names what the original sold, whatever the setting says by then.
func TestSimpleItemNamesSimpleLines(t *testing.T) {
	cases := []struct {
		name     string
		item     SimpleItem
		wantName string
		wantNTIN string
	}{
		{"unnamed", SimpleItem{}, SimpleLineName, ""},
		{"named", SimpleItem{Name: "Азық-түлік тауарлары / Продовольственные товары"}, "Азық-түлік тауарлары / Продовольственные товары", ""},
		{"named with NTIN", SimpleItem{Name: " Нан өнімдері ", NTIN: "02900001234"}, "Нан өнімдері", "02900001234"},
		{"NTIN only", SimpleItem{NTIN: "02900001234"}, SimpleLineName, "02900001234"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := DefaultSettings()
			s.SimpleItem = tc.item
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			r, err := ComputeReceipt(SimpleDraft(OpSale, []Money{15000, 35050}, []Payment{{Type: PayCash, Sum: 50050}}), s)
			if err != nil {
				t.Fatal(err)
			}
			for i, l := range r.Lines {
				if l.Name != tc.wantName || l.NTIN != tc.wantNTIN {
					t.Fatalf("line %d: %q %q, want %q %q", i+1, l.Name, l.NTIN, tc.wantName, tc.wantNTIN)
				}
			}
			text := ReceiptText(Document{Kind: KindReceipt, Receipt: &r}, s, FiscalMark{}, 48)
			if !strings.Contains(text, strings.SplitN(tc.wantName, " ", 2)[0]) {
				t.Fatalf("the printed receipt does not name %q:\n%s", tc.wantName, text)
			}
			if tc.wantNTIN != "" && !strings.Contains(text, tc.wantNTIN) {
				t.Fatalf("the printed receipt does not carry the NTIN %s:\n%s", tc.wantNTIN, text)
			}

			// The owner renames the item later: the return keeps the original's name.
			later := s
			later.SimpleItem = SimpleItem{Name: "Басқа тауар"}
			st := ReturnStateOf(r, nil)
			parent := ParentReceipt{Number: "1", Time: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), RNM: "010101010101", Total: r.Total}
			d, err := ComputeReturn(st, parent, ReturnRequest{Amounts: []Money{15000}})
			if err != nil {
				t.Fatal(err)
			}
			ret, err := ComputeReceipt(d, later)
			if err != nil {
				t.Fatal(err)
			}
			if ret.Lines[0].Name != tc.wantName || ret.Lines[0].NTIN != tc.wantNTIN {
				t.Fatalf("the return names %q %q, the original sold %q %q", ret.Lines[0].Name, ret.Lines[0].NTIN, tc.wantName, tc.wantNTIN)
			}
		})
	}
}

// A free-price item the receipt could not carry is refused by the settings, which stay as they were.
func TestSimpleItemRefused(t *testing.T) {
	for _, tc := range []struct {
		item SimpleItem
		want Code
	}{
		{SimpleItem{Name: strings.Repeat("ә", MaxItemNameLength+1)}, ErrLineNameInvalid},
		{SimpleItem{Name: "Нан\x07"}, ErrLineNameInvalid},
		{SimpleItem{Name: "Нан", NTIN: "12ab"}, ErrLineNTIN},
		{SimpleItem{NTIN: strings.Repeat("1", MaxNTINLength+1)}, ErrLineNTIN},
	} {
		s := DefaultSettings()
		s.SimpleItem = tc.item
		var ke *Error
		if err := s.Validate(); !errors.As(err, &ke) || ke.Code != tc.want {
			t.Errorf("%+v: %v, want %s", tc.item, err, tc.want)
		}
	}
}
