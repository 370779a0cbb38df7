package ofdsim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"time"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// handle serves one connection: one request, one answer, then close.
func (s *Server) handle(conn net.Conn) {
	defer conn.Close()
	entry := LogEntry{Time: s.clock(), Remote: conn.RemoteAddr().String()}

	s.mu.Lock()
	fault, faulty := s.faults.next()
	s.mu.Unlock()
	if faulty {
		entry.Fault = &fault
	}
	if faulty && fault.Kind == FaultRefuse {
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.SetLinger(0) // a reset, not an orderly close
		}
		s.record(entry)
		return
	}

	conn.SetReadDeadline(time.Now().Add(s.opts.IOTimeout))
	frame, err := ofdclient.ReadFrame(conn, s.opts.FrameLimit)
	if err != nil {
		// A garbage, oversize or truncated frame gets the connection closed: there is nothing
		// trustworthy to answer to.
		var fe *ofdclient.FrameError
		if errors.As(err, &fe) {
			entry.ID, entry.Token, entry.ReqNum, entry.Version = fe.Header.SystemID, fe.Header.Token, fe.Header.ReqNum, fe.Header.Version
		}
		entry.ReadErr = err.Error()
		s.record(entry)
		return
	}
	h := frame.Header
	entry.ID, entry.Token, entry.ReqNum, entry.Version = h.SystemID, h.Token, h.ReqNum, h.Version

	if faulty && fault.Kind == FaultDropBefore {
		if req, err := ofdclient.DecodeRequest(frame.Payload); err == nil {
			entry.Request = req
		}
		s.record(entry)
		return
	}

	answer, info := s.exchange(h, frame.Payload, fault, faulty)
	if answer == nil { // the state file could not keep it: no answer, as after a dropped connection
		entry.Request = info.request
		entry.ReadErr = "not answered: the state file could not be written"
		s.record(entry)
		return
	}
	entry.Request, entry.Response = info.request, info.response
	entry.Result, entry.AnswerToken = info.response.GetResult().GetResultCode(), info.token
	entry.Replayed, entry.ReplayDiffers = info.replayed, info.replayDiffers
	s.record(entry)

	conn.SetWriteDeadline(time.Now().Add(s.opts.IOTimeout))
	if faulty {
		switch fault.Kind {
		case FaultDropAfter:
			return
		case FaultDelay:
			t := time.NewTimer(fault.Delay)
			defer t.Stop()
			select {
			case <-t.C:
			case <-s.done:
				return
			}
			conn.SetWriteDeadline(time.Now().Add(s.opts.IOTimeout))
		case FaultGarbage:
			garbage := bytes.Repeat([]byte{0xDE, 0xAD, 0xBE, 0xEF}, 16)
			conn.Write(garbage)
			return
		case FaultTruncated:
			conn.Write(answer[:len(answer)/2])
			return
		case FaultOversize:
			hdr := make([]byte, ofdclient.HeaderSize)
			copy(hdr, answer[:ofdclient.HeaderSize])
			binary.LittleEndian.PutUint32(hdr[4:8], 0xFFFFFFFF)
			conn.Write(hdr)
			return
		}
	}
	conn.Write(answer)
}

// record logs an exchange in the request log and to the Logger.
func (s *Server) record(e LogEntry) {
	s.mu.Lock()
	s.appendLog(e)
	s.mu.Unlock()
	lg := s.opts.Logger
	if lg == nil {
		return
	}
	attrs := []slog.Attr{
		slog.String("remote", e.Remote),
		slog.Uint64("id", uint64(e.ID)),
		slog.Uint64("token", uint64(e.Token)),
		slog.Uint64("reqnum", uint64(e.ReqNum)),
	}
	if e.Request != nil {
		attrs = append(attrs, slog.String("command", e.Request.GetCommand().String()))
	}
	if e.Response != nil {
		attrs = append(attrs, slog.Uint64("result", uint64(e.Result)), slog.Uint64("answer_token", uint64(e.AnswerToken)))
		if t := e.Response.GetResult().GetResultText(); t != "" {
			attrs = append(attrs, slog.String("text", t))
		}
	}
	if e.Replayed {
		attrs = append(attrs, slog.Bool("replayed", true))
	}
	if e.Fault != nil {
		attrs = append(attrs, slog.String("fault", e.Fault.String()))
	}
	if e.ReadErr != "" {
		attrs = append(attrs, slog.String("read_error", e.ReadErr))
	}
	if s.opts.Verbose {
		if e.Request != nil {
			attrs = append(attrs, slog.String("request", prototext.MarshalOptions{Multiline: false}.Format(e.Request)))
		}
		if e.Response != nil {
			attrs = append(attrs, slog.String("answer", prototext.MarshalOptions{Multiline: false}.Format(e.Response)))
		}
	}
	lg.LogAttrs(context.Background(), slog.LevelInfo, "exchange", attrs...)
}

// exchangeInfo describes how a request was answered, for the request log.
type exchangeInfo struct {
	request       *pb.Request
	response      *pb.Response
	token         uint32
	replayed      bool
	replayDiffers bool
}

// isDocument reports whether a command is a fiscal document that rotates the token.
func isDocument(cmd pb.CommandTypeEnum) bool {
	switch cmd {
	case pb.CommandTypeEnum_COMMAND_TICKET, pb.CommandTypeEnum_COMMAND_MONEY_PLACEMENT, pb.CommandTypeEnum_COMMAND_CLOSE_SHIFT:
		return true
	}
	return false
}

// exchange answers one request under the ledger rules and returns the whole answer frame.
//
// With a state file (Options.StateFile) a document request that reached a ledger is written and
// synced before its answer is returned; when that write fails the answer is nil (the connection
// is closed unanswered, as if the network had dropped it) and so is every later document's, since
// the file no longer follows the ledger.
func (s *Server) exchange(h ofdclient.Header, payload []byte, fault Fault, faulty bool) ([]byte, exchangeInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	if faulty && fault.Kind == FaultResult {
		return s.exchangeLocked(h, payload, now, fault, true)
	}
	if s.state != nil && s.state.err != nil {
		if req, err := ofdclient.DecodeRequest(payload); err == nil && isDocument(req.GetCommand()) {
			return nil, exchangeInfo{request: req}
		}
	}
	b, info := s.exchangeLocked(h, payload, now, Fault{}, false)
	if s.state != nil && info.request != nil && isDocument(info.request.GetCommand()) && s.ledgers[h.SystemID] != nil {
		rec, err := exchangeRecord(now, h, payload)
		if err == nil {
			err = s.persistLocked(recExchange, rec)
		}
		if err != nil {
			if s.opts.Logger != nil {
				s.opts.Logger.Error("state file", "error", err.Error())
			}
			return nil, info
		}
	}
	return b, info
}

// exchangeLocked answers one request at the emulator's time now. Called with s.mu held; loading
// the state file replays document requests through it.
func (s *Server) exchangeLocked(h ofdclient.Header, payload []byte, now time.Time, fault Fault, faulty bool) ([]byte, exchangeInfo) {
	var info exchangeInfo
	answer := func(resp *pb.Response, token uint32) []byte {
		info.response, info.token = resp, token
		b, _, err := ofdclient.EncodeFrame(ofdclient.Header{Version: h.Version, SystemID: h.SystemID, Token: token, ReqNum: h.ReqNum}, resp)
		if err != nil {
			// Every answer the emulator builds is complete; this is a bug, answered as one.
			resp = result(resp.GetCommand(), 255, "emulator could not encode its answer: "+err.Error())
			info.response = resp
			b, _, _ = ofdclient.EncodeFrame(ofdclient.Header{Version: h.Version, SystemID: h.SystemID, Token: token, ReqNum: h.ReqNum}, resp)
		}
		return b
	}

	req, err := ofdclient.DecodeRequest(payload)
	if err != nil {
		return answer(result(pb.CommandTypeEnum_COMMAND_SYSTEM, 3, "undecodable request: "+err.Error()), h.Token), info
	}
	info.request = req
	cmd := req.GetCommand()
	if err := proto.CheckInitialized(req); err != nil {
		return answer(result(cmd, 3, "request lacks a required field: "+err.Error()), h.Token), info
	}
	if faulty && fault.Kind == FaultResult {
		return answer(result(cmd, fault.Code, fault.Text), h.Token), info
	}
	l, ok := s.ledgers[h.SystemID]
	if !ok {
		return answer(result(cmd, 1, "no register with this ID"), h.Token), info
	}

	if cmd == pb.CommandTypeEnum_COMMAND_REPORT {
		return answer(s.withBlock(l, cmd, func() *pb.Response { return s.report(l, req, now) }), h.Token), info
	}
	if !isDocument(cmd) {
		if h.Token != l.token {
			return answer(result(cmd, 2, "invalid token"), h.Token), info
		}
		switch cmd {
		case pb.CommandTypeEnum_COMMAND_INFO:
			return answer(s.info(l, now), h.Token), info
		case pb.CommandTypeEnum_COMMAND_SYSTEM:
			return answer(s.withBlock(l, cmd, func() *pb.Response { return s.system(l, req) }), h.Token), info
		}
		return answer(result(cmd, 5, "command not supported by the emulator"), h.Token), info
	}

	key := exchangeKey{token: h.Token, reqNum: h.ReqNum}
	bodyHash := sha256.Sum256(payload)
	if last := l.last; last != nil && key == last.key {
		if cmd != last.command {
			l.stats(key, last.command).Refused++
			return answer(result(cmd, 9, "same TOKEN and REQNUM as the previous request, but command "+last.command.String()), h.Token), info
		}
		l.stats(key, cmd).Replayed++
		info.replayed, info.replayDiffers = true, bodyHash != last.bodyHash
		resp, _ := ofdclient.DecodeResponse(last.answer[ofdclient.HeaderSize:])
		info.response = resp
		info.token = binary.LittleEndian.Uint32(last.answer[12:16])
		return last.answer, info
	}
	if h.Token != l.token {
		return answer(result(cmd, 2, "invalid token"), h.Token), info
	}
	if l.last != nil && h.ReqNum == l.last.key.reqNum {
		l.stats(key, cmd).Refused++
		return answer(result(cmd, 8, "REQNUM of the previous request with another TOKEN"), h.Token), info
	}
	stats := l.stats(key, cmd)
	resp := s.withBlock(l, cmd, func() *pb.Response { return s.document(l, key, req, now) })
	if resp.GetResult().GetResultCode() != 0 {
		stats.Refused++
		return answer(resp, h.Token), info
	}
	stats.Processed++
	l.token = s.newToken(l.token)
	b := answer(resp, l.token)
	l.last = &lastDocument{key: key, command: cmd, answer: b, bodyHash: bodyHash}
	return b, info
}

// withBlock answers code 15 for a blocked register, and adds the block's info text to the answer.
func (s *Server) withBlock(l *ledger, cmd pb.CommandTypeEnum, f func() *pb.Response) *pb.Response {
	if !l.blocked {
		return f()
	}
	resp := result(cmd, 15, "register blocked by the OFD: "+l.info)
	resp.Service = &pb.ServiceResponse{TicketAds: []*pb.TicketAd{infoAd(l.info)}}
	return resp
}

// newToken issues a token different from the current one. Issued tokens are above 2³¹, so a
// register that keeps TOKEN in a signed 32-bit integer fails at once.
func (s *Server) newToken(old uint32) uint32 {
	for {
		t := s.rng.Uint32() | 1<<31
		if t != old {
			return t
		}
	}
}

// newFiscalSign issues a fresh 10-digit fiscal sign.
func (s *Server) newFiscalSign() string {
	for {
		n := 1_000_000_000 + s.rng.Uint64N(9_000_000_000)
		sign := strconv.FormatUint(n, 10)
		if !s.signs[sign] {
			s.signs[sign] = true
			return sign
		}
	}
}
