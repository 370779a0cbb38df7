package kkm

import "strconv"

// GeoPosition is where a register was when it issued a document, as protocol 2.0.3 asks for it
// in every fiscal request (service.security_stats.geo_position, fact sheet §3.5 and §6.5).
//
// # Units
//
// Latitude and Longitude are micro-degrees: degrees × 1 000 000, signed, WGS 84 (what phones
// report). The protocol text gives no unit; its fields are int32 (uint32 in the 2.0.4 files).
// Micro-degrees are what the fake OFD of the fact sheet's sources uses for Almaty
// (LATITUDE = 43_238_949, LONGITUDE = 76_889_709, [FAKEBFD]), they fit int32 with room
// (±180 000 000 < 2³¹), and six decimals are ~0.1 m, finer than any phone's fix. This is an
// inference, not a statement of the protocol; the one place that assumes it is this type.
//
// Source says where the position came from (the protocol's free-text source, required since
// 2.0.3, example value "CELL"): see the GeoSource… constants.
type GeoPosition struct {
	Latitude  int32  `json:"lat"` // micro-degrees north
	Longitude int32  `json:"lon"` // micro-degrees east
	Source    string `json:"src"` // GeoSourceGPS, GeoSourceCell or GeoSourceTradingPoint
}

// The sources a position may have.
const (
	// GeoSourceGPS is a satellite fix from the device (Android LocationManager.GPS_PROVIDER,
	// iOS Core Location with GPS accuracy).
	GeoSourceGPS = "GPS"
	// GeoSourceCell is the device's network position (cell towers and Wi-Fi: Android's
	// NETWORK_PROVIDER or fused provider, iOS Core Location without a satellite fix); the value
	// is the one the fact sheet's sources show ([CODEC]).
	GeoSourceCell = "CELL"
	// GeoSourceTradingPoint is the trading point's coordinates the owner set once in the settings,
	// used when the device gives no position (a desktop, location switched off or refused).
	GeoSourceTradingPoint = "POS"
)

// Kazakhstan's bounding box in micro-degrees, with a margin: a register works in Kazakhstan, so a
// position outside it is a typo (swapped latitude and longitude, a missing digit) or a device
// that reports nonsense, and the OFD would pass it on to the tax authority as it is.
const (
	kzMinLatitude  = 40_000_000
	kzMaxLatitude  = 56_000_000
	kzMinLongitude = 46_000_000
	kzMaxLongitude = 88_000_000
)

// Validate checks a position: latitude within ±90°, longitude within ±180° (ErrGeoRange), inside
// Kazakhstan (ErrGeoOutsideKazakhstan), and a known source (ErrGeoSource).
func (p GeoPosition) Validate() error {
	if p.Latitude < -90_000_000 || p.Latitude > 90_000_000 || p.Longitude < -180_000_000 || p.Longitude > 180_000_000 {
		return newError(ErrGeoRange)
	}
	if p.Latitude < kzMinLatitude || p.Latitude > kzMaxLatitude || p.Longitude < kzMinLongitude || p.Longitude > kzMaxLongitude {
		return newError(ErrGeoOutsideKazakhstan, "Latitude", FormatCoordinate(p.Latitude), "Longitude", FormatCoordinate(p.Longitude))
	}
	switch p.Source {
	case GeoSourceGPS, GeoSourceCell, GeoSourceTradingPoint:
	default:
		return newError(ErrGeoSource)
	}
	return nil
}

// ParseCoordinate reads a coordinate as an owner types it, in decimal degrees with up to six
// decimals, "." or "," as the separator ("43.238949", "76,889709"), and returns micro-degrees.
// No float is involved: the digits are the micro-degrees. Kazakhstan has only north latitudes
// and east longitudes, so a sign is refused like any other syntax error (ErrGeoSyntax).
func ParseCoordinate(s string) (int32, error) {
	v, fault := parseDecimal(s, 6, 180_000_000)
	switch fault {
	case decimalOK:
		return int32(v), nil
	case decimalEmpty:
		return 0, newError(ErrGeoEmpty)
	case decimalOverflow:
		return 0, newError(ErrGeoRange)
	}
	return 0, newError(ErrGeoSyntax, "Input", s)
}

// FormatCoordinate writes micro-degrees as decimal degrees with six decimals: "43.238949".
func FormatCoordinate(v int32) string {
	sign := ""
	u := int64(v)
	if u < 0 {
		sign, u = "-", -u
	}
	frac := strconv.FormatInt(u%1_000_000, 10)
	for len(frac) < 6 {
		frac = "0" + frac
	}
	return sign + strconv.FormatInt(u/1_000_000, 10) + "." + frac
}

// TradingPointPosition returns the trading point's coordinates from the settings as a position
// with GeoSourceTradingPoint, and false when none are set.
func (s Settings) TradingPointPosition() (GeoPosition, bool) {
	if s.TradingPoint == nil {
		return GeoPosition{}, false
	}
	p := *s.TradingPoint
	p.Source = GeoSourceTradingPoint
	return p, true
}

// geoMessageIDs lists the message IDs of this file's refusals and of size.go's.
func geoMessageIDs() []string {
	return []string{string(ErrGeoEmpty), string(ErrGeoSyntax), string(ErrGeoRange),
		string(ErrGeoOutsideKazakhstan), string(ErrGeoSource), string(ErrGeoMissing),
		string(ErrReceiptTooManyLines), string(ErrLineSection)}
}

// The refusals of positions.
const (
	ErrGeoEmpty             Code = "err.geo.empty"              // a coordinate left empty
	ErrGeoSyntax            Code = "err.geo.syntax"             // not decimal degrees; {{.Input}}
	ErrGeoRange             Code = "err.geo.range"              // beyond ±90° / ±180°
	ErrGeoOutsideKazakhstan Code = "err.geo.outside_kazakhstan" // {{.Latitude}} {{.Longitude}}
	ErrGeoSource            Code = "err.geo.source"             // an unknown source
	// ErrGeoMissing refuses a fiscal document when neither the device nor the settings give a
	// position: protocol 2.0.3 wants one in every fiscal request, and the OFD would refuse it.
	ErrGeoMissing Code = "err.geo.missing"
)
