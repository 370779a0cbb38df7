package kkm

import (
	"reflect"
	"strconv"
	"testing"
	"time"
)

// TestFinishCompletesIssuedDocuments: Finish gives every issued document its position, its
// printed text and its check link as issued — an offline receipt's built from the offline number,
// nothing for an online receipt (the OFD's link comes with its answer) or for other documents —
// and leaves the Issued it was given as it was.
func TestFinishCompletesIssuedDocuments(t *testing.T) {
	reg := newRegister()
	reg.Settings.Reg = RegInfo{RNM: "010101012345", ZNM: "KTCD1117737127791", OrgTitle: "ИП Әлімқұлова"}
	reg.Settings.AutoCashOut = true
	at := &GeoPosition{Latitude: 51_128_207, Longitude: 71_430_411}
	sale := func() ReceiptDraft {
		return ReceiptDraft{Operation: OpSale, Lines: []LineDraft{{Name: "Нан", Quantity: 1000, Price: 25000}},
			Payments: []Payment{{Type: PayCash, Sum: 30000}}}
	}
	type issue func(r Register) (Issued, error)
	steps := []struct {
		name  string
		f     issue
		links func(iss Issued) []string
	}{
		{"online sale", func(r Register) (Issued, error) { return r.IssueReceipt(sale(), cashierOp, t0, false) },
			func(Issued) []string { return []string{""} }},
		{"offline sale", func(r Register) (Issued, error) {
			return r.IssueReceipt(sale(), cashierOp, t0.Add(time.Minute), true)
		}, func(iss Issued) []string {
			d := iss.Documents[0]
			return []string{QRLink(KazakhtelecomCheckSite, strconv.FormatUint(uint64(d.OfflineNumber), 10), "010101012345", 25000, d.Time)}
		}},
		{"offline cash in", func(r Register) (Issued, error) { return r.CashIn(10000, cashierOp, t0.Add(2*time.Minute), true) },
			func(Issued) []string { return []string{""} }},
		{"Z with auto cash-out", func(r Register) (Issued, error) { return r.CloseShift(cashierOp, t0.Add(3*time.Minute), true) },
			func(Issued) []string { return []string{"", ""} }},
	}
	for _, s := range steps {
		iss, err := s.f(reg)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		before := clone(iss)
		done := reg.Finish(iss, at)
		if !reflect.DeepEqual(iss, before) {
			t.Fatalf("%s: Finish changed the Issued it was given", s.name)
		}
		if want := s.links(iss); !reflect.DeepEqual(done.CheckLinks, want) {
			t.Errorf("%s: check links %q, want %q", s.name, done.CheckLinks, want)
		}
		for i, d := range done.Documents {
			if d.Geo == nil || *d.Geo != *at || d.Geo == at {
				t.Errorf("%s: document %d at %v, want a copy of %v", s.name, i, d.Geo, *at)
			}
			if d.Text == "" || d.Text != PrintedTicket(iss.Documents[i], reg.Settings) {
				t.Errorf("%s: document %d text is not its printed ticket:\n%s", s.name, i, d.Text)
			}
			if got := CheckLink(d, reg.Settings, FiscalMark{}); got != done.CheckLinks[i] {
				t.Errorf("%s: CheckLink %q, Finish %q", s.name, got, done.CheckLinks[i])
			}
		}
		reg.State = done.State
	}
	// Without a position (an X report where none is known) the documents keep theirs.
	if _, err := reg.XReport(cashierOp, t0.Add(4*time.Minute)); err == nil {
		t.Fatal("an X report with no shift open")
	}
	iss, err := reg.IssueReceipt(sale(), cashierOp, t0.Add(5*time.Minute), false)
	if err != nil {
		t.Fatal(err)
	}
	reg.State = iss.State
	x, err := reg.XReport(cashierOp, t0.Add(6*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	done := reg.Finish(Issued{Documents: []Document{x}}, nil)
	if d := done.Documents[0]; d.Geo != nil || d.Text != PrintedTicket(x, reg.Settings) || done.CheckLinks[0] != "" {
		t.Errorf("X report finished as %+v, link %q", d, done.CheckLinks[0])
	}
}

// clone copies the Issued and its documents (what Finish must not change).
func clone(iss Issued) Issued {
	out := iss
	out.Documents = append([]Document(nil), iss.Documents...)
	return out
}
