package delivery_test

import (
	"github.com/ekassa-go/ekassa/delivery"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// Real-shaped marking codes for the MarkedGoods step (GTIN check digits right, GS kept).
const (
	confBeer1 = "0104870216760007" + "21" + "qKkdi31" + kkm.GS + "93" + "U3g5"
	confBeer2 = "0104870216760007" + "21" + "qKkdi32" + kkm.GS + "93" + "U3g6"
	confShoes = "0104690257528523" + "21" + "G+mgsHw<DiL3_" + kkm.GS + "91" + "EE05" + kkm.GS +
		"92" + "sOe6fy7lPT8lLffZ5WdQ7Rp8PXLDwEGD1Wv4oY71o4FV"
)

// TestConformance runs a register's working day end to end, exactly as the app does it (kkm
// issues, the journal commits, the Sender sends), against the in-process emulator, or against
// the OFD named by OFD_ADDR, OFD_KKM_ID, OFD_TOKEN (and OFD_RNM, OFD_ZNM to check the
// registration) when set. Every exchange is logged decoded; any deviation fails. The emulator's
// ledger is inspected only when it is the emulator.
func TestConformance(t *testing.T) {
	r := newRig(t, rigOptions{verbose: true})
	parent := t
	run := func(name string, f func(t *testing.T)) {
		ok := parent.Run(name, func(t *testing.T) {
			r.t = t
			defer func() { r.t = parent }()
			f(t)
		})
		if !ok {
			parent.FailNow() // the steps build on each other
		}
	}
	lastOf := func(cmd pb.CommandTypeEnum) sentRequest {
		t.Helper()
		reqs := r.net.requests()
		for i := len(reqs) - 1; i >= 0; i-- {
			if reqs[i].Request.GetCommand() == cmd && reqs[i].Err == nil {
				return reqs[i]
			}
		}
		t.Fatalf("no %v answered", cmd)
		return sentRequest{}
	}

	run("Connect", func(t *testing.T) {
		reg := r.reg.Settings.Reg
		if len(reg.RNM) != 12 || reg.ZNM == "" || reg.OrgTitle == "" || reg.OrgIINBIN == "" {
			t.Fatalf("registration incomplete: %+v", reg)
		}
		if want := envOr("OFD_RNM", simRNM, r.tg.emulated()); want != "" && reg.RNM != want {
			t.Errorf("RNM %q, want %q", reg.RNM, want)
		}
		if want := envOr("OFD_ZNM", simZNM, r.tg.emulated()); want != "" && reg.ZNM != want {
			t.Errorf("ZNM %q, want %q", reg.ZNM, want)
		}
		if reg.KKMID == "" {
			t.Error("no kkm_id")
		}
	})

	var saleSeq int64
	run("Sale", func(t *testing.T) {
		saleSeq = r.receipt(bread())
		r.drain()
		res := r.result(saleSeq)
		if res.Sign == "" || !strings.Contains(res.QRLink, "i="+res.Sign) || !strings.Contains(res.QRLink, "f="+r.reg.Settings.Reg.RNM) {
			t.Fatalf("answer %+v: want a fiscal sign and its QR link", res)
		}
		tk := lastOf(pb.CommandTypeEnum_COMMAND_TICKET).Request.GetTicket()
		c := tk.GetItems()[0].GetCommodity()
		if c.GetQuantity() != 2000 || c.GetSum().GetBills() != 580 || c.GetTaxes()[0].GetSum().GetBills() != 80 ||
			c.GetTaxes()[0].GetPercent() != 16000 || c.GetMeasureUnitCode() != "796" {
			t.Errorf("commodity %v", c)
		}
		if a := tk.GetAmounts(); a.GetTaken().GetBills() != 1000 || a.GetChange().GetBills() != 420 || a.GetTotal().GetBills() != 580 {
			t.Errorf("amounts %v", a)
		}
		if r.tg.emulated() {
			v := r.ledger()
			if len(v.Receipts) != 1 || v.Receipts[0].FiscalSign != res.Sign || v.Receipts[0].Total != 58000 {
				t.Errorf("ledger receipts %+v", v.Receipts)
			}
		}
	})

	run("MixedPaymentWithDiscount", func(t *testing.T) {
		seq := r.receipt(kkm.ReceiptDraft{
			Operation: kkm.OpSale,
			Lines: []kkm.LineDraft{
				{Name: "Сүт 2,5%", Section: "1", Quantity: 1000, Unit: "796", Price: 45000, VATRate: kkm.VAT16},
				{Name: "Нан", Section: "2", Quantity: 2000, Unit: "796", Price: 12000, VATRate: kkm.VAT16},
			},
			Modifier: &kkm.Modifier{Kind: kkm.Discount, Percent: 1000},
			Payments: []kkm.Payment{{Type: kkm.PayCard, Sum: 30000}, {Type: kkm.PayCash, Sum: 50000}},
		})
		r.drain()
		if r.result(seq).Sign == "" {
			t.Fatal("no fiscal sign")
		}
		tk := lastOf(pb.CommandTypeEnum_COMMAND_TICKET).Request.GetTicket()
		if tk.GetAmounts().GetDiscount() == nil || len(tk.GetPayments()) != 2 {
			t.Errorf("want a receipt discount and two payments: %v", tk)
		}
	})

	run("MixedRateDiscounts", func(t *testing.T) {
		// A receipt discount spread over lines at 16 % and 5 %, an item discount with awkward
		// amounts: the wire's VAT per rate (commodities − discounts + markups) is the printed VAT,
		// the OFD accepts it, and the Z at the end of the day agrees with the OFD's counters.
		seq := r.receipt(kkm.ReceiptDraft{
			Operation: kkm.OpSale,
			Lines: []kkm.LineDraft{
				{Name: "Шай", Section: "1", Quantity: 3000, Unit: "796", Price: 33333, VATRate: kkm.VAT16,
					Modifier: &kkm.Modifier{Kind: kkm.Discount, Percent: 1000}},
				{Name: "Дәрі", Section: "2", Quantity: 2000, Unit: "796", Price: 17777, VATRate: kkm.VAT5},
				{Name: "Ірімшік", Section: "1", Quantity: 1000, Unit: "796", Price: 19999, VATRate: kkm.VAT16,
					Modifier: &kkm.Modifier{Kind: kkm.Discount, Percent: 333}},
			},
			Modifier: &kkm.Modifier{Kind: kkm.Discount, Percent: 700},
			Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 200000}},
		})
		r.drain()
		if r.result(seq).Sign == "" {
			t.Fatal("no fiscal sign")
		}
		doc, err := r.journal.Document(r.ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		printed := map[uint32]int64{}
		for _, ts := range doc.Document.Receipt.Taxes {
			printed[ts.Rate.WirePercent()] = int64(ts.VAT)
		}
		tk := lastOf(pb.CommandTypeEnum_COMMAND_TICKET).Request.GetTicket()
		wire := map[uint32]int64{}
		add := func(taxes []*pb.TicketRequest_Tax, sign int64) {
			for _, tx := range taxes {
				wire[tx.GetPercent()] += sign * (int64(tx.GetSum().GetBills())*100 + int64(tx.GetSum().GetCoins()))
			}
		}
		for _, it := range tk.GetItems() {
			add(it.GetCommodity().GetTaxes(), 1)
			add(it.GetDiscount().GetTaxes(), -1)
		}
		add(tk.GetAmounts().GetDiscount().GetTaxes(), -1)
		if len(wire) != 2 || wire[16000] != printed[16000] || wire[5000] != printed[5000] {
			t.Errorf("wire VAT per rate %v, printed %v", wire, printed)
		}
		if len(tk.GetAmounts().GetDiscount().GetTaxes()) != 2 {
			t.Errorf("the receipt discount carries %v, want one tax per rate", tk.GetAmounts().GetDiscount().GetTaxes())
		}
	})

	run("ReturnNamesParent", func(t *testing.T) {
		doc, err := r.journal.Document(r.ctx, saleSeq)
		if err != nil {
			t.Fatal(err)
		}
		parent := kkm.ParentReceipt{Number: r.result(saleSeq).Sign, Time: doc.Document.Time,
			RNM: r.reg.Settings.Reg.RNM, Total: doc.Document.Receipt.Total}
		d := bread()
		d.Operation, d.Parent = kkm.OpSaleReturn, &parent
		d.Lines[0].Quantity = 1000
		d.Payments = []kkm.Payment{{Type: kkm.PayCash, Sum: 29000}}
		seq := r.receipt(d)
		r.drain()
		if r.result(seq).Sign == "" {
			t.Fatal("no fiscal sign")
		}
		pt := lastOf(pb.CommandTypeEnum_COMMAND_TICKET).Request.GetTicket().GetParentTicket()
		if pt.GetParentTicketNumber() != parent.Number || pt.GetKgdKkmId() != parent.RNM {
			t.Errorf("parent_ticket %v", pt)
		}
		if r.tg.emulated() {
			v := r.ledger()
			if last := v.Receipts[len(v.Receipts)-1]; last.ParentSign != parent.Number {
				t.Errorf("the emulator saw parent %q", last.ParentSign)
			}
		}
	})

	// Marked goods (fact sheet §3.3, Order 626 para 56 item 8): one marking code per unit as
	// commodity list_excise_stamp, separators kept; a return names the unit that comes back.
	run("MarkedGoods", func(t *testing.T) {
		beer := kkm.LineDraft{Name: "Сыра", Section: "1", Quantity: 2000, Unit: "796", Price: 65000, VATRate: kkm.VAT16,
			Marked: kkm.MarkedBeer, Codes: []string{confBeer1, confBeer2}}
		shoes := kkm.LineDraft{Name: "Етік", Section: "1", Quantity: 1000, Unit: "715", Price: 2890000, VATRate: kkm.VAT16,
			Marked: kkm.MarkedShoes, Codes: []string{confShoes}}
		seq := r.receipt(kkm.ReceiptDraft{Operation: kkm.OpSale, Lines: []kkm.LineDraft{beer, shoes},
			Payments: []kkm.Payment{{Type: kkm.PayCard, Sum: 3020000}}})
		r.drain()
		sign := r.result(seq).Sign
		if sign == "" {
			t.Fatal("no fiscal sign")
		}
		items := lastOf(pb.CommandTypeEnum_COMMAND_TICKET).Request.GetTicket().GetItems()
		if got := items[0].GetCommodity().GetListExciseStamp(); strings.Join(got, "|") != confBeer1+"|"+confBeer2 {
			t.Errorf("beer list_excise_stamp %q", got)
		}
		if got := items[1].GetCommodity().GetListExciseStamp(); len(got) != 1 || got[0] != confShoes {
			t.Errorf("shoes list_excise_stamp %q", got)
		}
		doc, err := r.journal.Document(r.ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		one := beer
		one.Quantity, one.Codes = 1000, []string{confBeer2}
		back := r.receipt(kkm.ReceiptDraft{Operation: kkm.OpSaleReturn, Lines: []kkm.LineDraft{one},
			Payments: []kkm.Payment{{Type: kkm.PayCard, Sum: 65000}},
			Parent:   &kkm.ParentReceipt{Number: sign, Time: doc.Document.Time, RNM: r.reg.Settings.Reg.RNM, Total: doc.Document.Receipt.Total}})
		r.drain()
		if r.result(back).Sign == "" {
			t.Fatal("the return has no fiscal sign")
		}
		if got := lastOf(pb.CommandTypeEnum_COMMAND_TICKET).Request.GetTicket().GetItems()[0].GetCommodity().GetListExciseStamp(); len(got) != 1 || got[0] != confBeer2 {
			t.Errorf("the return's list_excise_stamp %q", got)
		}
		if r.tg.emulated() {
			v := r.ledger()
			n := len(v.Receipts)
			if n < 2 || v.Receipts[n-2].FiscalSign != sign || len(v.Receipts[n-2].Request.GetItems()[0].GetCommodity().GetListExciseStamp()) != 2 ||
				v.Receipts[n-1].ParentSign != sign {
				t.Errorf("the emulator's ledger does not hold the marked sale and its return")
			}
		}
	})

	run("CashInCashOut", func(t *testing.T) {
		r.clock.Advance(time.Minute)
		r.commit(r.reg.CashIn(500000, r.op, r.clock.Now(), r.offline()))
		r.clock.Advance(time.Minute)
		r.commit(r.reg.CashOut(100000, r.op, r.clock.Now(), r.offline()))
		if n := r.drain(); n != 2 {
			t.Fatalf("sent %d documents, want 2", n)
		}
		mp := lastOf(pb.CommandTypeEnum_COMMAND_MONEY_PLACEMENT).Request.GetMoneyPlacement()
		if mp.GetOperation() != pb.MoneyPlacementEnum_MONEY_PLACEMENT_WITHDRAWAL || mp.GetSum().GetBills() != 1000 || mp.GetOperator() == nil {
			t.Errorf("cash out %v", mp)
		}
		if r.tg.emulated() {
			if v := r.ledger(); v.Cash != int64(r.reg.State.CashInDrawer) {
				t.Errorf("emulator's drawer %d, register's %d", v.Cash, r.reg.State.CashInDrawer)
			}
		}
	})

	run("XReport", func(t *testing.T) {
		r.clock.Advance(time.Minute)
		doc, err := r.reg.XReport(r.op, r.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.journal.Commit(r.ctx, []kkm.Document{doc}, r.reg.State); err != nil {
			t.Fatal(err)
		}
		zx, err := r.sender.XReport(r.ctx, &doc)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ofdclient.ReportFromZX(zx, almaty)
		if err != nil {
			t.Fatal(err)
		}
		if got.ShiftNumber != doc.Report.ShiftNumber || got.CashInDrawer != doc.Report.CashInDrawer ||
			got.TotalResult != doc.Report.TotalResult || got.Revenue != doc.Report.Revenue {
			t.Errorf("the OFD's X (shift %d, cash %d, totals %v, revenue %d) differs from the register's (shift %d, cash %d, totals %v, revenue %d)",
				got.ShiftNumber, got.CashInDrawer, got.TotalResult, got.Revenue,
				doc.Report.ShiftNumber, doc.Report.CashInDrawer, doc.Report.TotalResult, doc.Report.Revenue)
		}
	})

	run("RetriedRequest", func(t *testing.T) {
		before := len(r.net.requests())
		r.net.lose(1)
		seq := r.receipt(bread())
		if _, err := r.sender.Drain(r.ctx); err == nil {
			t.Fatal("the lost answer went unnoticed")
		}
		r.drain()
		reqs := r.net.requests()[before:]
		if len(reqs) != 2 || reqs[0].Header != reqs[1].Header {
			t.Fatalf("want the same TOKEN and REQNUM twice, got %+v", reqs)
		}
		if r.result(seq).Sign == "" {
			t.Fatal("no fiscal sign after the retry")
		}
		if r.tg.emulated() {
			ex := r.ledger().Exchange(reqs[0].Header.Token, reqs[0].Header.ReqNum)
			if ex.Processed != 1 || ex.Replayed != 1 {
				t.Errorf("the emulator processed %d and replayed %d times, want 1 and 1", ex.Processed, ex.Replayed)
			}
		}
	})

	run("OfflineSpellAndCatchUp", func(t *testing.T) {
		r.net.setCut(true)
		first := r.receipt(bread())
		for i := 0; r.sender.State().Mode != delivery.ModeOffline; i++ {
			if _, err := r.sender.Drain(r.ctx); err == nil || i > 5 {
				t.Fatalf("still not offline after %d attempts (%v)", i+1, err)
			}
		}
		since := r.sender.State().OfflineSince
		r.clock.Advance(2 * time.Hour)
		second := r.receipt(bread())
		r.clock.Advance(time.Minute)
		r.commit(r.reg.CashIn(10000, r.op, r.clock.Now(), r.offline()))
		for _, seq := range []int64{second} {
			e, err := r.journal.Document(r.ctx, seq)
			if err != nil || !e.Document.Offline || e.Document.OfflineNumber == 0 {
				t.Fatalf("receipt %d issued while waiting: offline %v number %d (%v)", seq, e.Document.Offline, e.Document.OfflineNumber, err)
			}
		}
		// The journal is the count's source of truth (the sender's copy follows it after
		// Refresh or its own next step); read both from it, not from a cached count.
		stats, err := r.journal.OutboxStats(r.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if left := kkm.OfflineTimeLeft(stats.OldestQueued, r.clock.Now(), kkm.DefaultOfflineLimit); stats.Waiting != 3 || left >= kkm.DefaultOfflineLimit {
			t.Errorf("outbox %+v (%v left): want 3 waiting and less than 72 h left", stats, left)
		}
		if err := r.sender.Refresh(r.ctx); err != nil {
			t.Fatal(err)
		}
		if st := r.sender.State(); st.Waiting != stats.Waiting || !st.OldestWaiting.Equal(stats.OldestQueued) {
			t.Errorf("the sender shows %d waiting since %v after Refresh, the journal %+v", st.Waiting, st.OldestWaiting, stats)
		}
		before := len(r.net.requests())
		r.net.setCut(false)
		if n := r.drain(); n != 3 {
			t.Fatalf("caught up %d documents, want 3", n)
		}
		if st := r.sender.State(); st.Mode != delivery.ModeOnline || !st.OfflineSince.IsZero() {
			t.Errorf("after catching up: %+v", st)
		}
		for _, q := range r.net.requests()[before:] {
			op := q.Request.GetService().GetOfflinePeriod()
			if op == nil {
				t.Errorf("%v sent after the spell has no offline_period", q.Request.GetCommand())
				continue
			}
			b, _ := ofdclient.TimeFromDateTime(op.GetBeginTime(), almaty)
			if !b.Equal(since.Truncate(time.Second)) {
				t.Errorf("offline_period begins %v, want %v", b, since)
			}
		}
		if r.result(first).Sign == "" || r.result(second).Sign == "" {
			t.Error("offline receipts not fiscalised")
		}
		if r.tg.emulated() {
			v := r.ledger()
			if last := v.Receipts[len(v.Receipts)-1]; last.OfflineNumber == 0 {
				t.Error("the emulator saw no offline_ticket_number")
			}
		}
	})

	run("ZReport", func(t *testing.T) {
		r.clock.Advance(time.Minute)
		shift := r.reg.State.ShiftNumber
		r.commit(r.reg.CloseShift(r.op, r.clock.Now(), r.offline()))
		r.drain()
		cs := lastOf(pb.CommandTypeEnum_COMMAND_CLOSE_SHIFT)
		if cs.Request.GetCloseShift().GetZReport() == nil || cs.Request.GetCloseShift().GetFrShiftNumber() != shift {
			t.Errorf("close shift %v", cs.Request.GetCloseShift())
		}
		if cs.Response.GetReport().GetZxReport().GetShiftNumber() != shift {
			t.Errorf("the OFD's Z is of shift %d, want %d", cs.Response.GetReport().GetZxReport().GetShiftNumber(), shift)
		}
		if r.tg.emulated() {
			if v := r.ledger(); v.LastZ == nil || v.LastZ.GetShiftNumber() != shift {
				t.Errorf("the emulator closed no shift %d", shift)
			}
		}
	})

	run("TokenRotationAndReqnum", func(t *testing.T) {
		var prevAnswer uint32
		var prev ofdclient.Header
		for i, q := range r.net.requests() {
			if i > 0 && q.Header.ReqNum != prev.ReqNum+1 && q.Header != prev {
				t.Errorf("request %d: REQNUM %d after %d", i, q.Header.ReqNum, prev.ReqNum)
			}
			doc := q.Request.GetCommand() == pb.CommandTypeEnum_COMMAND_TICKET ||
				q.Request.GetCommand() == pb.CommandTypeEnum_COMMAND_MONEY_PLACEMENT ||
				q.Request.GetCommand() == pb.CommandTypeEnum_COMMAND_CLOSE_SHIFT
			if doc && prevAnswer != 0 && q.Header.Token != prevAnswer && q.Header != prev {
				t.Errorf("request %d carries TOKEN %d, the last answer gave %d", i, q.Header.Token, prevAnswer)
			}
			if doc && q.Request.GetService().GetRegInfo_().GetKkm().GetFnsKkmId() != r.reg.Settings.Reg.RNM {
				t.Errorf("request %d has no reg_info", i)
			}
			if doc && q.Err == nil && q.Response.GetResult().GetResultCode() == 0 {
				prevAnswer = q.Answer.Token
			}
			prev = q.Header
		}
		if got := r.link().Token; got != prevAnswer {
			t.Errorf("the journal keeps token %d, the last answer gave %d", got, prevAnswer)
		}
	})

	conformance2026(r, run) // geolocation, oversize documents, check links per OFD (conformance2026_test.go)
}

// envOr returns the environment variable, or def when running on the emulator.
func envOr(name, def string, emulated bool) string {
	if emulated {
		return def
	}
	return os.Getenv(name)
}
