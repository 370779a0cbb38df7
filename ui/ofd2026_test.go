package ui

import (
	"testing"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// The owner sets the trading point's coordinates once: typed in decimal degrees, refused with a
// translated message when they are not coordinates or lie outside Kazakhstan (swapped), saved and
// shown again when they are right.
func TestTradingPointCoordinates(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.openSettings()
	h.see("Местоположение торговой точки", "Широта", "Долгота")
	// The register's OFD and its check site (the fake register is on Kazakhtelecom's test server).
	h.see("ОФД: АО «Казахтелеком»", "Чеки проверяют на сайте dev.consumer.oofd.kz")

	h.typeInto("43.238949", 0, "76.889709")
	h.typeInto("76.889709", 0, "43.238949")
	h.tap("Сохранить")
	h.see("за пределами Казахстана")
	if p := h.reg.Settings().TradingPoint; p != nil {
		t.Fatalf("swapped coordinates saved: %+v", p)
	}

	h.typeInto("43.238949", 0, "43°14'")
	h.typeInto("76.889709", 0, "76.889709")
	h.tap("Сохранить")
	h.see("не координата")

	h.typeInto("43.238949", 0, "43,238949")
	h.tap("Сохранить")
	h.see("Настройки сохранены")
	p := h.reg.Settings().TradingPoint
	if p == nil || p.Latitude != 43_238_949 || p.Longitude != 76_889_709 {
		t.Fatalf("saved %+v", p)
	}
	if tp, _ := h.reg.Settings().TradingPointPosition(); tp.Source != kkm.GeoSourceTradingPoint {
		t.Errorf("source %q", tp.Source)
	}
	h.u.home()
	s := h.openSettings()
	if s.lat != "43.238949" || s.lon != "76.889709" {
		t.Errorf("shown again as %q, %q", s.lat, s.lon)
	}

	// Emptied, both: no coordinates.
	h.typeInto("43.238949", 0, "")
	h.typeInto("76.889709", 0, "")
	h.tap("Сохранить")
	h.see("Настройки сохранены")
	if p := h.reg.Settings().TradingPoint; p != nil {
		t.Errorf("emptied coordinates kept: %+v", p)
	}
}

// The connect screen lists every OFD with its address or, for one that does not publish it, an
// address to type from its cabinet, and where its receipts are checked; an empty address is
// refused before anything is sent.
func TestConnectPicksAnyOFD(t *testing.T) {
	h := newHarness(t, true, false, i18n.Russian)
	h.unlock()
	h.tap("Подключить кассу")
	h.see("АО «Казахтелеком»", KazakhtelecomAddress, "Чеки проверяют на сайте consumer.oofd.kz")
	h.choose("АО «Казахтелеком»", "АО «Транстелеком»")
	h.see("Чеки проверяют на сайте ofd1.kz/t")
	h.typeInto(h.T("connect.system_id.hint"), 0, "5021")
	h.typeInto(h.T("connect.token.hint"), 0, "77")
	h.tap("Подключить")
	h.see("Адрес ОФД — в виде хост:порт.")
	if c, ok := h.u.current.(*connectScreen); !ok || c.info != nil {
		t.Fatal("connected without an address")
	}
	h.typeInto(h.T("connect.address.cabinet"), 0, "ofd.test:7777")
	h.tap("Подключить")
	h.see("Касса подключена")
	if s := h.reg.Settings(); s.OFDAddress != "ofd.test:7777" || s.SystemID != 5021 {
		t.Errorf("connected with %+v", s)
	}
	for _, name := range []string{"Beeline (ТОО «КаР-Тел»)", "KOFD"} {
		found := false
		for _, o := range KnownOFDs() {
			found = found || h.T(o.NameID) == name
		}
		if !found {
			t.Errorf("the picker lacks %s", name)
		}
	}
}
