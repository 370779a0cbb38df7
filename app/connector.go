package app

import (
	"context"
	"errors"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// NewSerialNumber generates the serial number (ZNM) of a new software register («Новая касса»).
func (rt *Runtime) NewSerialNumber() (string, error) { return kkm.NewSerialNumber() }

// Connect connects the register registered in the OFD's cabinet («Подключить кассу»): INFO with
// the system ID and token, then, in one journal transaction, the registration saved in the
// settings, the token in the link state and the local shift reconciled with the OFD's view of it,
// and then the sender started.
// A register moved to a new phone thereby carries on with the OFD's shift number and counters.
func (rt *Runtime) Connect(ctx context.Context, req ui.ConnectRequest) (kkm.RegInfo, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	reqnum, err := rt.journal.NextReqnum(ctx)
	if err != nil {
		return kkm.RegInfo{}, err
	}
	conn, err := ofdclient.Connect(ctx, rt.ofd, ofdclient.ConnectParams{
		Address: req.OFDAddress, SystemID: req.SystemID, Token: req.Token, Reqnum: reqnum,
	})
	if err != nil {
		return kkm.RegInfo{}, connectError(err)
	}
	stats, err := rt.journal.OutboxStats(ctx)
	if err != nil {
		return kkm.RegInfo{}, err
	}
	verdict, state, err := ofdclient.Reconcile(rt.reg.State, conn.Shift, stats.Waiting, rt.now())
	if err != nil {
		return kkm.RegInfo{}, err
	}
	// A sender already running (the register connected again) stops before the settings and the
	// link change under it: it keeps its own copy of the link, and would meanwhile give a waiting
	// document a request with the old token. Whatever happens next, a registered register ends
	// with a sender.
	rt.stopSenderLocked()
	defer func() {
		if rt.registered && rt.sender == nil {
			if err := rt.startSender(); err != nil {
				rt.logf("ofd sender not restarted: %v", err)
			}
		}
	}()
	s := rt.reg.Settings
	s.OFDAddress, s.SystemID, s.Token, s.Reg = req.OFDAddress, req.SystemID, conn.Token, conn.Reg
	// The receipts name the register's own OFD and its check site (Order 626 para 56 item 12);
	// the picker says which, else the address does. An address typed for an OFD the register
	// does not know leaves both to the defaults (kkm.Settings.OFD).
	if o, ok := kkm.OFDByID(req.OFDID); ok {
		s.Reg = o.Register(s.Reg)
	} else if o, ok := kkm.OFDByAddress(req.OFDAddress); ok {
		s.Reg = o.Register(s.Reg)
	}
	// The trading point's coordinates as the OFD registered them, unless the owner set their own.
	if s.TradingPoint == nil && conn.Point != nil {
		p := *conn.Point
		s.TradingPoint = &p
	}
	if s.SerialNumber == "" {
		s.SerialNumber = conn.Reg.ZNM
	}
	if s.RegisterName == "" {
		s.RegisterName = conn.Reg.PointTitle
	}
	var adopted *kkm.State
	if verdict == ofdclient.ReconcileAdopt {
		adopted = &state
	}
	// Settings, link and state in one transaction: a crash between them would leave the settings
	// of this connection beside the token (or block) of the last one. The link is changed field
	// by field: a REQNUM taken meanwhile (Retry does not wait for mu) must not be written back to
	// what was read before it, or it would be handed out twice.
	if _, err := rt.journal.SaveConnection(ctx, s, func(l *storage.LinkState) {
		l.Token = conn.Token
		l.BlockedCode, l.InfoText = 0, ""
	}, adopted); err != nil {
		return kkm.RegInfo{}, err
	}
	if adopted != nil {
		rt.reg.State = state
	}
	rt.reg.Settings = s
	rt.setPoint(s)
	rt.registered = true
	if err := rt.startSender(); err != nil {
		return kkm.RegInfo{}, err
	}
	rt.changed()
	return conn.Reg, nil
}

// connectError gives the connect screen its three distinct messages: unknown system ID, bad
// token, no network; other refusals keep the OFD client's own message.
func connectError(err error) error {
	var re *ofdclient.ResultError
	if errors.As(err, &re) {
		switch re.Code {
		case 1:
			return ui.ErrConnectUnknownID
		case 2:
			return ui.ErrConnectBadToken
		}
		return err
	}
	var ue *ofdclient.UnreachableError
	if errors.As(err, &ue) || ofdclient.IsTemporary(err) {
		return ui.ErrConnectNoNetwork
	}
	return err
}

// compile-time checks that the runtime is every port the screens need but the printer, the
// analytics and the owner mode, which have adapters of their own.
var (
	_ ui.Profiles      = (*Runtime)(nil)
	_ ui.Connector     = (*Runtime)(nil)
	_ ui.StatusLine    = (*Runtime)(nil)
	_ ui.SettingsStore = (*Runtime)(nil)
	_ ui.Issuer        = (*Runtime)(nil)
	_ ui.JournalReader = (*Runtime)(nil)
	_ ui.Access        = (*Runtime)(nil)
	_ ui.Recovery      = (*Runtime)(nil)
	_ ui.JournalCare   = (*Runtime)(nil)
	_ ui.CashierAdmin  = (*Runtime)(nil)
)

// Ports returns the screens' ports over the runtime: each small port of package ui is the runtime
// itself, seen through that port's few methods, and the printer its ESC/POS adapter. The analytics
// and the owner mode are the caller's to add.
func (rt *Runtime) Ports() ui.Ports {
	return ui.Ports{Profiles: rt, Connector: rt, Status: rt, Settings: rt, Issuer: rt, Journal: rt,
		Access: rt, Recovery: rt, JournalCare: rt, Cashiers: rt, Printer: newPrinter(rt.Settings)}
}
