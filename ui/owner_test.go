package ui

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// fakeOwner is the owner mode over a fake hub: it knows one credential and records what the
// screens asked for.
type fakeOwner struct {
	kept   *OwnerLogin
	logins []OwnerLogin
	hub    *fakeOwnerHub
}

func (f *fakeOwner) Resume(context.Context) (OwnerHub, error) {
	if f.kept == nil {
		return nil, nil
	}
	return f.hub, nil
}

func (f *fakeOwner) SignIn(_ context.Context, l OwnerLogin) (OwnerHub, error) {
	f.logins = append(f.logins, l)
	if l.Credential != "owner-secret" {
		return nil, ErrOwnerRefused
	}
	f.kept = &l
	return f.hub, nil
}

func (f *fakeOwner) SignOut(context.Context) error { f.kept = nil; return nil }

type fakeOwnerHub struct {
	now      time.Time
	queries  []OwnerDocumentQuery
	groups   []OwnerGrouping
	exported [][2]time.Time
	noShop   bool // register 2 added without a shop
}

func (f *fakeOwnerHub) Registers(context.Context) ([]OwnerRegister, error) {
	regs := []OwnerRegister{
		{ID: 1, Serial: "R1", Name: "Касса 1", Shop: "Абай 10", Pushed: 120, PushedAt: f.now, HasState: true,
			StateAt: f.now, ShiftOpen: true, ShiftNumber: 7, ShiftEndsAt: f.now.Add(5*time.Hour + 30*time.Minute),
			Waiting: 3, OfflineSince: f.now.Add(-2 * time.Hour)},
		{ID: 2, Serial: "R2", Name: "Касса 2", Shop: "Достық 5", Pushed: 40, PushedAt: f.now, HasState: true,
			StateAt: f.now, Block: BlockShiftExpired},
	}
	if f.noShop {
		regs[1].Shop = ""
	}
	return regs, nil
}

func (f *fakeOwnerHub) Documents(_ context.Context, q OwnerDocumentQuery) ([]OwnerDocument, error) {
	f.queries = append(f.queries, q)
	docs := []OwnerDocument{
		{RegisterID: 1, Seq: 119, Kind: "receipt", ShiftNumber: 7, Number: 31, IssuedAt: f.now.Add(-time.Hour), Total: 125_050},
		{RegisterID: 2, Seq: 40, Kind: "z_report", ShiftNumber: 3, Number: 0, IssuedAt: f.now.Add(-30 * time.Minute)},
	}
	if q.RegisterID != 0 {
		docs = slices.DeleteFunc(docs, func(d OwnerDocument) bool { return d.RegisterID != q.RegisterID })
	}
	return docs, nil
}

func (f *fakeOwnerHub) Analytics(_ context.Context, from, to time.Time, by OwnerGrouping) ([]OwnerFigures, error) {
	f.groups = append(f.groups, by)
	switch by {
	case OwnerByCashier:
		return []OwnerFigures{{Key: "1", Label: "Әлия Қасымова", Receipts: 4, Revenue: 700_000, PrevReceipts: 2, PrevRevenue: 350_000}}, nil
	case OwnerByHour:
		return []OwnerFigures{{Key: "09", Receipts: 4, Revenue: 700_000}}, nil
	}
	figs := []OwnerFigures{
		{Key: "Абай 10", Label: "Абай 10", Receipts: 10, Revenue: 1_400_000, PrevReceipts: 8, PrevRevenue: 1_000_000},
		{Key: "Достық 5", Label: "Достық 5", Receipts: 2, Revenue: 200_000, PrevReceipts: 0, PrevRevenue: 0},
	}
	if f.noShop {
		figs[1].Key, figs[1].Label = "", ""
	}
	return figs, nil
}

func (f *fakeOwnerHub) ExportCSV(_ context.Context, w io.Writer, from, to time.Time) error {
	f.exported = append(f.exported, [2]time.Time{from, to})
	_, err := io.WriteString(w, "\uFEFFshop;register\r\nАбай 10;R1\r\n")
	return err
}

// The owner signs in from the settings, sees both registers' live state, the documents of all
// registers and of one, the figures grouped by shop then by cashier, exports the CSV, and signs out;
// every screen fits a 360-point phone and the credential is never on screen.
func TestOwnerMode(t *testing.T) {
	for _, lang := range i18n.Langs() {
		t.Run(string(lang), func(t *testing.T) {
			h := newHarness(t, true, true, lang)
			now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
			fo := &fakeOwner{hub: &fakeOwnerHub{now: now}}
			h.u.ports.Owner = fo
			h.unlock()
			h.openSettings()
			h.button(h.T("owner.title")) // the administrator sees «Режим владельца»
			s := newOwnerScreen(h.u, fo, func() time.Time { return now })
			h.u.open(s)
			h.settle()
			h.see(h.T("owner.intro"), h.T("owner.cert.none"))
			h.fits("owner sign-in")

			// A wrong address, then a wrong key: each says so, nothing is kept.
			h.typeInto("https://…", 0, "hub.example:8443")
			h.tap(h.T("owner.sign_in"))
			h.settle()
			h.see(h.u.loc.Error(ErrOwnerAddress))
			// W14: the address's error goes as the address is corrected, before «Кіру».
			h.typeInto("https://…", 0, "http://hub.example:8443")
			h.see(h.u.loc.Error(ErrOwnerAddress))
			h.typeInto("https://…", 0, "https://hub.example:8443")
			h.notSee(h.u.loc.Error(ErrOwnerAddress))
			h.noErrors()
			h.typeInto(h.T("owner.credential.hint"), 0, "wrong")
			h.tap(h.T("owner.sign_in"))
			h.settle()
			h.see(h.u.loc.Error(ErrOwnerRefused))
			if fo.kept != nil {
				t.Fatal("a refused login was kept")
			}
			// A file that is no certificate is refused; a PEM one is taken.
			s.setCert("notes.txt", io.NopCloser(strings.NewReader("hello")))
			h.see(h.u.loc.Error(ErrOwnerCert))
			s.setCert("hub.crt", io.NopCloser(strings.NewReader("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")))
			h.see("hub.crt")
			h.typeInto(h.T("owner.credential.hint"), 0, "owner-secret")
			h.tap(h.T("owner.sign_in"))
			h.settle()
			if fo.kept == nil || fo.kept.Address != "https://hub.example:8443" || !strings.Contains(string(fo.kept.CertPEM), "BEGIN CERTIFICATE") {
				t.Fatalf("kept %+v", fo.kept)
			}
			if strings.Contains(h.text(), "owner-secret") {
				t.Error("the credential is on screen")
			}

			// The registers' live state, shop by shop.
			h.see("Абай 10", "Касса 1 · R1", "Достық 5", "Касса 2 · R2",
				h.T("owner.state.shift_open", map[string]any{"Number": 7, "Hours": 5, "Minutes": 30}),
				h.T("owner.state.waiting", map[string]any{"Count": 3}),
				// Kazakhstan's time (UTC+5), as the receipts print it: 10:00 UTC is 15:00 (W13).
				h.T("owner.state.offline", map[string]any{"Since": dateTime(h.u.loc, time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC))}),
				h.T("owner.state.block", map[string]any{"Why": h.T("owner.block.shift_expired")}),
				h.T("owner.state.shift_closed"))
			h.fits("owner registers")
			if lang == i18n.Russian {
				h.shot("owner-registers")
			}

			// The documents across registers, then of one register.
			h.tap(h.T("owner.tab.documents"))
			h.settle()
			h.see(h.T("owner.kind.receipt")+" № 31", h.money(125_050), h.T("owner.kind.z_report"),
				h.T("owner.documents.count", map[string]any{"Count": 2}))
			h.fits("owner documents")
			h.choose(h.T("owner.documents.all"), "Касса 2 · Достық 5")
			h.settle()
			if q := fo.hub.queries[len(fo.hub.queries)-1]; q.RegisterID != 2 || !q.From.Equal(time.Date(2026, 12, 3, 0, 0, 0, 0, kazakhstanTime)) {
				t.Errorf("documents asked as %+v", q)
			}
			h.see(h.T("owner.documents.count", map[string]any{"Count": 1}))
			h.choose(h.T("analytics.range.today"), h.T("analytics.range.month"))
			if q := fo.hub.queries[len(fo.hub.queries)-1]; !q.From.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, kazakhstanTime)) ||
				!q.To.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, kazakhstanTime)) {
				t.Errorf("the month asked as %+v", q)
			}

			// The figures by shop beside the previous period, then by cashier.
			h.tap(h.T("owner.tab.figures"))
			h.settle()
			h.see(h.T("owner.by.shop"), "Абай 10", h.money(1_400_000)+" (+40 %)", h.money(1_600_000)+" (+60 %)")
			h.fits("owner figures")
			if lang == i18n.Kazakh {
				h.shot("owner-figures")
			}
			h.choose(h.T("owner.by.shop"), h.T("owner.by.cashier"))
			h.see("Әлия Қасымова", h.money(700_000)+" (+100 %)")
			h.fits("owner figures by cashier")
			if !slices.Equal(fo.hub.groups, []OwnerGrouping{OwnerByShop, OwnerByCashier}) {
				t.Errorf("groupings asked: %v", fo.hub.groups)
			}

			// The export writes the hub's CSV of the period and closes the file.
			var out nopCloser
			s.export(&out)
			h.settle()
			if !out.closed || !strings.Contains(out.String(), "Абай 10;R1") || len(fo.hub.exported) != 1 ||
				!fo.hub.exported[0][0].Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, kazakhstanTime)) {
				t.Errorf("export: closed %v, %q, asked %v", out.closed, out.String(), fo.hub.exported)
			}
			h.see(h.T("analytics.exported"))

			// Opened again, the kept sign-in is resumed; signing out forgets it.
			h.u.open(newOwnerScreen(h.u, fo, func() time.Time { return now }))
			h.settle()
			h.see("Касса 1 · R1")
			h.tap(h.T("owner.sign_out"))
			h.tap(h.T("owner.sign_out")) // the confirmation
			h.settle()
			if fo.kept != nil {
				t.Error("signing out kept the login")
			}
			h.see(h.T("owner.intro"))
		})
	}
}

// A plain cashier's settings do not offer the owner mode.
func TestOwnerModeOnlyForTheAdministrator(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.u.ports.Owner = &fakeOwner{hub: &fakeOwnerHub{}}
	if _, err := h.reg.AddCashier(t.Context(), kkm.Operator{Code: 1}, CashierForm{Name: "Ержан", Role: kkm.RoleCashier, Code: "5678"}); err != nil {
		t.Fatal(err)
	}
	h.typeInto(h.T("lock.code.hint"), 0, "5678")
	h.tap("Войти")
	h.settle()
	if h.u.cashier.Role != kkm.RoleCashier {
		t.Fatalf("signed in as %+v", h.u.cashier)
	}
	h.openSettings()
	h.notSee(h.T("owner.title"))
}

// W13: a register added without a shop leaves no dangling «·» and is «(без торговой точки)» in
// the registers, the documents and the figures by shop; the documents show Kazakhstan's time
// (UTC+5), as the receipts, the hub's hour figures and its CSV do, on a phone set to UTC.
func TestOwnerNoShopAndKazakhstanTime(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.Kazakh, i18n.Russian, i18n.English} {
		t.Run(string(lang), func(t *testing.T) {
			h := newHarness(t, true, true, lang)
			now := time.Date(2026, 12, 3, 17, 55, 0, 0, time.UTC) // 22:55 in Kazakhstan
			fo := &fakeOwner{hub: &fakeOwnerHub{now: now, noShop: true}, kept: &OwnerLogin{Address: "https://hub"}}
			h.unlock()
			h.u.open(newOwnerScreen(h.u, fo, func() time.Time { return now }))
			h.settle()
			noShop := h.T("hubfix.no_shop")
			h.see(noShop, "Касса 2 · R2")
			h.tap(h.T("owner.tab.documents"))
			h.settle()
			// The Z report at 17:25 UTC is 22:25 on its receipt.
			h.see(dateTime(h.u.loc, time.Date(2026, 12, 3, 22, 25, 0, 0, time.UTC))+" · Касса 2 · "+noShop,
				dateTime(h.u.loc, time.Date(2026, 12, 3, 21, 55, 0, 0, time.UTC))+" · Касса 1 · Абай 10")
			h.notSee(dateTime(h.u.loc, time.Date(2026, 12, 3, 17, 25, 0, 0, time.UTC)))
			for _, line := range strings.Split(h.text(), "\n") {
				if l := strings.TrimSpace(line); strings.HasSuffix(l, "·") || strings.Contains(l, "·  ·") || strings.Contains(l, "· ·") {
					t.Errorf("a dangling «·»: %q", l)
				}
			}
			h.choose(h.T("owner.documents.all"), "Касса 2 · "+noShop)
			h.settle()
			h.tap(h.T("owner.tab.figures"))
			h.settle()
			h.see("Абай 10", noShop)
		})
	}
}
