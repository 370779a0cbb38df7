package kkm

import (
	"errors"
	"testing"
)

func TestParseCoordinate(t *testing.T) {
	cases := []struct {
		in   string
		want int32
		err  Code
	}{
		{"43.238949", 43_238_949, ""},
		{"76,889709", 76_889_709, ""},
		{" 51.1 ", 51_100_000, ""},
		{"180", 180_000_000, ""},
		{"0.000001", 1, ""},
		{"", 0, ErrGeoEmpty},
		{"43.2389491", 0, ErrGeoSyntax}, // seven decimals: below what the wire carries
		{"-43.2", 0, ErrGeoSyntax},      // Kazakhstan is north and east
		{"43°14'", 0, ErrGeoSyntax},
		{"180.000001", 0, ErrGeoRange},
		{"1e3", 0, ErrGeoSyntax},
	}
	for _, c := range cases {
		got, err := ParseCoordinate(c.in)
		if c.err != "" {
			if !errors.Is(err, c.err) {
				t.Errorf("ParseCoordinate(%q) = %d, %v; want %s", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseCoordinate(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
		if back, _ := ParseCoordinate(FormatCoordinate(got)); back != got {
			t.Errorf("FormatCoordinate(%d) = %q does not read back", got, FormatCoordinate(got))
		}
	}
	if FormatCoordinate(43_000_001) != "43.000001" || FormatCoordinate(-5) != "-0.000005" {
		t.Errorf("FormatCoordinate: %s %s", FormatCoordinate(43_000_001), FormatCoordinate(-5))
	}
}

func TestGeoPositionValidate(t *testing.T) {
	almaty := GeoPosition{Latitude: 43_238_949, Longitude: 76_889_709, Source: GeoSourceGPS}
	cases := []struct {
		name string
		p    GeoPosition
		err  Code
	}{
		{"Almaty by GPS", almaty, ""},
		{"Astana, trading point", GeoPosition{51_169_392, 71_449_074, GeoSourceTradingPoint}, ""},
		{"Aktau by cell", GeoPosition{43_650_000, 51_160_000, GeoSourceCell}, ""},
		{"swapped", GeoPosition{76_889_709, 43_238_949, GeoSourceGPS}, ErrGeoOutsideKazakhstan},
		{"a digit short", GeoPosition{4_323_894, 76_889_709, GeoSourceGPS}, ErrGeoOutsideKazakhstan},
		{"Moscow", GeoPosition{55_755_826, 37_617_300, GeoSourceGPS}, ErrGeoOutsideKazakhstan},
		{"beyond the pole", GeoPosition{90_000_001, 0, GeoSourceGPS}, ErrGeoRange},
		{"beyond the date line", GeoPosition{0, -180_000_001, GeoSourceGPS}, ErrGeoRange},
		{"no source", GeoPosition{43_238_949, 76_889_709, ""}, ErrGeoSource},
	}
	for _, c := range cases {
		err := c.p.Validate()
		if (c.err == "") != (err == nil) || (c.err != "" && !errors.Is(err, c.err)) {
			t.Errorf("%s: %v, want %q", c.name, err, c.err)
		}
	}
}

// The trading point's coordinates are checked with the settings, and come back with their source.
func TestSettingsTradingPoint(t *testing.T) {
	s := DefaultSettings()
	if _, ok := s.TradingPointPosition(); ok {
		t.Error("a new register has coordinates")
	}
	s.TradingPoint = &GeoPosition{Latitude: 76_889_709, Longitude: 43_238_949}
	if err := s.Validate(); !errors.Is(err, ErrGeoOutsideKazakhstan) {
		t.Errorf("swapped coordinates saved: %v", err)
	}
	s.TradingPoint = &GeoPosition{Latitude: 43_238_949, Longitude: 76_889_709, Source: "whatever"}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	p, ok := s.TradingPointPosition()
	if !ok || p.Source != GeoSourceTradingPoint || p.Latitude != 43_238_949 {
		t.Errorf("TradingPointPosition = %+v, %v", p, ok)
	}
}
