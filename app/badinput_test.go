package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/ekassa-go/ekassa/delivery"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// Bad input everywhere (issue 7 item 4, the part below the screens): hostile input at every
// entry point that is not a widget gets a typed error whose message ID is translated in kk, ru
// and en, and changes nothing in the journal.

// pendingTranslations are message IDs this package's errors carry that the message files do not
// have yet (the UI's message files are another engineer's). The test fails for any other missing
// ID, and for a pending one that has since been translated (so the list shrinks).
var pendingTranslations = []string{}

// translated fails unless err is typed (has a MessageID) and the ID is translated in every
// language; it returns the ID.
func translated(t *testing.T, what string, err error, missing map[string]bool) string {
	t.Helper()
	var tr interface{ MessageID() string }
	if err == nil {
		t.Errorf("%s: accepted", what)
		return ""
	}
	if !errors.As(err, &tr) {
		t.Errorf("%s: untyped error %v (%T)", what, err, err)
		return ""
	}
	id := tr.MessageID()
	b := i18n.MustBundle()
	for _, l := range i18n.Langs() {
		if !b.Localizer(l).Has(id) {
			missing[id] = true
		}
	}
	return id
}

// checkTranslations fails for IDs missing a translation that are not pending, and for pending
// IDs that are translated now.
func checkTranslations(t *testing.T, missing map[string]bool) {
	t.Helper()
	for id := range missing {
		if !slices.Contains(pendingTranslations, id) {
			t.Errorf("message %q has no translation in some language (i18n/locales/errors.*.json)", id)
		} else {
			t.Logf("pending translation: %s", id)
		}
	}
	for _, id := range pendingTranslations {
		if !missing[id] {
			t.Errorf("%q is translated now: drop it from pendingTranslations", id)
		}
	}
}

// TestBadInputParsers: amounts, quantities and IIN/BINs as a hostile cashier or a pasted text
// gives them.
func TestBadInputParsers(t *testing.T) {
	missing := map[string]bool{}
	hostile := []string{"", " ", "abc", "-5", "−5", "1.2345", "1,2,3", "12..5", "1e5", "0x10", "NaN", "Inf",
		"99999999999999999999", "9999999999999999,99", "１２３", "١٢٣", "12\x00", "1_000", "1'000", "+-1",
		strings.Repeat("9", 5000), "<script>", "'; DROP TABLE documents; --"}
	for _, s := range hostile {
		if m, err := kkm.ParseMoney(s); err == nil {
			t.Errorf("ParseMoney(%q) = %v, accepted", s, m)
		} else {
			translated(t, fmt.Sprintf("ParseMoney(%q)", s), err, missing)
		}
		if q, err := kkm.ParseQuantity(s); err == nil {
			t.Errorf("ParseQuantity(%q) = %v, accepted", s, q)
		} else {
			translated(t, fmt.Sprintf("ParseQuantity(%q)", s), err, missing)
		}
	}
	for _, s := range []string{"1.234", "0,001", "12,345 ₸"} {
		if m, err := kkm.ParseMoney(s); err == nil {
			t.Errorf("ParseMoney(%q) = %v, accepted", s, m)
		} else {
			translated(t, fmt.Sprintf("ParseMoney(%q)", s), err, missing)
		}
	}
	for _, s := range []string{"1,0001", "0,0001", "0", "0,000"} {
		if q, err := kkm.ParseQuantity(s); err == nil && q <= 0 {
			t.Errorf("ParseQuantity(%q) = %v, accepted", s, q)
		} else if err != nil {
			translated(t, fmt.Sprintf("ParseQuantity(%q)", s), err, missing)
		}
	}
	for _, s := range []string{"", "12345678901", "1234567890123", "12345678901a", "960624350643", "٩٦٠٦٢٤٣٥٠٦٤٢",
		"9606 2435 0642", "-96062435064", strings.Repeat("1", 1000)} {
		translated(t, fmt.Sprintf("ValidateIINBIN(%q)", s), kkm.ValidateIINBIN(s), missing)
	}
	checkTranslations(t, missing)
}

// TestBadInputSettings: absurd settings, as an import or a tampered settings file would bring
// them, are refused by SaveSettings with a translated error, and the saved settings stay.
func TestBadInputSettings(t *testing.T) {
	r := newRig(t)
	missing := map[string]bool{}
	good := r.rt.Settings()
	cases := map[string]string{
		"register name of 10 000 letters": `{"register_name": "` + strings.Repeat("ә", 10000) + `"}`,
		"negative maximum sum":            `{"max_receipt_sum": -1}`,
		"maximum sum beyond any money":    `{"max_receipt_sum": 9223372036854775807}`,
		"VAT payer without a rate":        `{"vat_payer": true, "default_vat_rate": "none", "vat_certificate_series": "12", "vat_certificate_number": "3"}`,
		"VAT rate out of range":           `{"vat_payer": true, "default_vat_rate": "12", "vat_certificate_series": "12", "vat_certificate_number": "3"}`,
		"VAT certificate with letters":    `{"vat_payer": true, "default_vat_rate": "16", "vat_certificate_series": "AB", "vat_certificate_number": "1"}`,
		"offline limit of zero":           `{"offline_limit": 0}`,
		"offline limit of a year":         `{"offline_limit": 31536000000000000}`,
		"negative shift limit":            `{"shift_limit": -1}`,
		"shift limit of 25 h":             `{"shift_limit": 90000000000000}`,
	}
	for name, patch := range cases {
		s := good
		before := snapshotJournal(t, r)
		// An import refuses a value it cannot decode (typed, for the rates), or Validate does.
		err := json.Unmarshal([]byte(patch), &s)
		if err == nil {
			err = r.rt.SaveSettings(r.ctx, r.by, s)
		}
		translated(t, name, err, missing)
		if after := snapshotJournal(t, r); after != before {
			t.Errorf("%s changed the journal", name)
		}
		saved, _, err := r.j.Settings(r.ctx)
		if err != nil || !settingsEqual(saved, good) || !settingsEqual(r.rt.Settings(), good) {
			t.Errorf("%s changed the settings", name)
		}
	}
	// What SaveSettings keeps from the OFD (the address) is checked by Validate for an import.
	for _, addr := range []string{"no-port", "host:99999", ":7777", "host:0", "host:-1", "[::1"} {
		s := good
		s.OFDAddress = addr
		translated(t, "OFD address "+addr, s.Validate(), missing)
	}
	s := good
	s.Reg.OrgIINBIN = "123"
	translated(t, "seller IIN/BIN", s.Validate(), missing)
	checkTranslations(t, missing)
}

func settingsEqual(a, b kkm.Settings) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestBadInputDocuments: hostile drafts and amounts at the issuing entry points are refused
// with translated errors, before anything is written.
func TestBadInputDocuments(t *testing.T) {
	r := newRig(t)
	missing := map[string]bool{}
	orig := r.sell(50000)
	cash := func(sum kkm.Money) []kkm.Payment { return []kkm.Payment{{Type: kkm.PayCash, Sum: sum}} }
	line := func(l kkm.LineDraft) kkm.ReceiptDraft {
		return kkm.ReceiptDraft{Operation: kkm.OpSale, Lines: []kkm.LineDraft{l}, Payments: cash(kkm.MaxMoney)}
	}
	forged := kkm.ParentReceipt{Number: "1234567890", Time: orig.Document.Time, RNM: demoRNM, Total: 50000}
	other := forged
	other.Number = orig.FiscalSign
	other.Total = 40000
	drafts := map[string]kkm.ReceiptDraft{
		"no lines":                {Operation: kkm.OpSale, Payments: cash(100)},
		"unknown operation":       {Operation: 9, Lines: []kkm.LineDraft{{Name: "x", Quantity: 1000, Price: 100}}, Payments: cash(100)},
		"line without a name":     line(kkm.LineDraft{Quantity: 1000, Price: 100}),
		"zero price":              line(kkm.LineDraft{Name: "x", Quantity: 1000}),
		"negative price":          line(kkm.LineDraft{Name: "x", Quantity: 1000, Price: -100}),
		"zero quantity":           line(kkm.LineDraft{Name: "x", Price: 100}),
		"negative quantity":       line(kkm.LineDraft{Name: "x", Quantity: -1000, Price: 100}),
		"unknown unit":            line(kkm.LineDraft{Name: "x", Quantity: 1000, Price: 100, Unit: "999999"}),
		"half a piece":            line(kkm.LineDraft{Name: "x", Quantity: 500, Price: 100, Unit: "796"}),
		"absurd VAT rate":         line(kkm.LineDraft{Name: "x", Quantity: 1000, Price: 100, VATRate: 77}),
		"price × quantity beyond": line(kkm.LineDraft{Name: "x", Quantity: 1_000_000_000, Price: kkm.MaxMoney}),
		"no payment":              kkm.SimpleDraft(kkm.OpSale, []kkm.Money{100}, nil),
		"payment short":           kkm.SimpleDraft(kkm.OpSale, []kkm.Money{10000}, cash(9999)),
		"card above the total":    kkm.SimpleDraft(kkm.OpSale, []kkm.Money{100}, []kkm.Payment{{Type: kkm.PayCard, Sum: 200}}),
		"unknown payment type":    kkm.SimpleDraft(kkm.OpSale, []kkm.Money{100}, []kkm.Payment{{Type: 3, Sum: 100}}),
		"negative payment":        kkm.SimpleDraft(kkm.OpSale, []kkm.Money{100}, []kkm.Payment{{Type: kkm.PayCash, Sum: -100}, {Type: kkm.PayCard, Sum: 200}}),
		"payment twice":           kkm.SimpleDraft(kkm.OpSale, []kkm.Money{100}, []kkm.Payment{{Type: kkm.PayCard, Sum: 50}, {Type: kkm.PayCard, Sum: 50}}),
		"buyer IIN/BIN in simple mode": func() kkm.ReceiptDraft {
			d := kkm.SimpleDraft(kkm.OpSale, []kkm.Money{100}, cash(100))
			d.BuyerIINBIN = "960624350642"
			return d
		}(),
		"return without its original": kkm.SimpleDraft(kkm.OpSaleReturn, []kkm.Money{100}, cash(100)),
		"return of a forged fiscal sign": func() kkm.ReceiptDraft {
			d := kkm.SimpleDraft(kkm.OpSaleReturn, []kkm.Money{100}, cash(100))
			d.Parent = &forged
			return d
		}(),
		"return naming the wrong total": func() kkm.ReceiptDraft {
			d := kkm.SimpleDraft(kkm.OpSaleReturn, []kkm.Money{100}, cash(100))
			d.Parent = &other
			return d
		}(),
		"return of more than was sold": func() kkm.ReceiptDraft {
			p := forged
			p.Number = orig.FiscalSign
			d := kkm.SimpleDraft(kkm.OpSaleReturn, []kkm.Money{50001}, []kkm.Payment{{Type: kkm.PayCard, Sum: 50001}})
			d.Parent = &p
			return d
		}(),
		"a parent on a sale": func() kkm.ReceiptDraft {
			d := kkm.SimpleDraft(kkm.OpSale, []kkm.Money{100}, cash(100))
			d.Parent = &forged
			return d
		}(),
	}
	for name, d := range drafts {
		before := snapshotJournal(t, r)
		_, err := r.rt.IssueReceipt(r.ctx, r.by, d)
		translated(t, name, err, missing)
		if _, perr := r.rt.Preview(d); perr == nil && err != nil && !d.Operation.Returning() {
			t.Errorf("%s: Preview accepts what IssueReceipt refuses (%v)", name, err)
		}
		if after := snapshotJournal(t, r); after != before {
			t.Errorf("%s changed the journal:\n%+v\n%+v", name, before, after)
		}
	}
	for name, f := range map[string]func() (ui.Issued, error){
		"cash in of nothing":          func() (ui.Issued, error) { return r.rt.CashIn(r.ctx, r.by, 0) },
		"negative cash in":            func() (ui.Issued, error) { return r.rt.CashIn(r.ctx, r.by, -100) },
		"cash in beyond any money":    func() (ui.Issued, error) { return r.rt.CashIn(r.ctx, r.by, kkm.MaxMoney+1) },
		"cash out of more than there": func() (ui.Issued, error) { return r.rt.CashOut(r.ctx, r.by, 1e12) },
		"negative cash out":           func() (ui.Issued, error) { return r.rt.CashOut(r.ctx, r.by, -1) },
	} {
		before := snapshotJournal(t, r)
		_, err := f()
		translated(t, name, err, missing)
		if after := snapshotJournal(t, r); after != before {
			t.Errorf("%s changed the journal", name)
		}
	}
	for _, number := range []string{"", "   ", "'; DROP TABLE documents; --", "99999999999999999999", "-1", "0", "%", "_"} {
		if _, err := r.rt.FindReceipt(r.ctx, number); !errors.Is(err, ui.ErrNotFound) {
			t.Errorf("FindReceipt(%q): %v, want not found", number, err)
		}
	}
	for _, seq := range []int64{-1, 0, 1 << 62} {
		_, err := r.rt.Returnable(r.ctx, seq)
		translated(t, fmt.Sprintf("Returnable(%d)", seq), err, missing)
	}
	for _, code := range []string{"", "1", "abcd", "1234567", "１２３４", "11 1", "' OR 1=1"} {
		_, err := r.rt.CheckCode(r.ctx, code)
		translated(t, fmt.Sprintf("CheckCode(%q)", code), err, missing)
		r.rt.codes.succeeded() // no growing wait between the cases
	}
	checkTranslations(t, missing)
}

// TestBadInputOFDAnswers: every refusal the OFD can answer, and every kind of broken answer,
// reaches the cashier as a translated message; a refusal blocks and the next document is refused
// before it is written.
func TestBadInputOFDAnswers(t *testing.T) {
	missing := map[string]bool{}
	for _, code := range []uint32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 254, 255, 1000, 1001} {
		translated(t, fmt.Sprintf("code %d", code), &ofdclient.ResultError{Code: code}, missing)
	}
	translated(t, "unreachable", &ofdclient.UnreachableError{Addr: "x", Err: errors.New("garbage")}, missing)
	translated(t, "not connected", delivery.ErrNotConnected, missing)
	for _, b := range ui.Blocks() {
		if !i18n.MustBundle().Localizer(i18n.Russian).Has("status.block." + string(b)) {
			missing["status.block."+string(b)] = true
		}
	}
	// The refusals of this package and the journal's backups.
	translated(t, "clock jumped", &ClockJumpError{Jump: time.Hour}, missing)
	for _, c := range []storage.ErrorCode{storage.ErrBackupOtherRegister, storage.ErrBackupOlder, storage.ErrBackupUnreadable, storage.ErrChainBroken} {
		translated(t, string(c), &storage.BackupError{Code: c}, missing)
	}
	// End to end: the OFD refuses a receipt's data (13).
	r := newRigWith(t, Options{FiscalWait: 200 * time.Millisecond})
	r.demo.Server.InjectResult(13, "hostile answer", 1)
	r.sell(1000)
	deadline := time.Now().Add(5 * time.Second)
	for r.rt.Status().Block == ui.BlockNone && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if st := r.rt.Status(); st.Block != ui.BlockRefused || st.Waiting != 1 {
		t.Fatalf("after code 13: %+v", st)
	}
	before := snapshotJournal(t, r)
	_, err := r.rt.CashIn(r.ctx, r.by, 100)
	if id := translated(t, "issuing while blocked by 13", err, missing); id != "err.ofd.incorrect_data" {
		t.Errorf("issuing while blocked: %v", err)
	}
	if after := snapshotJournal(t, r); after != before {
		t.Error("a document refused while blocked changed the journal")
	}
	checkTranslations(t, missing)
}

// blockOf gives every result code a block the status line can show.
func TestBlockOfEveryCode(t *testing.T) {
	for code := uint32(1); code <= 255; code++ {
		b := blockOf(code)
		want := ui.BlockProtocol
		switch code {
		case 1:
			want = ui.BlockUnknownRegister
		case 2:
			want = ui.BlockToken
		case 15:
			want = ui.BlockServer
		}
		if b != want {
			t.Errorf("code %d: %q, want %q", code, b, want)
		}
	}
}
