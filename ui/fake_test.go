package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// fakeProfiles keeps cashiers in memory. The third and later wrong codes in a row impose a wait
// of an hour per wrong code beyond the second.
type fakeProfiles struct {
	mu       sync.Mutex
	cashiers []kkm.Cashier
	codes    []string
	wrong    int
	until    time.Time
}

func (p *fakeProfiles) HasProfile(context.Context) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.cashiers) > 0, nil
}

func (p *fakeProfiles) CreateCashier(_ context.Context, n NewCashier) (kkm.Cashier, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := kkm.Cashier{ID: int64(len(p.cashiers) + 1), Name: n.Name, Email: n.Email,
		OperatorCode: uint32(len(p.cashiers) + 1), Role: kkm.RoleCashier}
	if len(p.cashiers) == 0 {
		c.Role = kkm.RoleAdministrator // the device's first cashier, as the app makes it
	}
	if err := c.Validate(); err != nil { // kkm's name rules, as the app applies them
		return kkm.Cashier{}, err
	}
	p.cashiers = append(p.cashiers, c)
	p.codes = append(p.codes, n.Code)
	return c, nil
}

func (p *fakeProfiles) CheckCode(_ context.Context, code string) (kkm.Cashier, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if now := time.Now(); now.Before(p.until) {
		return kkm.Cashier{}, &WrongCodeError{Wait: p.until.Sub(now), TooEarly: true}
	}
	for i, c := range p.codes {
		if c == code {
			p.wrong = 0
			return p.cashiers[i], nil
		}
	}
	p.wrong++
	var wait time.Duration
	if p.wrong > 2 {
		wait = time.Duration(p.wrong-2) * time.Hour
	}
	p.until = time.Now().Add(wait)
	return kkm.Cashier{}, &WrongCodeError{Wait: wait}
}

// fakeRegInfo is the registration the fake OFD returns.
func fakeRegInfo() kkm.RegInfo {
	return kkm.RegInfo{OrgTitle: "ИП Сейткали", OrgIINBIN: "870412300417", PointTitle: "Бакалея",
		PointAddress: "Алматы, ул. Абая 10", RNM: "010101010101", ZNM: "EKG0000000000000", OFDTitle: "АО «Казахтелеком»"}
}

// fakeConnector connects to an imaginary OFD: system ID 404 is unknown, token 1 is refused and
// the address "down:7777" does not answer.
type fakeConnector struct{ reg *fakeRegister }

func (c fakeConnector) NewSerialNumber() (string, error) { return kkm.NewSerialNumber() }

func (c fakeConnector) Connect(_ context.Context, req ConnectRequest) (kkm.RegInfo, error) {
	switch {
	case req.OFDAddress == "down:7777":
		return kkm.RegInfo{}, ErrConnectNoNetwork
	case req.SystemID == 404:
		return kkm.RegInfo{}, ErrConnectUnknownID
	case req.Token == 1:
		return kkm.RegInfo{}, ErrConnectBadToken
	}
	info := fakeRegInfo()
	c.reg.mu.Lock()
	c.reg.reg.Settings.SystemID = req.SystemID
	c.reg.reg.Settings.Token = req.Token
	c.reg.reg.Settings.OFDAddress = req.OFDAddress
	c.reg.reg.Settings.Reg = info
	c.reg.registered = true
	c.reg.mu.Unlock()
	c.reg.notify()
	return info, nil
}

// fakeRegister is a register kept in memory that issues documents with kkm's own rules. It
// fiscalises at once unless the network is cut; then documents wait until it is restored.
type fakeRegister struct {
	mu         sync.Mutex
	reg        kkm.Register
	registered bool
	demo       bool
	cut        bool
	block      Block
	docs       []IssuedDocument
	now        time.Time // the register's clock; each document moves it a minute on
	subs       map[int]func(Status)
	answerSubs map[int]func(Answer) // SubscribeAnswers, numbered by nextSub too
	nextSub    int
	docReads   int // Document calls: the journal reads the screens made

	printed     []fakePrint // what the Printer port was asked to print, in order
	deadPrinter string      // a printer address that does not answer

	historyAsked []HistoryFilter // the history searches asked, in order

	profiles    *fakeProfiles    // the cashiers, for the Cashiers port (fake_admin_test.go)
	clockJumped bool             // fiscal documents are refused with err.clock.jumped
	clockGap    time.Duration    // the device's clock minus the OFD's, shown on the status line
	corrected   int              // CorrectClock calls that moved the mark back
	confirmed   int              // ConfirmClock calls
	retried     int              // Retry calls
	setAside    int              // SetAside calls
	refused     *RefusedDocument // the document a BlockRefused names
	tampered    bool             // the journal's chain is broken
	restored    string           // the content of the last backup restored
}

func newFakeRegister(registered bool) *fakeRegister {
	r := &fakeRegister{registered: registered, now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.Local),
		subs: map[int]func(Status){}, answerSubs: map[int]func(Answer){}}
	r.reg.Settings = kkm.Settings{SystemID: 5021, SerialNumber: "EKG0000000000000", Token: 77,
		RegisterName: "Бакалея", OFDAddress: KazakhtelecomTestAddress, DefaultVATRate: kkm.VATNone,
		ReceiptModifiersAllowed: true, BuyerIINBINAllowed: true}
	if registered {
		r.reg.Settings.Reg = fakeRegInfo()
	}
	return r
}

func (r *fakeRegister) statusLocked() Status {
	st := Status{Registered: r.registered, RegisterName: r.reg.Settings.RegisterName, Demo: r.demo,
		NetworkCut: r.cut, ShiftOpen: r.reg.State.ShiftOpen, ShiftNumber: r.reg.State.ShiftNumber,
		ShiftLeft: r.reg.ShiftTimeLeft(r.now), Block: r.block, CashInDrawer: r.reg.State.CashInDrawer,
		OnlyZ: r.reg.ShiftExpired(r.now), Refused: r.refused, ShiftLimit: r.reg.ShiftLimit()}
	var oldest time.Time
	for _, d := range r.docs {
		if d.Document.Kind.Fiscal() && !d.Answered {
			st.Waiting++
			if oldest.IsZero() {
				oldest = d.Document.Time
			}
		}
	}
	st.Online = !r.cut && st.Waiting == 0
	st.ClockGap = r.clockGap
	st.OfflineSince = oldest
	st.OfflineLeft = kkm.OfflineTimeLeft(oldest, r.now, kkm.DefaultOfflineLimit)
	return st
}

func (r *fakeRegister) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.statusLocked()
}

func (r *fakeRegister) Subscribe(f func(Status)) func() {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := r.nextSub
	r.nextSub++
	r.subs[id] = f
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		delete(r.subs, id)
	}
}

// notify tells the subscribers the status, as the app does from the sender's goroutine.
func (r *fakeRegister) notify() {
	r.mu.Lock()
	st := r.statusLocked()
	subs := make([]func(Status), 0, len(r.subs))
	for _, f := range r.subs {
		subs = append(subs, f)
	}
	r.mu.Unlock()
	for _, f := range subs {
		f(st)
	}
}

func (r *fakeRegister) Settings() kkm.Settings {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reg.Settings
}

func (r *fakeRegister) SaveSettings(_ context.Context, _ kkm.Operator, s kkm.Settings) error {
	if s.MaxReceiptSum < 0 {
		return kkm.ErrSettingsMaxSum
	}
	r.mu.Lock()
	r.reg.Settings = s
	r.mu.Unlock()
	return nil
}

func (r *fakeRegister) ChangeToken(_ context.Context, _ kkm.Operator, token uint32) error {
	if token == 1 {
		return ErrConnectBadToken
	}
	r.mu.Lock()
	r.reg.Settings.Token = token
	if r.block == BlockToken {
		r.block = BlockNone
	}
	r.mu.Unlock()
	r.notify()
	return nil
}

func (r *fakeRegister) Preview(d kkm.ReceiptDraft) (kkm.Receipt, error) {
	return kkm.ComputeReceipt(d, r.Settings())
}

// commit records what kkm issued, as the journal and the sender would.
func (r *fakeRegister) commit(is kkm.Issued, err error) (Issued, error) {
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if r.clockJumped && len(is.Documents) > 0 && is.Documents[0].Kind.Fiscal() {
		r.mu.Unlock()
		return nil, fakeClockJump{}
	}
	r.reg.State = is.State
	var out Issued
	for _, d := range is.Documents {
		id := IssuedDocument{Seq: int64(len(r.docs) + 1), Document: d}
		if d.Kind.Fiscal() && !r.cut {
			answer(&id)
		}
		if d.Kind == kkm.KindReceipt {
			sign := id.FiscalSign
			if sign == "" {
				sign = fmt.Sprint(d.OfflineNumber)
			}
			id.QRLink = kkm.QRLink(r.reg.Settings.CheckSite(), sign, r.reg.Settings.Reg.RNM, d.Total(), d.Time)
		}
		if d.Kind != kkm.KindXReport {
			r.docs = append(r.docs, id)
		}
		out = append(out, id)
	}
	r.now = r.now.Add(time.Minute)
	r.mu.Unlock()
	r.notify()
	return out, nil
}

// answer records the OFD's answer to a document as the app reads it from the journal: a fiscal
// sign for a receipt, none for a cash in or out or a Z report, which are answered all the same.
func answer(d *IssuedDocument) {
	d.Answered = true
	if d.Document.Kind == kkm.KindReceipt {
		d.FiscalSign = fmt.Sprint(880000000 + d.Seq)
	}
}

func (r *fakeRegister) IssueReceipt(ctx context.Context, by kkm.Operator, d kkm.ReceiptDraft) (Issued, error) {
	if d.Operation.Returning() {
		if err := r.Allow(ctx, by, kkm.ActionReturn); err != nil {
			return nil, err
		}
	}
	if d.Parent != nil {
		if err := r.validateReturn(ctx, d); err != nil {
			return nil, err
		}
	}
	r.mu.Lock()
	reg, now, cut := r.reg, r.now, r.cut
	r.mu.Unlock()
	return r.commit(reg.IssueReceipt(d, by, now, cut))
}

// validateReturn checks a return against its original and the returns already made of it.
func (r *fakeRegister) validateReturn(ctx context.Context, d kkm.ReceiptDraft) error {
	orig, err := r.FindReceipt(ctx, d.Parent.Number)
	if err != nil {
		return err
	}
	ret, err := kkm.ComputeReceipt(d, r.Settings())
	if err != nil {
		return err
	}
	var returned []kkm.Receipt
	for _, rc := range r.receipts() {
		if rc.Parent != nil && rc.Parent.Number == d.Parent.Number {
			returned = append(returned, rc)
		}
	}
	return kkm.ValidateReturn(*orig.Document.Receipt, returned, ret)
}

func (r *fakeRegister) CashIn(_ context.Context, by kkm.Operator, amount kkm.Money) (Issued, error) {
	r.mu.Lock()
	reg, now, cut := r.reg, r.now, r.cut
	r.mu.Unlock()
	return r.commit(reg.CashIn(amount, by, now, cut))
}

func (r *fakeRegister) CashOut(_ context.Context, by kkm.Operator, amount kkm.Money) (Issued, error) {
	r.mu.Lock()
	reg, now, cut := r.reg, r.now, r.cut
	r.mu.Unlock()
	return r.commit(reg.CashOut(amount, by, now, cut))
}

func (r *fakeRegister) XReport(_ context.Context, by kkm.Operator) (Issued, error) {
	r.mu.Lock()
	reg, now := r.reg, r.now
	r.mu.Unlock()
	d, err := reg.XReport(by, now)
	return r.commit(kkm.Issued{Documents: []kkm.Document{d}, State: reg.State}, err)
}

func (r *fakeRegister) CloseShift(ctx context.Context, by kkm.Operator) (Issued, error) {
	if err := r.Allow(ctx, by, kkm.ActionCloseShift); err != nil {
		return nil, err
	}
	r.mu.Lock()
	reg, now, cut := r.reg, r.now, r.cut
	r.mu.Unlock()
	return r.commit(reg.CloseShift(by, now, cut))
}

func (r *fakeRegister) RecentReceipts(_ context.Context, limit int) ([]IssuedDocument, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []IssuedDocument
	for i := len(r.docs) - 1; i >= 0 && len(out) < limit; i-- {
		d := r.docs[i]
		if d.Document.Receipt != nil && !d.Document.Receipt.Operation.Returning() {
			out = append(out, d)
		}
	}
	return out, nil
}

func (r *fakeRegister) FindReceipt(_ context.Context, number string) (IssuedDocument, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range r.docs {
		if d.Document.Receipt != nil && (d.FiscalSign == number || fmt.Sprint(d.Seq) == number) {
			return d, nil
		}
	}
	return IssuedDocument{}, ErrNotFound
}

func (r *fakeRegister) Returnable(_ context.Context, seq int64) (Returnable, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if seq < 1 || int(seq) > len(r.docs) {
		return Returnable{}, ErrNotFound
	}
	orig := r.docs[seq-1]
	rc := orig.Document.Receipt
	// The register's rules, as the app applies them: how a return names its original
	// (kkm.ParentOf) and what is left of it, marking codes included (kkm.ReturnStateOf).
	parent, err := kkm.ParentOf(orig.Document, orig.FiscalSign, r.reg.Settings.Reg.RNM)
	if err != nil {
		return Returnable{}, err
	}
	var returned []kkm.Receipt
	for _, d := range r.docs {
		if p := d.Document.Receipt; p != nil && p.Parent != nil && p.Parent.Number == parent.Number {
			returned = append(returned, *p)
		}
	}
	ret := Returnable{Original: orig, Parent: parent, State: kkm.ReturnStateOf(*rc, returned)}
	ret.Left = ret.State.Left
	for _, l := range ret.State.Lines {
		ret.Lines = append(ret.Lines, ReturnableLine{Line: l.Line, Left: l.Left(), Codes: l.Codes})
	}
	return ret, nil
}

func (r *fakeRegister) History(_ context.Context, f HistoryFilter) (HistoryPage, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.historyAsked = append(r.historyAsked, f)
	if f.Number != "" && strings.Trim(f.Number, "0123456789") != "" || f.AmountTo > 0 && f.AmountTo < f.AmountFrom {
		return HistoryPage{}, ErrNotFound // the journal refuses such a search; any refusal will do
	}
	var all []IssuedDocument
	for i := len(r.docs) - 1; i >= 0; i-- {
		d := r.docs[i]
		total := d.Document.Total()
		switch {
		case f.Before > 0 && d.Seq >= f.Before,
			f.Shift != 0 && d.Document.ShiftNumber != f.Shift,
			f.Kind != "" && d.Document.Kind != f.Kind,
			f.Operation != HistoryAnyOperation && (d.Document.Receipt == nil || fakeOperation(d.Document.Receipt.Operation) != f.Operation),
			!f.From.IsZero() && d.Document.Time.Before(f.From),
			!f.To.IsZero() && !d.Document.Time.Before(f.To),
			f.Number != "" && d.FiscalSign != f.Number && fmt.Sprint(d.Document.Number) != f.Number &&
				(d.Document.OfflineNumber == 0 || fmt.Sprint(d.Document.OfflineNumber) != f.Number),
			total < f.AmountFrom, f.AmountTo > 0 && total > f.AmountTo,
			f.State == HistoryFiscalised && !d.Answered,
			f.State == HistoryWaiting && (d.Answered || !d.Document.Kind.Fiscal()),
			f.State == HistoryOffline && !d.Document.Offline,
			f.State == HistoryRefused && d.Refused == nil:
			continue
		}
		all = append(all, d)
	}
	more := f.Limit > 0 && len(all) > f.Limit
	if more {
		all = all[:f.Limit]
	}
	return HistoryPage{Documents: all, More: more}, nil
}

// fakeOperation names a receipt's operation as the history filter does.
func fakeOperation(op kkm.Operation) HistoryOperation {
	return map[kkm.Operation]HistoryOperation{kkm.OpSale: HistorySale, kkm.OpSaleReturn: HistorySaleReturn,
		kkm.OpPurchase: HistoryPurchase, kkm.OpPurchaseReturn: HistoryPurchaseReturn}[op]
}

func (r *fakeRegister) SetNetworkCut(cut bool) error {
	r.mu.Lock()
	r.cut = cut
	var answers []Answer
	if !cut {
		for i := range r.docs {
			if r.docs[i].Document.Kind.Fiscal() && !r.docs[i].Answered {
				answer(&r.docs[i])
				answers = append(answers, Answer{Seq: r.docs[i].Seq, FiscalSign: r.docs[i].FiscalSign})
			}
		}
	}
	r.mu.Unlock()
	r.notify()
	r.publish(answers...) // after the status, as the sender completes a document
	return nil
}

// SubscribeAnswers calls f with each answer the fake's OFD gives, as the app passes on the
// sender's outcomes.
func (r *fakeRegister) SubscribeAnswers(f func(Answer)) func() {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := r.nextSub
	r.nextSub++
	r.answerSubs[id] = f
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		delete(r.answerSubs, id)
	}
}

// publish hands answers to the answer subscribers.
func (r *fakeRegister) publish(as ...Answer) {
	r.mu.Lock()
	subs := make([]func(Answer), 0, len(r.answerSubs))
	for _, f := range r.answerSubs {
		subs = append(subs, f)
	}
	r.mu.Unlock()
	for _, a := range as {
		for _, f := range subs {
			f(a)
		}
	}
}

// fakePrint is one job the Printer port was asked for: documents, or a test slip's text, on a
// printer.
type fakePrint struct {
	printer kkm.Printer
	docs    []IssuedDocument
	text    string
}

// Print records the documents as printed on the settings' printer; the dead printer does not
// answer.
func (r *fakeRegister) Print(_ context.Context, docs []IssuedDocument) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.printLocked(fakePrint{printer: r.reg.Settings.Printer, docs: slices.Clone(docs)})
}

// PrintText records a test slip on printer p.
func (r *fakeRegister) PrintText(_ context.Context, p kkm.Printer, text string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.printLocked(fakePrint{printer: p, text: text})
}

func (r *fakeRegister) printLocked(job fakePrint) error {
	switch job.printer.Address {
	case "":
		return ErrPrinterNotSet
	case r.deadPrinter:
		return &PrinterUnreachableError{Address: job.printer.Address, Err: errors.New("fake: connection refused")}
	}
	r.printed = append(r.printed, job)
	return nil
}

// lastPrint is the last job printed.
func (r *fakeRegister) lastPrint() fakePrint {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.printed) == 0 {
		return fakePrint{}
	}
	return r.printed[len(r.printed)-1]
}

// setBlock blocks the register, as the sender does on the OFD's refusal.
func (r *fakeRegister) setBlock(b Block) {
	r.mu.Lock()
	r.block = b
	r.mu.Unlock()
	r.notify()
}

// advance moves the register's clock.
func (r *fakeRegister) advance(d time.Duration) {
	r.mu.Lock()
	r.now = r.now.Add(d)
	r.mu.Unlock()
	r.notify()
}

// receipts returns the receipts issued so far.
func (r *fakeRegister) receipts() []kkm.Receipt {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []kkm.Receipt
	for _, d := range r.docs {
		if d.Document.Receipt != nil {
			out = append(out, *d.Document.Receipt)
		}
	}
	return out
}

// kinds lists the kinds of the documents in the journal, in order.
func (r *fakeRegister) kinds() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var k []string
	for _, d := range r.docs {
		k = append(k, string(d.Document.Kind))
	}
	return strings.Join(k, ",")
}
