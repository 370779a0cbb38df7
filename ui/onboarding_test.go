package ui

import (
	"context"
	"io"
	"net/url"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/storage"
	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/ekassa-go/ekassa/i18n"
)

// fakeOnboarding is a hub's cabinet in memory: code 246810 confirms; the key file "good.p12"
// opens with "secret" and is of IIN 870412300416, "selfsigned.p12" and "expired.p12" open but
// are refused; serial "TAKEN" is someone else's; each Refresh moves an application on a step.
type fakeOnboarding struct {
	email     string
	confirmed bool
	org       CabinetOrganization
	tps       []CabinetTradePoint
	regs      []CabinetRegister
	bindCalls int
}

func (f *fakeOnboarding) Resume(context.Context) (OwnerCabinet, error) {
	if f.confirmed {
		return f, nil
	}
	return nil, nil
}

func (f *fakeOnboarding) SignUp(_ context.Context, at HubAddress, email string) (string, error) {
	if at.Address != "https://hub.example:8443" {
		return "", ErrOwnerUnreachable
	}
	f.email = email
	return "246810", nil
}

func (f *fakeOnboarding) Confirm(_ context.Context, _ HubAddress, email, code string) (OwnerCabinet, error) {
	if email != f.email || code != "246810" {
		return nil, ErrCabinetCodeWrong
	}
	f.confirmed, f.org.Email = true, email
	return f, nil
}

func (f *fakeOnboarding) Organization(context.Context) (CabinetOrganization, error) {
	o := f.org
	o.TradePoints = f.tps
	return o, nil
}

func (f *fakeOnboarding) Bind(_ context.Context, b CabinetBind) (string, error) {
	f.bindCalls++
	switch string(b.KeyFile) {
	case "selfsigned":
		return "", ErrCabinetCertTrust
	case "expired":
		return "", ErrCabinetCertExpired
	}
	if b.Password != "secret" {
		return "", ErrCabinetKeyPassword
	}
	if b.IINBIN != "870412300416" {
		return "", ErrCabinetCertOrg
	}
	f.org.IINBIN, f.org.Name, f.org.LegalAddress = b.IINBIN, b.Name, b.LegalAddress
	return b.IINBIN, nil
}

func (f *fakeOnboarding) AddTradePoint(_ context.Context, tp CabinetTradePoint) (CabinetTradePoint, error) {
	tp.ID = int64(len(f.tps) + 1)
	f.tps = append(f.tps, tp)
	return tp, nil
}

func (f *fakeOnboarding) Registers(context.Context) ([]CabinetRegister, error) { return f.regs, nil }

func (f *fakeOnboarding) Apply(_ context.Context, a CabinetApplication) (CabinetRegister, error) {
	if a.Serial == "TAKEN" {
		return CabinetRegister{}, ErrCabinetSerialTaken
	}
	r := CabinetRegister{ID: int64(len(f.regs) + 1), Name: a.Name, Serial: a.Serial, Model: a.Model, Year: a.Year,
		TradePoint: f.tps[a.TradePointID-1].Name, Status: CabinetSent}
	f.regs = append(f.regs, r)
	return r, nil
}

func (f *fakeOnboarding) Refresh(_ context.Context, id int64) (CabinetRegister, error) {
	r := &f.regs[id-1]
	switch r.Status {
	case CabinetSent:
		r.Status = CabinetAwaitingKGD
	case CabinetAwaitingKGD:
		r.Status, r.OFDAddress, r.SystemID, r.Token = CabinetRegistered, "ofd.example:7777", 700001, 123456789
	}
	return *r, nil
}

// chooseFiles makes the harness's file choice hand over a file of this content under name.
func (h *harness) chooseFiles(name, content string) {
	h.u.ports.ChooseFile = func(done func(fyne.URIReadCloser, error)) {
		done(&memFile{Reader: strings.NewReader(content), uri: storage.NewFileURI("/phone/" + name)}, nil)
	}
}

type memFile struct {
	io.Reader
	uri fyne.URI
}

func (m *memFile) URI() fyne.URI { return m.uri }
func (m *memFile) Close() error  { return nil }

// TestOnboardingScreens walks the manual's steps 1–6 from the start page on a fake cabinet: every
// refusal stands under its field and keeps what was typed; the registered register fills
// «Подключить кассу» on this phone and shows its system ID and token for another.
func TestOnboardingScreens(t *testing.T) {
	h := newHarness(t, true, false, i18n.Russian)
	f := &fakeOnboarding{}
	h.u.ports.Onboarding = f
	h.unlock()
	h.tap(h.T("onboarding.start"))
	s, ok := h.u.current.(*onboardingScreen)
	if !ok {
		t.Fatalf("the start page's «Я владелец» opened %T", h.u.current)
	}
	s.every = 0 // the registers are refreshed by tapping here, not by the clock

	// Step 1: the account.
	h.tap(h.T("onboarding.send_code"))
	h.see(h.T("err.owner.address"), h.T("err.onboarding.email"))
	h.typeInto("https://…", 0, "https://hub.example:8443")
	h.typeInto("name@example.kz", 0, "owner shop.kz")
	h.tap(h.T("onboarding.send_code"))
	h.see(h.T("err.onboarding.email"))
	h.notSee(h.T("err.owner.address"))
	h.typeInto("name@example.kz", 0, "owner@shop.kz")
	h.tap(h.T("onboarding.send_code"))
	h.see(h.T("onboarding.code.demo", map[string]any{"Code": "246810"}))
	h.typeInto("000000", 0, "12345")
	h.tap(h.T("onboarding.confirm"))
	h.see(h.T("err.onboarding.code_format"))
	h.typeInto("000000", 0, "135790")
	h.tap(h.T("onboarding.confirm"))
	h.see(h.T("err.onboarding.code_wrong"))
	if es := h.entries("000000"); len(es) != 1 || es[0].Text != "135790" {
		t.Fatal("the wrong code typed was lost")
	}
	h.typeInto("000000", 0, "246810")
	h.tap(h.T("onboarding.confirm"))

	// Step 2: the organization.
	h.see(h.T("onboarding.org.account", map[string]any{"Email": "owner@shop.kz"}), h.T("onboarding.org.intro"))
	h.tap(h.T("onboarding.bind"))
	h.see(h.T("err.onboarding.key_file"))
	if f.bindCalls != 0 {
		t.Fatal("an empty form went to the hub")
	}
	h.typeInto("000000000000", 0, "870412300417") // a check digit wrong
	h.typeInto(h.T("onboarding.org.name.hint"), 0, "ИП Ахметов")
	h.typeInto(h.T("onboarding.org.legal.hint"), 0, "Алматы, Абая 10")
	h.chooseFiles("selfsigned.p12", "selfsigned")
	h.tap(h.T("onboarding.key.choose"))
	h.see("selfsigned.p12")
	h.typeInto(h.T("onboarding.key.password.hint"), 0, "secret")
	h.tap(h.T("onboarding.bind"))
	if f.bindCalls != 0 {
		t.Fatal("an IIN with a wrong check digit went to the hub")
	}
	h.typeInto("000000000000", 0, "870412300416")
	h.tap(h.T("onboarding.bind"))
	h.see(h.T("err.onboarding.cert_untrusted"))
	h.chooseFiles("expired.p12", "expired")
	h.tap(h.T("onboarding.key.choose"))
	h.tap(h.T("onboarding.bind"))
	h.see(h.T("err.onboarding.cert_expired"))
	h.chooseFiles("good.p12", "good")
	h.tap(h.T("onboarding.key.choose"))
	h.typeInto(h.T("onboarding.key.password.hint"), 0, "wrong")
	h.tap(h.T("onboarding.bind"))
	h.see(h.T("err.onboarding.key_password"), "ИП Ахметов", "Алматы, Абая 10", "870412300416", "good.p12")
	h.typeInto(h.T("onboarding.key.password.hint"), 0, "secret")
	h.typeInto("000000000000", 0, "000740001307")
	h.tap(h.T("onboarding.bind"))
	h.see(h.T("err.onboarding.cert_org"))
	h.typeInto("000000000000", 0, "870412300416")
	h.tap(h.T("onboarding.bind"))
	if f.org.IINBIN != "870412300416" || f.org.LegalAddress != "Алматы, Абая 10" || f.bindCalls != 5 {
		t.Fatalf("bound %+v", f.org)
	}

	// Step 4: a trading point.
	h.see(h.T("onboarding.tp.none"))
	h.tap(h.T("onboarding.tp.add"))
	h.typeInto("", 0, "Бакалея")
	h.tap(h.T("onboarding.add"))
	h.see(h.T("err.onboarding.required"), "Бакалея")
	h.choose("", h.T("region.almaty_city"))
	h.typeInto("", 1, "Алматы")
	h.typeInto("", 2, "пр. Абая")
	h.typeInto("", 3, "10")
	h.tap(h.T("onboarding.add"))
	h.see("Бакалея", h.T("region.almaty_city")+", Алматы, пр. Абая 10")
	if len(f.tps) != 1 || f.tps[0].Apartment != "" || f.tps[0].Region != h.T("region.almaty_city") {
		t.Fatalf("trading points %+v", f.tps)
	}

	// Step 5: a register applied for.
	h.tap(h.T("onboarding.tab.registers"))
	h.see(h.T("onboarding.reg.none"))
	h.tap(h.T("onboarding.reg.add"))
	h.typeInto(h.T("onboarding.reg.name.hint"), 0, "Касса 1")
	h.typeInto(h.T("onboarding.reg.serial.hint"), 0, "TAKEN")
	h.typeInto("", 1, "1999")
	h.tap(h.T("onboarding.reg.apply"))
	h.see(h.T("err.onboarding.year"), h.T("err.onboarding.required"))
	h.typeInto("", 1, "2026")
	h.choose("", h.T("onboarding.tariff.base"))
	h.tap(h.T("onboarding.reg.apply"))
	h.see(h.T("err.onboarding.serial_taken"), "Касса 1")
	h.typeInto(h.T("onboarding.reg.serial.hint"), 0, "EKS0000001")
	h.tap(h.T("onboarding.reg.apply"))
	h.see("Касса 1 · EKS0000001", h.T("onboarding.status.sent"))

	// Step 6: followed to «registered».
	h.tap(h.T("onboarding.reg.refresh"))
	h.see(h.T("onboarding.status.awaiting_kgd"))
	h.notSee(h.T("onboarding.reg.connect_here"))
	h.tap(h.T("onboarding.reg.refresh"))
	h.see(h.T("onboarding.status.registered"))
	h.tap(h.T("onboarding.reg.show"))
	h.see("ofd.example:7777", "700001", "123456789")
	h.u.back()
	h.tap(h.T("onboarding.reg.connect_here"))
	c, ok := h.u.current.(*connectScreen)
	if !ok || c.address != "ofd.example:7777" || c.systemID != "700001" || c.token != "123456789" {
		t.Fatalf("«Подключить эту кассу» opened %T %+v", h.u.current, c)
	}
	h.tap(h.T("connect.connect"))
	if !h.reg.registered || h.reg.reg.Settings.SystemID != 700001 || h.reg.reg.Settings.Token != 123456789 {
		t.Fatal("the register was not connected with the cabinet's system ID and token")
	}
}

// TestOnboardingResumesSignedIn: with the owner mode's sign-in kept, the cabinet opens at once;
// once the organization is bound and has a trading point it opens on the registers; a refused
// application shows the cabinet's reason.
func TestOnboardingResumesSignedIn(t *testing.T) {
	h := newHarness(t, true, true, i18n.Kazakh)
	f := &fakeOnboarding{confirmed: true, org: CabinetOrganization{Email: "a@b.kz", IINBIN: "870412300416", Name: "ЖК"},
		tps: []CabinetTradePoint{{ID: 1, Name: "Дүкен"}}}
	h.unlock()
	s := newOnboardingScreen(h.u, f, 0)
	h.u.open(s)
	h.settle()
	if s.tab != cabinetTabRegisters {
		t.Fatalf("opened on tab %d", s.tab)
	}
	h.tap(h.T("onboarding.tab.organization"))
	h.see("ЖК", "870412300416", h.T("onboarding.org.bound"))
	h.tap(h.T("onboarding.tab.registers"))
	h.see(h.T("onboarding.reg.none"))
	// A register is connected on this phone: only «show for another phone» is offered.
	f.regs = []CabinetRegister{{ID: 1, Name: "Касса", Serial: "S1", Status: CabinetRegistered, SystemID: 5, Token: 6},
		{ID: 2, Name: "Касса 2", Serial: "S2", Status: CabinetError, Error: "ZNM is not in the register of models"}}
	s.load()
	h.settle()
	h.see(h.T("onboarding.reg.show"), h.T("onboarding.status.error.reason", map[string]any{"Reason": "ZNM is not in the register of models"}))
	h.notSee(h.T("onboarding.reg.connect_here"))
}

// TestTokenScreenQRCode: the QR code the token screen shows reads back (with gozxing, an
// implementation independent of the encoder) as the OFD's address, the system ID and the token shown beside it.
func TestTokenScreenQRCode(t *testing.T) {
	h := newHarness(t, true, true, i18n.Kazakh)
	h.unlock()
	r := CabinetRegister{Name: "Касса 1", Serial: "EK1", Status: CabinetRegistered, OFDAddress: "127.0.0.1:7793",
		SystemID: 700001, Token: 264776970}
	h.u.open(&tokenScreen{u: h.u, reg: r})
	h.settle()
	h.see("127.0.0.1:7793", "700001", "264776970")
	var qr *canvas.Image
	for _, o := range h.visible() {
		if img, ok := o.(*canvas.Image); ok && img.Image != nil && img.Image.Bounds().Dx() >= 100 {
			qr = img // the QR code; the icons are small
		}
	}
	if qr == nil {
		t.Fatal("no QR code on the screen")
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(qr.Image)
	if err != nil {
		t.Fatal(err)
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("the screen's QR code does not read: %v", err)
	}
	u, err := url.Parse(res.GetText())
	if err != nil || u.Scheme != "ekassa-connect" {
		t.Fatalf("the QR code holds %q", res.GetText())
	}
	if q := u.Query(); q.Get("ofd") != r.OFDAddress || q.Get("id") != "700001" || q.Get("token") != "264776970" {
		t.Fatalf("the QR code holds %q", res.GetText())
	}
}
