package delivery_test

import (
	"errors"
	"fmt"
	"github.com/ekassa-go/ekassa/delivery"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// worstLine is the costliest line a receipt can have on the wire without marking codes: the
// longest name and section in two-byte Kazakh letters, an НКТ code, an item discount and large amounts.
func worstLine() kkm.LineDraft {
	return kkm.LineDraft{Name: strings.Repeat("Ә", kkm.MaxItemNameLength), Section: strings.Repeat("Қ", kkm.MaxSectionLength),
		Quantity: 999_000, Price: 9_999_999, NTIN: strings.Repeat("9", kkm.MaxNTINLength),
		Modifier: &kkm.Modifier{Kind: kkm.Discount, Amount: 1}}
}

// issueLines issues (with kkm, as the app does) a sale of n copies of line with a receipt markup,
// and sets its printed text; the identity is the one the sender would use.
func issueLines(t *testing.T, n int, line kkm.LineDraft) (kkm.Document, ofdclient.Identity) {
	t.Helper()
	reg := kkm.Register{Settings: kkm.Settings{VATPayer: true, DefaultVATRate: kkm.VAT16, ReceiptModifiersAllowed: true,
		Reg: kkm.RegInfo{RNM: "010101012345", ZNM: "KTCD1117737127791", KKMID: "123456",
			OrgTitle: strings.Repeat("Ө", 120), OrgIINBIN: "960624350642", OrgAddress: strings.Repeat("Ұ", 120)}}}
	lines := make([]kkm.LineDraft, n)
	for i := range lines {
		lines[i] = line
	}
	iss, err := reg.IssueReceipt(kkm.ReceiptDraft{Operation: kkm.OpSale, Lines: lines,
		Modifier: &kkm.Modifier{Kind: kkm.Markup, Amount: 99},
		Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: kkm.MaxMoney}}},
		kkm.Operator{Code: 1, Name: strings.Repeat("Қ", kkm.MaxCashierNameLength)},
		time.Date(2026, 3, 1, 12, 34, 56, 0, time.UTC), true)
	if err != nil {
		t.Fatal(err)
	}
	d := iss.Documents[0]
	d.Geo = &kkm.GeoPosition{Latitude: 43_238_949, Longitude: 76_889_709, Source: kkm.GeoSourceGPS}
	d.Text = kkm.PrintedTicket(d, reg.Settings)
	return d, ofdclient.IdentityFromSettings(reg.Settings)
}

// kkm.MaxReceiptLines is derived from the frame: that many of the costliest lines still fit
// MaxRequestFrame, offline catch-up included, so the line bound alone keeps unmarked receipts
// sendable. The measure is logged: it is what kkm/size.go quotes.
func TestWorstCaseLinesFitTheFrame(t *testing.T) {
	d, id := issueLines(t, kkm.MaxReceiptLines, worstLine())
	if err := id.CheckSendable(&d); err != nil {
		t.Fatalf("%d worst-case lines: %v", kkm.MaxReceiptLines, err)
	}
	req, err := id.Request(&d, &ofdclient.OfflinePeriod{Begin: d.Time, End: d.Time})
	if err != nil {
		t.Fatal(err)
	}
	size := ofdclient.HeaderSize + proto.Size(req)
	one, _ := issueLines(t, 1, worstLine())
	oneReq, _ := id.Request(&one, nil)
	perLine := (size - proto.Size(oneReq)) / (kkm.MaxReceiptLines - 1)
	t.Logf("%d worst-case lines: %d bytes (%.0f %% of the frame), %d bytes a line", kkm.MaxReceiptLines, size,
		100*float64(size)/ofdclient.MaxRequestFrame, perLine)
	if size > ofdclient.MaxRequestFrame*9/10 {
		t.Errorf("%d bytes leave less than 10 %% of the frame for what the measure did not try", size)
	}
}

// A receipt whose request would not fit a frame is refused with a sized, translatable error: as
// many lines as 10 000 (built past kkm's bound, which refuses them earlier), or a marked line
// whose codes outgrow the frame within that bound.
func TestOversizeRequestRefused(t *testing.T) {
	// 10 000 lines: kkm refuses them as the receipt is computed ...
	_, err := kkm.ComputeReceipt(kkm.ReceiptDraft{Operation: kkm.OpSale,
		Lines:    make([]kkm.LineDraft, 10_000),
		Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 1}}}, kkm.DefaultSettings())
	if !errors.Is(err, kkm.ErrReceiptTooManyLines) {
		t.Fatalf("10 000 lines computed: %v", err)
	}
	// ... and the request measure refuses them too, had they got past it.
	// The lines are short ones, as a shop's (bread at 290,00), with the printed text the app
	// would send for all of them.
	d, id := issueLines(t, 1000, kkm.LineDraft{Name: "Нан", Quantity: 1000, Price: 29000})
	lines := d.Receipt.Lines
	for len(d.Receipt.Lines) < 10_000 {
		d.Receipt.Lines = append(d.Receipt.Lines, lines...)
	}
	d.Text = kkm.PrintedTicket(d, kkm.Settings{VATPayer: true, Reg: id.Reg})
	var tooLarge *ofdclient.RequestTooLargeError
	if err := id.CheckSendable(&d); !errors.As(err, &tooLarge) || tooLarge.Lines != 10_000 ||
		tooLarge.MessageID() != "err.ofd.request_too_large" || tooLarge.Size <= ofdclient.MaxRequestFrame {
		t.Errorf("10 000 lines: %v", err)
	} else {
		t.Logf("10 000 lines of bread: %d KB, the frame holds %d KB", tooLarge.Size/1024, ofdclient.MaxRequestFrame/1024)
	}

	// Medicine sold by the unit, one marking code each: 12 000 units on one line.
	codes := make([]string, 12_000)
	for i := range codes {
		codes[i] = fmt.Sprintf("0104607028393839"+"21"+"5RTQ2P%07d"+"\x1d"+"91"+"EE06"+"\x1d"+"92"+
			"dGVzdHNpZ25hdHVyZWZvcm1lZGljaW5lMTIzNDU2Nzg5", i)
	}
	med := kkm.LineDraft{Name: "Парацетамол 500 мг", Quantity: kkm.Quantity(len(codes)) * 1000, Price: 500,
		Marked: kkm.MarkedMedicine, Codes: codes}
	d, id = issueLines(t, 1, med)
	if err := id.CheckSendable(&d); !errors.As(err, &tooLarge) {
		t.Errorf("12 000 marked units on one line: %v", err)
	}
	// Half of them fit.
	med.Codes, med.Quantity = codes[:4000], 4000*1000
	d, id = issueLines(t, 1, med)
	if err := id.CheckSendable(&d); err != nil {
		t.Errorf("4 000 marked units: %v", err)
	}
}

// A document with no position of its own and no trading point cannot be put on the wire; one with
// its own position carries it, else the trading point's with source POS. SYSTEM carries none.
func TestPositionOfARequest(t *testing.T) {
	d, id := issueLines(t, 1, kkm.LineDraft{Name: "Нан", Quantity: 1000, Price: 29000})
	req, err := id.Request(&d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if g := req.GetService().GetSecurityStats().GetGeoPosition(); g.GetLatitude() != 43_238_949 ||
		g.GetLongitude() != 76_889_709 || g.GetSource() != "GPS" {
		t.Errorf("document's own position: %v", g)
	}
	d.Geo = nil
	if err := id.CheckSendable(&d); !errors.Is(err, kkm.ErrGeoMissing) || !errors.Is(err, ofdclient.ErrDocument) {
		t.Errorf("no position at all: %v", err)
	}
	id.Point = &kkm.GeoPosition{Latitude: 51_128_207, Longitude: 71_430_411}
	req, err = id.Request(&d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if g := req.GetService().GetSecurityStats().GetGeoPosition(); g.GetLatitude() != 51_128_207 || g.GetSource() != "POS" {
		t.Errorf("trading point's position: %v", g)
	}
	sys, err := id.SystemRequest(nil)
	if err != nil || sys.GetService().GetSecurityStats() != nil {
		t.Errorf("SYSTEM: %v, %v", sys, err)
	}
}

// stub204 is what a 2.0.4 mapping would be: the 2.0.3 request with the version's additions (here
// only the industry domain made explicit), under header VERSION 204.
type stub204 struct{ base ofdclient.Protocol }

func (stub204) Version() uint16 { return 204 }
func (p stub204) Request(id ofdclient.Identity, doc *kkm.Document, off *ofdclient.OfflinePeriod) (*pb.Request, error) {
	req, err := p.base.Request(id, doc, off)
	if err == nil && req.Ticket != nil {
		req.Ticket.Domain = &pb.TicketRequest_Domain{Type: pb.DomainTypeEnum_DOMAIN_SERVICES.Enum()}
	}
	return req, err
}
func (p stub204) SystemRequest(id ofdclient.Identity, off *ofdclient.OfflinePeriod) (*pb.Request, error) {
	return p.base.SystemRequest(id, off)
}

// The protocol version is a seam: the sender sends whatever mapping the register's identity
// names, under that mapping's header version, and an unknown version is not sent at all but
// blocks with a local code, the document kept.
func TestProtocolVersionSeam(t *testing.T) {
	if p, err := ofdclient.ProtocolFor(0); err != nil || p.Version() != ofdclient.Version203 {
		t.Fatalf("default protocol: %v, %v", p, err)
	}
	if _, err := ofdclient.ProtocolFor(204); !errors.Is(err, ofdclient.ErrDocument) {
		t.Errorf("2.0.4 is not spoken yet: %v", err)
	}

	r := newRig(t, rigOptions{})
	if !r.tg.emulated() {
		t.Skip("needs the emulator's request log")
	}
	base, _ := ofdclient.ProtocolFor(ofdclient.Version203)
	r.cfg.Identity.Protocol = stub204{base}
	s, err := delivery.NewSender(r.journal, r.cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.sender = s
	seq := r.receipt(bread())
	r.drain()
	if r.result(seq).Sign == "" {
		t.Fatal("no fiscal sign")
	}
	log := r.tg.sim.Log()
	last := log[len(log)-1]
	if last.Version != 204 || last.Request.GetTicket().GetDomain().GetType() != pb.DomainTypeEnum_DOMAIN_SERVICES {
		t.Errorf("the emulator saw version %d, domain %v", last.Version, last.Request.GetTicket().GetDomain())
	}

	// A version the register does not speak: the document waits, blocked with its reason.
	r.cfg.Identity.Protocol, r.cfg.Identity.Version = nil, 204
	if s, err = delivery.NewSender(r.journal, r.cfg); err != nil {
		t.Fatal(err)
	}
	r.sender = s
	r.receipt(bread())
	if _, err := r.sender.Drain(r.ctx); err == nil {
		t.Error("a document in an unknown protocol version was drained")
	}
	st := r.sender.State()
	if st.Mode != delivery.ModeBlocked || st.Block.Code != ofdclient.ResultDocumentUnsendable || st.Waiting != 1 {
		t.Errorf("state %+v, block %+v", st, st.Block)
	}
}
