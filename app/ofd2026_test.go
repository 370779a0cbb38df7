package app

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
	"github.com/ekassa-go/ekassa/ui"
)

// fakeGeo is a device that has a fix or not.
type fakeGeo struct {
	mu  sync.Mutex
	pos kkm.GeoPosition
	ok  bool
}

func (g *fakeGeo) Position() (kkm.GeoPosition, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.pos, g.ok
}

func (g *fakeGeo) set(p kkm.GeoPosition, ok bool) {
	g.mu.Lock()
	g.pos, g.ok = p, ok
	g.mu.Unlock()
}

// documents is the number of documents in the journal.
func (r *rig) documents() int64 {
	r.t.Helper()
	info, err := r.j.Info(r.ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	return info.Documents
}

// lastGeo is the position of the last request of cmd the emulator received.
func (r *rig) lastGeo(cmd pb.CommandTypeEnum) *pb.ServiceRequest_SecurityStats_GeoPosition {
	r.t.Helper()
	log := r.demo.Server.Log()
	for i := len(log) - 1; i >= 0; i-- {
		if log[i].Request.GetCommand() == cmd {
			return log[i].Request.GetService().GetSecurityStats().GetGeoPosition()
		}
	}
	r.t.Fatalf("the emulator received no %v", cmd)
	return nil
}

// Each document records where the register was: the device's fix when it has a sane one, else the
// trading point's coordinates (from the OFD's registration or the settings), and without either
// it is not issued and nothing is written. The OFD receives the same position.
func TestDocumentsRecordTheirPosition(t *testing.T) {
	geo := &fakeGeo{}
	r := newRigWith(t, Options{Geo: geo})
	s := r.rt.Settings()
	if p, ok := s.TradingPointPosition(); !ok || p.Latitude != 43_240_500 || p.Longitude != 76_945_500 {
		t.Fatalf("connecting did not take the trading point's coordinates from the OFD: %+v", s.TradingPoint)
	}

	gps := kkm.GeoPosition{Latitude: 43_238_949, Longitude: 76_889_709, Source: kkm.GeoSourceGPS}
	geo.set(gps, true)
	doc := r.sell(29000)
	r.waitDrained()
	if doc.Document.Geo == nil || *doc.Document.Geo != gps {
		t.Errorf("sale with a fix recorded %+v", doc.Document.Geo)
	}
	if g := r.lastGeo(pb.CommandTypeEnum_COMMAND_TICKET); g.GetLatitude() != gps.Latitude || g.GetSource() != "GPS" {
		t.Errorf("the OFD received %v", g)
	}

	// A fix outside Kazakhstan (latitude and longitude swapped by a broken driver) is not used.
	geo.set(kkm.GeoPosition{Latitude: gps.Longitude, Longitude: gps.Latitude, Source: kkm.GeoSourceCell}, true)
	if _, err := r.rt.CashIn(r.ctx, r.by, 100000); err != nil {
		t.Fatal(err)
	}
	r.waitDrained()
	if g := r.lastGeo(pb.CommandTypeEnum_COMMAND_MONEY_PLACEMENT); g.GetLatitude() != 43_240_500 || g.GetSource() != "POS" {
		t.Errorf("cash in with a broken fix sent %v, want the trading point", g)
	}

	// The owner's own coordinates replace the OFD's; the Z carries them.
	geo.set(kkm.GeoPosition{}, false)
	s = r.rt.Settings()
	s.TradingPoint = &kkm.GeoPosition{Latitude: 51_128_207, Longitude: 71_430_411}
	if err := r.rt.SaveSettings(r.ctx, r.by, s); err != nil {
		t.Fatal(err)
	}
	if _, err := r.rt.CloseShift(r.ctx, r.by); err != nil {
		t.Fatal(err)
	}
	r.waitDrained()
	if g := r.lastGeo(pb.CommandTypeEnum_COMMAND_CLOSE_SHIFT); g.GetLatitude() != 51_128_207 || g.GetSource() != "POS" {
		t.Errorf("Z sent %v", g)
	}

	// Swapped coordinates are refused in the settings, which stay as they were.
	bad := r.rt.Settings()
	bad.TradingPoint = &kkm.GeoPosition{Latitude: 71_430_411, Longitude: 51_128_207}
	if err := r.rt.SaveSettings(r.ctx, r.by, bad); !errors.Is(err, kkm.ErrGeoOutsideKazakhstan) {
		t.Errorf("swapped coordinates saved: %v", err)
	}
	if p, _ := r.rt.Settings().TradingPointPosition(); p.Latitude != 51_128_207 {
		t.Errorf("a refused save changed the coordinates to %+v", p)
	}

	// Neither the device nor the settings: refused, nothing written.
	s = r.rt.Settings()
	s.TradingPoint = nil
	if err := r.rt.SaveSettings(r.ctx, r.by, s); err != nil {
		t.Fatal(err)
	}
	before := r.documents()
	_, err := r.rt.IssueReceipt(r.ctx, r.by, kkm.SimpleDraft(kkm.OpSale, []kkm.Money{29000}, []kkm.Payment{{Type: kkm.PayCash, Sum: 29000}}))
	if !errors.Is(err, kkm.ErrGeoMissing) {
		t.Errorf("sale without any position: %v", err)
	}
	if after := r.documents(); after != before {
		t.Errorf("a refused sale wrote %d documents", after-before)
	}
	geo.set(gps, true) // the phone gets a fix again: selling goes on
	r.sell(29000)
	r.waitDrained()
}

// A receipt whose request could never be sent is refused before anything is written: 10 000 lines
// (past kkm's bound), and a marked line whose codes outgrow the frame; the register goes on.
func TestOversizeReceiptRefusedBeforeWriting(t *testing.T) {
	r := newRig(t)
	before := r.documents()
	lines := make([]kkm.LineDraft, 10_000)
	for i := range lines {
		lines[i] = kkm.LineDraft{Name: fmt.Sprintf("Тауар %d", i+1), Quantity: 1000, Price: 100}
	}
	_, err := r.rt.IssueReceipt(r.ctx, r.by, kkm.ReceiptDraft{Operation: kkm.OpSale, Lines: lines,
		Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 10_000 * 100}}})
	if !errors.Is(err, kkm.ErrReceiptTooManyLines) {
		t.Errorf("10 000 lines: %v", err)
	}

	codes := make([]string, 12_000)
	for i := range codes {
		codes[i] = fmt.Sprintf("0104607028393839"+"21"+"5RTQ2P%07d"+"\x1d"+"91"+"EE06"+"\x1d"+"92"+
			"dGVzdHNpZ25hdHVyZWZvcm1lZGljaW5lMTIzNDU2Nzg5", i)
	}
	_, err = r.rt.IssueReceipt(r.ctx, r.by, kkm.ReceiptDraft{Operation: kkm.OpSale,
		Lines: []kkm.LineDraft{{Name: "Парацетамол 500 мг", Quantity: 12_000 * 1000, Price: 500,
			Marked: kkm.MarkedMedicine, Codes: codes}},
		Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 12_000 * 500}}})
	var tooLarge *ofdclient.RequestTooLargeError
	if !errors.As(err, &tooLarge) {
		t.Errorf("12 000 marked units: %v", err)
	} else if tooLarge.MessageID() != "err.ofd.request_too_large" || tooLarge.Size <= ofdclient.MaxRequestFrame {
		t.Errorf("refusal %q of %d bytes", tooLarge.MessageID(), tooLarge.Size)
	}
	if after := r.documents(); after != before {
		t.Errorf("refused receipts wrote %d documents", after-before)
	}
	// Nothing waits behind them: the next sale is fiscalised at once.
	if d := r.sell(29000); d.FiscalSign == "" {
		t.Errorf("the next sale waits: %+v", r.rt.Status())
	}
}

// Connecting to an OFD from the picker names it on the receipts with its check site; the offline
// link follows its format, the trailing slash kept.
func TestConnectNamesTheRegistersOFD(t *testing.T) {
	r := newRig(t)
	req := r.demo.Connect
	req.OFDID = "transtelecom"
	if _, err := r.rt.Connect(r.ctx, req); err != nil {
		t.Fatal(err)
	}
	s := r.rt.Settings()
	if s.Reg.OFDTitle != "АО «Транстелеком»" || s.Reg.OFDCheckURL != "https://ofd1.kz/t/" || s.CheckSite() != "https://ofd1.kz/t/" {
		t.Errorf("registration %q %q", s.Reg.OFDTitle, s.Reg.OFDCheckURL)
	}
	if err := r.rt.SetNetworkCut(true); err != nil {
		t.Fatal(err)
	}
	r.sell(10000) // goes out and finds no network: what follows is offline
	d := r.sell(29000)
	if !d.Document.Offline || !strings.HasPrefix(d.QRLink, "https://ofd1.kz/t/?i=") {
		t.Errorf("offline link %q", d.QRLink)
	}
	if !strings.Contains(d.Document.Text, "АО «Транстелеком»") || !strings.Contains(d.Document.Text, "ofd1.kz/t") {
		t.Errorf("the receipt does not name its OFD:\n%s", d.Document.Text)
	}
	if err := r.rt.SetNetworkCut(false); err != nil {
		t.Fatal(err)
	}
	r.waitDrained()
}

// A document journaled without a position (before positions were recorded) on a register with no
// coordinates blocks the queue as unsendable, with its reason; the owner sets the coordinates and
// Retry sends it with them, without restarting anything.
func TestWaitingDocumentWithoutPositionGoesAfterCoordinatesAreSet(t *testing.T) {
	r := newRig(t)
	s := r.rt.Settings()
	s.TradingPoint = nil
	if err := r.rt.SaveSettings(r.ctx, r.by, s); err != nil {
		t.Fatal(err)
	}
	// What an older version journaled: a sale with no position of its own.
	r.rt.mu.Lock()
	iss, err := r.rt.reg.IssueReceipt(kkm.SimpleDraft(kkm.OpSale, []kkm.Money{29000},
		[]kkm.Payment{{Type: kkm.PayCash, Sum: 29000}}), r.by, r.rt.now(), false)
	if err == nil {
		_, err = r.j.Commit(r.ctx, iss.Documents, iss.State)
		r.rt.reg.State = iss.State
	}
	sender := r.rt.sender
	r.rt.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	sender.Wake()
	deadline := time.Now().Add(10 * time.Second)
	for r.rt.Status().Block != ui.BlockProtocol && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	st := r.rt.Status()
	if st.Block != ui.BlockProtocol || !strings.Contains(st.BlockText, "err.geo.missing") || st.Waiting != 1 {
		t.Fatalf("status %+v", st)
	}
	s.TradingPoint = &kkm.GeoPosition{Latitude: 51_128_207, Longitude: 71_430_411}
	if err := r.rt.SaveSettings(r.ctx, r.by, s); err != nil {
		t.Fatal(err)
	}
	if err := r.rt.Retry(r.ctx); err != nil {
		t.Fatal(err)
	}
	r.waitDrained()
	if g := r.lastGeo(pb.CommandTypeEnum_COMMAND_TICKET); g.GetLatitude() != 51_128_207 || g.GetSource() != "POS" {
		t.Errorf("the waiting sale went with %v", g)
	}
}
