package ofdsim

import "github.com/ekassa-go/ekassa/ofdclient/pb"

// codeBlocked is the answer to a COMMAND_TICKET that lacks a mandatory parameter: the protocol
// text says so for code 15 («Касса в команде COMMAND_TICKET не передала какой-либо из
// обязательных параметров», [SPEC202] §2.4).
const codeBlocked = 15

// The trading point's coordinates a registration gets when its config gives none: Astana, in
// micro-degrees as the register sends them (see kkm.GeoPosition on the unit).
const (
	defaultLatitude  = 51_128_207
	defaultLongitude = 71_430_411
)

// checkGeo refuses a fiscal request (TICKET, CLOSE_SHIFT, REPORT, MONEY_PLACEMENT) that carries
// no service.security_stats.geo_position with its source: 2.0.3 expects it in every one (fact
// sheet §3.5, §6.5; [P204] makes it required for exactly these commands). A receipt without it is
// refused with 15, as the protocol says of a receipt missing a mandatory parameter; the other
// commands, for which the text says nothing, with 3 (a required field missing), so the register
// stops until it is fixed. The coordinates must lie on the globe in micro-degrees.
func (s *Server) checkGeo(req *pb.Request) *refusal {
	if s.opts.AllowMissingGeo {
		return nil
	}
	code := uint32(codeProtocolError)
	if req.GetCommand() == pb.CommandTypeEnum_COMMAND_TICKET {
		code = codeBlocked
	}
	g := req.GetService().GetSecurityStats().GetGeoPosition()
	switch {
	case g == nil:
		return refuse(code, "%v without service.security_stats.geo_position (required since 2.0.3)", req.GetCommand())
	case g.GetSource() == "":
		return refuse(code, "%v: geo_position without its source (required since 2.0.3)", req.GetCommand())
	case g.GetLatitude() < -90_000_000 || g.GetLatitude() > 90_000_000 ||
		g.GetLongitude() < -180_000_000 || g.GetLongitude() > 180_000_000:
		return refuse(codeIncorrectData, "%v: geo_position %d, %d is not a point in micro-degrees",
			req.GetCommand(), g.GetLatitude(), g.GetLongitude())
	}
	return nil
}
