package app

import "github.com/ekassa-go/ekassa/kkm"

// GeoSource is the device's position, where the platform gives one. Protocol 2.0.3 wants the
// register's position in every fiscal request (security_stats.geo_position); the runtime records
// it with each document when it is issued, from here first and otherwise from the trading
// point's coordinates in the settings (kkm.Settings.TradingPoint, source "POS").
//
// Position is called while a document is being issued, so it must not wait: it returns the last
// fix the platform delivered (no older than a few minutes), in micro-degrees (kkm.GeoPosition),
// with Source kkm.GeoSourceGPS for a satellite fix and kkm.GeoSourceCell for a network one, or
// false when there is none.
//
// What each platform would supply:
//   - desktop: nothing; a shop with a PC sets the trading point's coordinates once (Options.Geo
//     is nil);
//   - Android: LocationManager's last known location (GPS_PROVIDER → "GPS", NETWORK_PROVIDER or
//     the fused provider without a satellite fix → "CELL"), with ACCESS_FINE_LOCATION or
//     ACCESS_COARSE_LOCATION granted; Fyne has no location API, so the adapter is a JNI call
//     through the app's Android context (fyne.io/fyne/v2/driver RunNative), not written yet;
//   - iOS: CLLocationManager's location with NSLocationWhenInUseUsageDescription in the
//     Info.plist (horizontal accuracy within ~100 m → "GPS", else "CELL"), likewise a native
//     bridge not written yet.
//
// Until those adapters exist every platform runs with Options.Geo nil and the settings'
// coordinates, which is what the protocol's source field then says ("POS"): honest, if coarse.
type GeoSource interface {
	Position() (kkm.GeoPosition, bool)
}

// position is the position a document issued now records: the device's when it gives a valid
// one, else the trading point's, else kkm.ErrGeoMissing (the settings say how to fix it).
// Called with mu held.
func (rt *Runtime) position() (kkm.GeoPosition, error) {
	if rt.geo != nil {
		if p, ok := rt.geo.Position(); ok {
			err := p.Validate()
			if err == nil {
				return p, nil
			}
			rt.logf("the device's position %+v is not used: %v", p, err)
		}
	}
	if p, ok := rt.reg.Settings.TradingPointPosition(); ok {
		return p, nil
	}
	return kkm.GeoPosition{}, kkm.ErrGeoMissing
}

// setPoint publishes the settings' trading point for the sender (currentPoint). Called whenever
// the settings the runtime holds change.
func (rt *Runtime) setPoint(s kkm.Settings) {
	if p, ok := s.TradingPointPosition(); ok {
		rt.point.Store(&p)
		return
	}
	rt.point.Store(nil)
}

// currentPoint is the sender's view of the trading point (ofdclient.Identity.CurrentPoint): read
// without the runtime's lock, which the sender must never wait for.
func (rt *Runtime) currentPoint() (kkm.GeoPosition, bool) {
	if p := rt.point.Load(); p != nil {
		return *p, true
	}
	return kkm.GeoPosition{}, false
}
