package ofdsim

import (
	"fmt"
	"strconv"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// Result codes the emulator answers (fact sheet §3.1, ResultTypeEnum).
const (
	codeOK             = 0
	codeIncorrectData  = 13
	codeNotEnoughCash  = 14
	codeShiftExpired   = 11
	codeSameTaxpayer   = 17
	codeProtocolError  = 3
	codeUnsupportedCmd = 5
)

// result is an answer with only a result.
func result(cmd pb.CommandTypeEnum, code uint32, text string) *pb.Response {
	r := &pb.Response{Command: cmd.Enum(), Result: &pb.Result{ResultCode: proto.Uint32(code)}}
	if text != "" {
		r.Result.ResultText = proto.String(text)
	}
	return r
}

// refusal is a reason to refuse a document: a result code and a text saying what is wrong.
type refusal struct {
	code uint32
	text string
}

func refuse(code uint32, format string, args ...any) *refusal {
	return &refusal{code: code, text: fmt.Sprintf(format, args...)}
}

func (r *refusal) response(cmd pb.CommandTypeEnum) *pb.Response { return result(cmd, r.code, r.text) }

// infoAd is the TICKET_AD_INFO text of a server block.
func infoAd(text string) *pb.TicketAd {
	return &pb.TicketAd{
		Info: &pb.TicketAdInfo{Type: pb.TicketAdTypeEnum_TICKET_AD_INFO.Enum(), Version: proto.Uint64(1)},
		Text: proto.String(text),
	}
}

// regInfo is the registration info of a register as the OFD holds it.
func regInfo(l *ledger) *pb.ServiceResponse_RegInfo {
	c := l.cfg
	return &pb.ServiceResponse_RegInfo{
		Kkm: &pb.KkmRegInfo{
			FnsKkmId:     proto.String(c.RNM),
			SerialNumber: proto.String(c.ZNM),
			KkmId:        proto.String(strconv.FormatUint(uint64(c.ID), 10)),
		},
		Pos: &pb.PosRegInfo{
			Title:     proto.String(c.TradingPoint.Title),
			Address:   proto.String(c.TradingPoint.Address),
			AddressKz: proto.String(c.TradingPoint.AddressKZ),
			Latitude:  proto.Uint32(c.TradingPoint.Latitude),
			Longitude: proto.Uint32(c.TradingPoint.Longitude),
		},
		Org: &pb.OrgRegInfo{
			Title:     proto.String(c.Organisation.Title),
			Address:   proto.String(c.Organisation.Address),
			Inn:       proto.String(c.Organisation.IINBIN),
			Okved:     proto.String(c.Organisation.OKED),
			AddressKz: proto.String(c.Organisation.AddressKZ),
		},
	}
}

// info answers COMMAND_INFO: the OFD's view of the shift (the open shift's X, else the last Z),
// the registration info, the last document, and the block text when blocked.
func (s *Server) info(l *ledger, now time.Time) *pb.Response {
	at := wallClock(now)
	resp := result(pb.CommandTypeEnum_COMMAND_INFO, codeOK, "")
	if l.open != nil {
		resp.Report = &pb.ReportResponse{Report: pb.ReportTypeEnum_REPORT_X.Enum(), ZxReport: l.currentX(at)}
	} else {
		// The last Z, but dated now: date_time of INFO's report is the OFD's clock, which the
		// register reads to check its own (delivery.OFDTime). The stored Z's own date made a
		// register see its clock "ahead" by the time since the last Z (seen with the demo kept
		// across a restart).
		z := proto.Clone(l.lastZReport(at)).(*pb.ZXReport)
		z.DateTime = wireTime(at)
		z.Checksum = proto.String(Checksum(z))
		resp.Report = &pb.ReportResponse{Report: pb.ReportTypeEnum_REPORT_Z.Enum(), ZxReport: z}
	}
	shiftNumber := l.lastShiftNumber
	if l.open != nil {
		shiftNumber = l.open.number
	}
	resp.Service = &pb.ServiceResponse{
		RegInfo:          regInfo(l),
		LastDocumentInfo: &pb.ServiceResponse_LastDocumentInfo{FrShiftNumber: proto.Uint32(shiftNumber)},
	}
	if l.lastDocNumber != 0 {
		resp.Service.LastDocumentInfo.PrintedDocumentNumber = proto.Uint64(l.lastDocNumber)
	}
	if l.blocked {
		resp.Service.TicketAds = []*pb.TicketAd{infoAd(l.info)}
	}
	return resp
}

// system answers COMMAND_SYSTEM, with the registration info when the register asks for it.
func (s *Server) system(l *ledger, req *pb.Request) *pb.Response {
	resp := result(pb.CommandTypeEnum_COMMAND_SYSTEM, codeOK, "")
	if req.GetService().GetGetRegInfo() {
		resp.Service = &pb.ServiceResponse{RegInfo: regInfo(l)}
	}
	return resp
}

// report answers COMMAND_REPORT: the open shift's X, or the last Z. It changes nothing.
func (s *Server) report(l *ledger, req *pb.Request, now time.Time) *pb.Response {
	cmd := pb.CommandTypeEnum_COMMAND_REPORT
	r := req.GetReport()
	if r == nil {
		return result(cmd, codeProtocolError, "COMMAND_REPORT without a report request")
	}
	at := wallClock(now)
	if t, err := wallTime("report.date_time", r.GetDateTime()); err == nil {
		at = t
	}
	if r := s.checkGeo(req); r != nil {
		return r.response(cmd)
	}
	resp := result(cmd, codeOK, "")
	switch r.GetReport() {
	case pb.ReportTypeEnum_REPORT_X:
		resp.Report = &pb.ReportResponse{Report: pb.ReportTypeEnum_REPORT_X.Enum(), ZxReport: l.currentX(at)}
	default:
		resp.Report = &pb.ReportResponse{Report: pb.ReportTypeEnum_REPORT_Z.Enum(), ZxReport: l.lastZReport(at)}
	}
	return resp
}

// document processes a document command whose token and REQNUM passed the ledger rules. It
// changes the ledger only when it answers OK.
func (s *Server) document(l *ledger, key exchangeKey, req *pb.Request, now time.Time) *pb.Response {
	cmd := req.GetCommand()
	if r := s.checkGeo(req); r != nil {
		return r.response(cmd)
	}
	switch cmd {
	case pb.CommandTypeEnum_COMMAND_TICKET:
		return s.ticket(l, key, req, now)
	case pb.CommandTypeEnum_COMMAND_MONEY_PLACEMENT:
		return s.moneyPlacement(l, key, req, now)
	case pb.CommandTypeEnum_COMMAND_CLOSE_SHIFT:
		return s.closeShift(l, key, req, now)
	}
	return result(cmd, codeUnsupportedCmd, "command not supported by the emulator")
}

// shiftExpired reports whether the open shift is past the limit. Offline catch-up documents are
// exempt, as the protocol says for code 11, unless Options.ShiftLimitOffline.
func (s *Server) shiftExpired(l *ledger, now time.Time, offline bool) *refusal {
	if l.open == nil || (offline && !s.opts.ShiftLimitOffline) {
		return nil
	}
	if age := now.Sub(l.open.openedAt); age > s.opts.ShiftLimit {
		return refuse(codeShiftExpired, "shift %d has been open for %s, more than %s: close it", l.open.number,
			age.Truncate(time.Second), s.opts.ShiftLimit)
	}
	return nil
}

// ticket fiscalises a receipt.
func (s *Server) ticket(l *ledger, key exchangeKey, req *pb.Request, now time.Time) *pb.Response {
	cmd := pb.CommandTypeEnum_COMMAND_TICKET
	t := req.GetTicket()
	if t == nil {
		return result(cmd, codeProtocolError, "COMMAND_TICKET without a ticket")
	}
	offline := req.GetService().GetOfflinePeriod() != nil || t.OfflineTicketNumber != nil
	if r := s.shiftExpired(l, now, offline); r != nil {
		return r.response(cmd)
	}
	f, docTime, parent, r := s.checkTicket(l, t)
	if r != nil {
		return r.response(cmd)
	}
	f.offline = t.OfflineTicketNumber != nil
	if out := f.cash * cashSign(f.op); out < 0 && -out > l.cash {
		return refuse(codeNotEnoughCash, "%s pays out %s in cash, the drawer holds %s", f.op, formatTiyn(-out), formatTiyn(l.cash)).response(cmd)
	}
	sh, why := l.shiftFor(t.GetFrShiftNumber(), now, docTime)
	if why != "" {
		return refuse(codeIncorrectData, "%s", why).response(cmd)
	}

	l.openShift(sh)
	sh.addReceipt(f)
	l.cash += f.cash * cashSign(f.op)
	l.nonNullable[f.op] += f.total
	l.ticketsTotal[f.op]++
	if t.PrintedDocumentNumber != nil {
		l.lastDocNumber = t.GetPrintedDocumentNumber()
	}
	sign := s.newFiscalSign()
	qr := QRLink(s.opts.QRBase, sign, l.cfg.RNM, f.total, docTime)
	rc := &receipt{Receipt: Receipt{
		FiscalSign:    sign,
		QRCode:        qr,
		Operation:     f.op,
		Total:         f.total,
		Time:          docTime,
		ShiftNumber:   sh.number,
		OfflineNumber: t.GetOfflineTicketNumber(),
		Token:         key.token,
		ReqNum:        key.reqNum,
	}, request: marshalTicket(t)}
	if parent != nil {
		parent.returned += f.total
		rc.ParentSign = t.GetParentTicket().GetParentTicketNumber()
	}
	l.receipts = append(l.receipts, rc)
	l.bySign[sign] = rc

	resp := result(cmd, codeOK, "")
	resp.Ticket = &pb.TicketResponse{TicketNumber: proto.String(sign), QrCode: []byte(qr)}
	return resp
}

// moneyPlacement records a cash in or cash out.
func (s *Server) moneyPlacement(l *ledger, key exchangeKey, req *pb.Request, now time.Time) *pb.Response {
	cmd := pb.CommandTypeEnum_COMMAND_MONEY_PLACEMENT
	m := req.GetMoneyPlacement()
	if m == nil {
		return result(cmd, codeProtocolError, "COMMAND_MONEY_PLACEMENT without a money placement")
	}
	offline := m.GetIsOffline() || req.GetService().GetOfflinePeriod() != nil
	if r := s.shiftExpired(l, now, offline); r != nil {
		return r.response(cmd)
	}
	docTime, err := wallTime("money_placement.datetime", m.GetDatetime())
	if err != nil {
		return refuse(codeIncorrectData, "%v", err).response(cmd)
	}
	if err := checkMoney("money_placement.sum", m.GetSum()); err != nil {
		return refuse(codeIncorrectData, "%v", err).response(cmd)
	}
	sum := tiyn(m.GetSum())
	if sum == 0 {
		return refuse(codeIncorrectData, "money_placement.sum is zero").response(cmd)
	}
	op := m.GetOperation()
	if op == pb.MoneyPlacementEnum_MONEY_PLACEMENT_WITHDRAWAL && sum > l.cash {
		return refuse(codeNotEnoughCash, "cash out of %s, the drawer holds %s", formatTiyn(sum), formatTiyn(l.cash)).response(cmd)
	}
	sh, why := l.shiftFor(m.GetFrShiftNumber(), now, docTime)
	if why != "" {
		return refuse(codeIncorrectData, "%s", why).response(cmd)
	}
	l.openShift(sh)
	sh.documents++
	pc := &sh.placements[op]
	pc.count++
	pc.sum += sum
	if m.GetIsOffline() {
		pc.offline++
	}
	l.placementsTotal[op]++
	if op == pb.MoneyPlacementEnum_MONEY_PLACEMENT_WITHDRAWAL {
		l.cash -= sum
	} else {
		l.cash += sum
	}
	if m.PrintedDocumentNumber != nil {
		l.lastDocNumber = m.GetPrintedDocumentNumber()
	}
	l.placements = append(l.placements, MoneyPlacement{
		Operation: op, Sum: sum, Time: docTime, ShiftNumber: sh.number, Offline: m.GetIsOffline(),
		Token: key.token, ReqNum: key.reqNum,
	})
	return result(cmd, codeOK, "")
}

// closeShift closes the shift, after comparing the register's Z with the ledger's counters.
func (s *Server) closeShift(l *ledger, key exchangeKey, req *pb.Request, now time.Time) *pb.Response {
	cmd := pb.CommandTypeEnum_COMMAND_CLOSE_SHIFT
	c := req.GetCloseShift()
	if c == nil {
		return result(cmd, codeProtocolError, "COMMAND_CLOSE_SHIFT without a close_shift")
	}
	closeTime, err := wallTime("close_shift.close_time", c.GetCloseTime())
	if err != nil {
		return refuse(codeIncorrectData, "%v", err).response(cmd)
	}
	sh, why := l.shiftFor(c.GetFrShiftNumber(), now, closeTime)
	if why != "" {
		return refuse(codeIncorrectData, "%s", why).response(cmd)
	}
	own := sh.report(closeTime, l.state(), &closeTime)
	if z := c.GetZReport(); z != nil {
		if diff := compareZ(z, own, c.GetWithdrawMoney()); diff != "" {
			return refuse(codeIncorrectData, "the Z report differs from the OFD's counters: %s", diff).response(cmd)
		}
	}
	l.lastZ = own
	l.lastShiftNumber = sh.number
	l.open = nil
	l.shifts = append(l.shifts, &Shift{Number: sh.number, OpenedAt: sh.openedAt, Documents: sh.documents, Z: own})
	if c.PrintedDocumentNumber != nil {
		l.lastDocNumber = c.GetPrintedDocumentNumber()
	}
	if c.GetWithdrawMoney() && l.cash > 0 {
		l.placements = append(l.placements, MoneyPlacement{
			Operation: pb.MoneyPlacementEnum_MONEY_PLACEMENT_WITHDRAWAL, Sum: l.cash, Time: closeTime,
			ShiftNumber: sh.number, Offline: c.GetIsOffline(), Auto: true, Token: key.token, ReqNum: key.reqNum,
		})
		l.cash = 0
	}
	resp := result(cmd, codeOK, "")
	resp.Report = &pb.ReportResponse{Report: pb.ReportTypeEnum_REPORT_Z.Enum(), ZxReport: own}
	return resp
}
