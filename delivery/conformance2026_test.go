package delivery_test

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// conformance2026 adds the 2026 steps to TestConformance, run on its rig after the working day
// (so every kind of fiscal request has been sent), against the emulator or the OFD of OFD_ADDR:
//
//   - GeolocationInEveryFiscalRequest: every TICKET, MONEY_PLACEMENT, CLOSE_SHIFT and REPORT the
//     register sent carried security_stats.geo_position with its source, in Kazakhstan; on the
//     emulator, the same receipt without it is refused (15) and not counted;
//   - OversizeReceiptRefused: a 10 000-line receipt and one of 12 000 marked units are refused
//     before anything is written or sent;
//   - CheckLinksPerOFD: the OFD's own check links are its table entry's (OFD_ID names the OFD
//     under test; the emulator answers as Kazakhtelecom), and the offline link built for each
//     OFD of the table has that OFD's format, a trailing "/" kept.
func conformance2026(r *rig, run func(string, func(*testing.T))) {
	run("GeolocationInEveryFiscalRequest", func(t *testing.T) {
		seen := map[pb.CommandTypeEnum]int{}
		for i, q := range r.net.requests() {
			switch cmd := q.Request.GetCommand(); cmd {
			case pb.CommandTypeEnum_COMMAND_TICKET, pb.CommandTypeEnum_COMMAND_MONEY_PLACEMENT,
				pb.CommandTypeEnum_COMMAND_CLOSE_SHIFT, pb.CommandTypeEnum_COMMAND_REPORT:
				seen[cmd]++
				g := q.Request.GetService().GetSecurityStats().GetGeoPosition()
				p := kkm.GeoPosition{Latitude: g.GetLatitude(), Longitude: g.GetLongitude(), Source: g.GetSource()}
				if g == nil || p.Validate() != nil {
					t.Errorf("request %d (%v) has no valid position: %v", i, cmd, g)
				}
			}
		}
		for _, cmd := range []pb.CommandTypeEnum{pb.CommandTypeEnum_COMMAND_TICKET, pb.CommandTypeEnum_COMMAND_MONEY_PLACEMENT,
			pb.CommandTypeEnum_COMMAND_CLOSE_SHIFT, pb.CommandTypeEnum_COMMAND_REPORT} {
			if seen[cmd] == 0 {
				t.Errorf("the working day sent no %v to check", cmd)
			}
		}
		t.Logf("fiscal requests with their position: %v", seen)
		if !r.tg.emulated() {
			return // a receipt the OFD must refuse is not sent to a real one
		}
		// The emulator refuses the same receipt without its position, and counts nothing.
		r.clock.Advance(60_000_000_000)
		iss, err := r.reg.IssueReceipt(bread(), r.op, r.clock.Now(), false)
		if err != nil {
			t.Fatal(err)
		}
		req, err := r.cfg.Identity.Request(&iss.Documents[0], nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Service.SecurityStats = nil
		before := len(r.ledger().Receipts)
		h := ofdclient.Header{SystemID: r.tg.systemID, Token: r.link().Token, ReqNum: r.nextReqnum()}
		_, resp, err := r.net.Exchange(r.ctx, r.tg.addr, h, req)
		if err != nil {
			t.Fatal(err)
		}
		if code := resp.GetResult().GetResultCode(); code != 15 || !strings.Contains(resp.GetResult().GetResultText(), "geo_position") {
			t.Errorf("a receipt without its position: code %d %q, want 15", code, resp.GetResult().GetResultText())
		}
		if after := len(r.ledger().Receipts); after != before {
			t.Errorf("the refused receipt was counted")
		}
	})

	run("OversizeReceiptRefused", func(t *testing.T) {
		sent := len(r.net.requests())
		_, err := kkm.ComputeReceipt(kkm.ReceiptDraft{Operation: kkm.OpSale, Lines: make([]kkm.LineDraft, 10_000),
			Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 1}}}, r.reg.Settings)
		if !errors.Is(err, kkm.ErrReceiptTooManyLines) {
			t.Errorf("10 000 lines: %v", err)
		}
		codes := make([]string, 12_000)
		for i := range codes {
			codes[i] = fmt.Sprintf("0104607028393839"+"21"+"5RTQ2P%07d"+"\x1d"+"91"+"EE06"+"\x1d"+"92"+
				"dGVzdHNpZ25hdHVyZWZvcm1lZGljaW5lMTIzNDU2Nzg5", i)
		}
		iss, err := r.reg.IssueReceipt(kkm.ReceiptDraft{Operation: kkm.OpSale,
			Lines: []kkm.LineDraft{{Name: "Парацетамол 500 мг", Quantity: 12_000 * 1000, Price: 500,
				Marked: kkm.MarkedMedicine, Codes: codes}},
			Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 12_000 * 500}}}, r.op, r.clock.Now(), r.offline())
		if err != nil {
			t.Fatal(err)
		}
		d := iss.Documents[0]
		d.Text = kkm.PrintedTicket(d, r.reg.Settings)
		var tooLarge *ofdclient.RequestTooLargeError
		if err := r.cfg.Identity.CheckSendable(&d); !errors.As(err, &tooLarge) {
			t.Fatalf("12 000 marked units: %v", err)
		}
		t.Logf("12 000 marked units: %d KB, the frame holds %d KB", tooLarge.Size/1024, ofdclient.MaxRequestFrame/1024)
		if n := len(r.net.requests()); n != sent {
			t.Errorf("%d requests sent for refused receipts", n-sent)
		}
		if st, err := r.journal.OutboxStats(r.ctx); err != nil || st.Waiting != 0 {
			t.Errorf("outbox %+v, %v", st, err)
		}
	})

	run("CheckLinksPerOFD", func(t *testing.T) {
		id := os.Getenv("OFD_ID")
		if r.tg.emulated() {
			id = "kazakhtelecom" // the emulator answers with consumer.oofd.kz links
		}
		if o, ok := kkm.OFDByID(id); ok {
			var link string
			for _, q := range r.net.requests() {
				if s := string(q.Response.GetTicket().GetQrCode()); s != "" {
					link = s
				}
			}
			u, err := url.Parse(link)
			base, _ := url.Parse(o.CheckBase)
			if err != nil || link == "" || !strings.EqualFold(u.Host, base.Host) ||
				strings.TrimRight(u.Path, "/") != strings.TrimRight(base.Path, "/") || u.Query().Get("i") == "" {
				t.Errorf("the OFD's link %q is not of %s's check site %s", link, o.ID, o.CheckBase)
			}
		} else {
			t.Logf("OFD_ID not set (one of kazakhtelecom, transtelecom, beeline, kofd): the OFD's own links are not compared")
		}
		doc := kkm.Document{Kind: kkm.KindReceipt, Time: r.clock.Now(), Offline: true, OfflineNumber: 1001,
			Receipt: &kkm.Receipt{Operation: kkm.OpSale, Total: 58000}}
		for _, o := range kkm.OFDs() {
			s := r.reg.Settings
			s.Reg = o.Register(s.Reg)
			link := kkm.CheckLink(doc, s, kkm.FiscalMark{})
			if !strings.HasPrefix(link, o.CheckBase+"?i=1001&f="+s.Reg.RNM+"&s=580.00&t=") {
				t.Errorf("%s: offline link %q", o.ID, link)
			}
		}
	})
}
