package ofdclient

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// Protocol is one version of the KGD protocol as request building sees it: the number its
// frames carry in the header, and how the register's documents map onto its requests. The sender
// knows nothing of versions: it asks the register's Identity for a request (Identity.Request,
// Identity.SystemRequest) and the header's version (Identity.ProtocolVersion), and the Identity
// hands both to the Protocol chosen for the register (Identity.Version, from
// kkm.Settings.ProtocolVersion).
//
// A later version is one new implementation registered in ProtocolFor. 2.0.4, say, makes the
// receipt's industry domain and each commodity's type mandatory ([P204] in the fact sheet): its
// mapping builds the 2.0.3 request with protocol203's parts and sets those fields (added to the
// .proto files), and the sender, the journal and the screens do not change.
type Protocol interface {
	// Version is the protocol version as the frame header carries it (203 for 2.0.3).
	Version() uint16
	// Request builds the request that sends a fiscal document (or an X report) to the OFD, with
	// the service block: reg_info, the position, and offline_period when off is set.
	Request(id Identity, doc *kkm.Document, off *OfflinePeriod) (*pb.Request, error)
	// SystemRequest builds COMMAND_SYSTEM, the probe of a server block or of the link after an
	// offline spell.
	SystemRequest(id Identity, off *OfflinePeriod) (*pb.Request, error)
}

// ProtocolFor returns the request mapping of a protocol version; 0 is the default, 2.0.3.
func ProtocolFor(version uint16) (Protocol, error) {
	switch version {
	case 0, Version203:
		return protocol203{}, nil
	}
	return nil, fmt.Errorf("%w: protocol version %d is not supported (this register speaks %d)", ErrDocument, version, Version203)
}

// protocol203 is KGD protocol 2.0.3 ([P203]): the requests of request.go, with the position in
// every fiscal request's service block.
type protocol203 struct{}

// Version returns 203.
func (protocol203) Version() uint16 { return Version203 }

// Request builds TICKET for a receipt, MONEY_PLACEMENT for a cash in or out, CLOSE_SHIFT for a Z
// report, REPORT (X) for an X report. Every one carries the service block with reg_info, the
// document's position (security_stats.geo_position), and offline_period when off is set.
func (protocol203) Request(id Identity, doc *kkm.Document, off *OfflinePeriod) (*pb.Request, error) {
	svc, err := id.Service(off)
	if err != nil {
		return nil, err
	}
	geo, err := id.geoPosition(doc)
	if err != nil {
		return nil, err
	}
	svc.SecurityStats = &pb.ServiceRequest_SecurityStats{GeoPosition: geo}
	req := &pb.Request{Service: svc}
	switch doc.Kind {
	case kkm.KindReceipt:
		req.Command = pb.CommandTypeEnum_COMMAND_TICKET.Enum()
		req.Ticket, err = id.Ticket(doc)
	case kkm.KindCashIn, kkm.KindCashOut:
		req.Command = pb.CommandTypeEnum_COMMAND_MONEY_PLACEMENT.Enum()
		req.MoneyPlacement, err = id.MoneyPlacement(doc)
	case kkm.KindZReport:
		req.Command = pb.CommandTypeEnum_COMMAND_CLOSE_SHIFT.Enum()
		req.CloseShift, err = id.CloseShift(doc)
	case kkm.KindXReport:
		req.Command = pb.CommandTypeEnum_COMMAND_REPORT.Enum()
		req.Report, err = id.XReport(doc)
	default:
		err = fmt.Errorf("%w: unknown document kind %q", ErrDocument, doc.Kind)
	}
	if err != nil {
		return nil, err
	}
	return req, nil
}

// SystemRequest builds COMMAND_SYSTEM with reg_info (spec §5.4) and offline_period when off is
// set (vectors/system_req). It carries no position: the protocol asks for one only in the fiscal
// requests, and a probe is not about any document.
func (protocol203) SystemRequest(id Identity, off *OfflinePeriod) (*pb.Request, error) {
	svc, err := id.Service(off)
	if err != nil {
		return nil, err
	}
	return &pb.Request{Command: pb.CommandTypeEnum_COMMAND_SYSTEM.Enum(), Service: svc}, nil
}

// geoPosition is the position a document's request carries: the one recorded with the document
// when it was issued, else the trading point's (documents journaled before the register recorded
// positions), as CurrentPoint gives it now or else Point. Without either the request cannot be built: the OFD would refuse it.
func (id Identity) geoPosition(doc *kkm.Document) (*pb.ServiceRequest_SecurityStats_GeoPosition, error) {
	var p kkm.GeoPosition
	point, ok := id.Point, id.Point != nil
	if id.CurrentPoint != nil { // the settings as they are now, not as the sender started with
		var cur kkm.GeoPosition
		cur, ok = id.CurrentPoint()
		point = &cur
	}
	switch {
	case doc != nil && doc.Geo != nil:
		p = *doc.Geo
	case ok:
		p = *point
		p.Source = kkm.GeoSourceTradingPoint
	default:
		return nil, fmt.Errorf("%w: %w: no position for the request (security_stats.geo_position)", ErrDocument, kkm.ErrGeoMissing)
	}
	return &pb.ServiceRequest_SecurityStats_GeoPosition{
		Latitude:  proto.Int32(p.Latitude),
		Longitude: proto.Int32(p.Longitude),
		Source:    proto.String(p.Source),
	}, nil
}
