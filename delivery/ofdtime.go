package delivery

import (
	"context"
	"fmt"
	"time"

	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// OFDTime asks the OFD for its clock: COMMAND_INFO, whose answer carries the OFD's view of the
// shift as a ZXReport with date_time, the OFD's time of the answer (fact sheet §3: ReportResponse
// answers INFO; ZXReport.date_time is required). The wire time has no zone: it is read on the
// wall clock of the register's location, as the register writes its own. The second it carries
// is truncated, so the answer is within a second of the OFD's clock.
//
// Like XReport, it asks only while the link is online with nothing waiting, so a non-fiscal
// request never takes a REQNUM in the middle of the queue; otherwise it returns ErrNotConnected.
func (s *Sender) OFDTime(ctx context.Context) (time.Time, error) {
	s.exMu.Lock()
	defer s.exMu.Unlock()
	if err := s.load(ctx); err != nil {
		return time.Time{}, err
	}
	if err := s.refreshStats(ctx); err != nil {
		return time.Time{}, err
	}
	s.mu.Lock()
	l, waiting := s.link, s.waiting
	s.mu.Unlock()
	if l.BlockedCode != 0 || !l.OfflineSince.IsZero() || waiting > 0 {
		return time.Time{}, ErrNotConnected
	}
	reqnum, err := s.nextReqnum(ctx)
	if err != nil {
		return time.Time{}, err
	}
	req := ofdclient.InfoRequest()
	_, resp, err := s.exchange(ctx, ofdclient.Header{SystemID: s.cfg.Identity.SystemID, Token: l.Token, ReqNum: reqnum}, req)
	if err != nil {
		return time.Time{}, err
	}
	if code := resp.GetResult().GetResultCode(); code != ofdclient.ResultOK {
		return time.Time{}, &ofdclient.ResultError{Command: req.GetCommand(), Code: code, Text: resp.GetResult().GetResultText(), Info: ofdclient.AdInfo(resp)}
	}
	dt := resp.GetReport().GetZxReport().GetDateTime()
	if dt == nil {
		return time.Time{}, &ofdclient.ResultError{Command: pb.CommandTypeEnum_COMMAND_INFO, Code: ofdclient.ResultProtocolViolation,
			Err: fmt.Errorf("the answer to COMMAND_INFO carries no report date_time")}
	}
	loc := s.cfg.Identity.Location
	if loc == nil {
		loc = time.Local // requests carry the register's own wall clock, which is local then
	}
	t, err := ofdclient.TimeFromDateTime(dt, loc)
	if err != nil {
		return time.Time{}, &ofdclient.ResultError{Command: pb.CommandTypeEnum_COMMAND_INFO, Code: ofdclient.ResultProtocolViolation, Err: err}
	}
	return t, nil
}
