package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/ekassa-go/ekassa/kkm"
)

// Ports is everything the screens need from the rest of the app, one small interface per job.
// The app (package app) adapts the journal, the OFD sender, the printer and the cashier store to
// them; the tests use fakes. A nil port hides what needs it where the screens can do without
// (Analytics, Owner, Printer and the administration ports); the day's work needs Status,
// Settings, Issuer and Journal.
type Ports struct {
	Profiles  Profiles
	Connector Connector

	// Status is the status line's source: the register's state and its changes.
	Status StatusLine
	// Settings reads and saves the register's settings and changes its token.
	Settings SettingsStore
	// Issuer issues documents: receipts, cash in and out, the X and Z reports.
	Issuer Issuer
	// Journal reads the journal: documents, receipts to return, the history, and the OFD's
	// answers as they come back.
	Journal JournalReader

	// Access is the owner's permissions; nil lets every action through on the screens (the
	// register still enforces them when it issues).
	Access Access
	// Recovery is the ways out of refusals a person fixed; nil hides them.
	Recovery Recovery
	// JournalCare is the journal's backup, restore and check; nil hides them.
	JournalCare JournalCare
	// Cashiers manages the cashiers of the device; nil hides «Кассиры».
	Cashiers CashierAdmin

	// Printer prints on the receipt printer of the settings; nil: nothing prints («Печать»
	// says no printer is set).
	Printer Printer
	// Analytics is the owner's figures and the CSV export; nil hides the reports screen's
	// «Аналитика» button.
	Analytics Analytics
	// Owner is the owner mode over the hub; nil hides the settings' «Режим владельца».
	Owner OwnerMode
	// HubRestore restores a new phone's register from the owner's hub (hubrestore_port.go); nil
	// hides the start page's «Восстановить из хаба».
	HubRestore HubRestore
	// Catalogue is the shop's goods (catalogue_port.go); nil hides the catalogue and selling
	// from it.
	Catalogue Catalogue
	// PriceLists imports and exports the catalogue as a price list (pricelist_port.go); nil
	// hides «Импорт и экспорт товаров».
	PriceLists PriceLists
	// ReceiptMail mails a receipt to its buyer through the owner's hub (mailreceipt.go); nil
	// hides «На e-mail покупателя».
	ReceiptMail ReceiptMailer

	// Onboarding is the owner's cabinet on the hub (onboarding_port.go); nil hides the start
	// page's «Я владелец» and the owner mode's way to it.
	Onboarding Onboarding
	// ChooseFile asks for a file to read (the ЭЦП's key file, the hub's certificate in the
	// cabinet); nil: Fyne's file dialog in the window.
	ChooseFile func(done func(fyne.URIReadCloser, error))

	// DemoCode is the demo cashier's quick-access code, shown on the lock screen while the
	// register is the demo one (Status.Demo). Empty: no hint.
	DemoCode string
	// DemoReset starts the demo over (settings, demo only): the app closes and its next start
	// is a new demo. Nil: no button.
	DemoReset func()
}

// Profiles keeps the cashiers of this device and checks their quick-access code. The code itself
// is never kept, only a slow salted hash of it: that is the implementation's business.
type Profiles interface {
	// HasProfile reports whether a cashier profile exists, that is whether the first start is over.
	HasProfile(ctx context.Context) (bool, error)
	// CreateCashier creates a cashier with a quick-access code of 4–6 digits (already checked by
	// the screen) and returns the cashier as stored.
	CreateCashier(ctx context.Context, p NewCashier) (kkm.Cashier, error)
	// CheckCode returns the cashier whose quick-access code this is. A wrong code, or a try made
	// too soon after wrong ones, is a *WrongCodeError that says how long to wait before the next.
	CheckCode(ctx context.Context, code string) (kkm.Cashier, error)
}

// NewCashier is a cashier profile as the first-start screen collects it.
type NewCashier struct {
	Name  string
	Email string // optional
	Code  string // the quick-access code, 4–6 digits
}

// WrongCodeError refuses a quick-access code: either it was wrong, or it came before the wait
// imposed by earlier wrong codes had passed. Wait is how long the cashier must wait before the
// next try (zero: try again at once); the wait grows with each wrong code.
type WrongCodeError struct {
	Wait     time.Duration
	TooEarly bool // the code was not checked because the wait had not passed
}

// Error describes the refusal for logs.
func (e *WrongCodeError) Error() string {
	if e.TooEarly {
		return "ui: quick-access code tried too early, wait " + e.Wait.String()
	}
	return "ui: wrong quick-access code, wait " + e.Wait.String()
}

// MessageID is the key of the refusal's text.
func (e *WrongCodeError) MessageID() string {
	switch {
	case e.TooEarly:
		return "err.profile.code_wait"
	case e.Wait > 0:
		return "err.profile.code_wrong_wait"
	}
	return "err.profile.code_wrong"
}

// TemplateData gives the wait in whole seconds, rounded up, as {{.Seconds}}.
func (e *WrongCodeError) TemplateData() map[string]any {
	return map[string]any{"Seconds": int64((e.Wait + time.Second - 1) / time.Second)}
}

// OFD is an OFD the register can connect to, as the connect screen lists it.
type OFD struct {
	ID        string // kkm.OFD's ID, sent back in ConnectRequest.OFDID
	NameID    string // message ID of its name: "connect.ofd.<ID>"
	Address   string // host:port; empty when the OFD does not publish it (typed from its cabinet)
	CheckSite string // where buyers check its receipts, without the scheme: "ofd1.kz/t"
}

// The OFDs the connect screen offers; a cashier may also type another address.
const (
	KazakhtelecomAddress     = "xml.oofd.kz:7777"    // АО «Казахтелеком», production
	KazakhtelecomTestAddress = "37.150.215.187:7777" // АО «Казахтелеком», test server
)

// KnownOFDs lists the OFDs the connect screen offers, the default first: kkm's table of OFDs
// (kkm.OFDs), the one place their addresses and check sites are kept.
func KnownOFDs() []OFD {
	var out []OFD
	for _, o := range kkm.OFDs() {
		site := strings.TrimPrefix(strings.TrimPrefix(o.CheckBase, "https://"), "http://")
		out = append(out, OFD{ID: o.ID, NameID: "connect.ofd." + o.ID, Address: o.Address,
			CheckSite: strings.TrimRight(site, "/")})
	}
	return out
}

// Connector creates a register: a fresh serial number for «Новая касса», and the connection of a
// register registered in the OFD's cabinet («Подключить кассу»).
type Connector interface {
	// NewSerialNumber generates the serial number (ZNM) of a new software register.
	NewSerialNumber() (string, error)
	// Connect asks the OFD at req.OFDAddress for the registration of the register with this system
	// ID and token (the INFO request) and, when it answers, saves it so that the register opens.
	// Errors carry message IDs and are distinct for an unknown system ID, a bad token and no
	// network (the OFD client's "err.ofd.*" errors, or the Connect* codes of this package).
	Connect(ctx context.Context, req ConnectRequest) (kkm.RegInfo, error)
}

// ConnectRequest is what the connect screen collects.
type ConnectRequest struct {
	// OFDID names the OFD picked from KnownOFDs (empty for an address typed under «other»): its
	// name and check site go into the registration, for the receipts and the offline links.
	OFDID      string
	OFDAddress string
	SystemID   uint32
	Token      uint32
}

// Refusal is a refusal the screens or the adapters report with a stable message ID, like kkm.Code.
type Refusal string

// Error returns the message ID.
func (r Refusal) Error() string { return string(r) }

// MessageID returns the message ID.
func (r Refusal) MessageID() string { return string(r) }

// The refusals of this package. The adapters may return the Connect* ones when the OFD client
// does not give a more precise error.
const (
	ErrCodeFormat       Refusal = "err.profile.code_format"   // the quick-access code is not 4–6 digits
	ErrCodeMismatch     Refusal = "err.profile.code_mismatch" // the two entries differ
	ErrEmailFormat      Refusal = "err.profile.email_format"  // not an e-mail address
	ErrSystemID         Refusal = "err.connect.system_id"     // not a number
	ErrToken            Refusal = "err.connect.token"         // not a number
	ErrConnectUnknownID Refusal = "err.connect.unknown_id"    // the OFD does not know the system ID
	ErrConnectBadToken  Refusal = "err.connect.bad_token"     // the OFD refused the token
	ErrConnectNoNetwork Refusal = "err.connect.no_network"    // the OFD cannot be reached
	ErrNothingToReturn  Refusal = "err.return.nothing"        // no line or amount chosen
	ErrNotFound         Refusal = "err.search.not_found"      // no receipt with that number
	ErrDateFormat       Refusal = "err.history.date_format"   // a date not as dd.mm.yyyy
	ErrShiftFormat      Refusal = "err.history.shift_format"  // a shift number not a number
)

// RefusalIDs lists the message IDs of this package's errors, for the translation test.
func RefusalIDs() []string {
	ids := []string{"err.profile.code_wait", "err.profile.code_wrong_wait", "err.profile.code_wrong",
		errPrinterUnreachable, errShareSave}
	for _, r := range []Refusal{ErrCodeFormat, ErrCodeMismatch, ErrEmailFormat, ErrSystemID, ErrToken,
		ErrConnectUnknownID, ErrConnectBadToken, ErrConnectNoNetwork, ErrNothingToReturn, ErrNotFound,
		ErrDateFormat, ErrShiftFormat, ErrPrinterNotSet, ErrPrinterAddress} {
		ids = append(ids, string(r))
	}
	for _, r := range adminRefusals() {
		ids = append(ids, string(r))
	}
	ids = append(ids, errBackupSave, errBackupRead, errCardExceedsLeft, errDateInvalid)
	ids = append(ids, errMarkingEnough, errMarkingPhoto, errMarkedGroupMissing)
	ids = append(ids, errItemArchived, errScanUnknown)
	return ids
}

// StatusLine is the register's state as the status line shows it. The methods may be called from
// the UI goroutine: they do not wait on the journal or the OFD.
type StatusLine interface {
	// Status is the register's state for the status line. It is cheap and computes the time left
	// at the moment of the call.
	Status() Status
	// Subscribe calls f, from any goroutine, whenever the status changes (a document queued or
	// sent, offline mode entered or left, a block). The returned func ends the subscription.
	Subscribe(f func(Status)) (cancel func())
	// SetNetworkCut cuts or restores the demo emulator's network; only in demo mode.
	SetNetworkCut(cut bool) error
}

// SettingsStore is the register's settings («Настройки»), the receipt printer's among them, and
// its token.
type SettingsStore interface {
	// Settings returns the register's settings.
	Settings() kkm.Settings
	// SaveSettings validates and saves the settings, when the cashier by may (the runtime checks
	// the role again: kkm.ActionSettings, and kkm.ActionPermissions for the permissions).
	SaveSettings(ctx context.Context, by kkm.Operator, s kkm.Settings) error
	// ChangeToken checks a new token with the OFD and saves it («Смена токена»); it lifts a block
	// for an invalid token. The cashier by needs kkm.ActionChangeToken.
	ChangeToken(ctx context.Context, by kkm.Operator, token uint32) error
}

// Issuer issues the register's documents. The issuing methods take the cashier who unlocked the
// app (by), recorded on the document, and may wait on the journal or the OFD: the screens call
// them off the UI goroutine.
type Issuer interface {
	// Preview computes a receipt without issuing it, for the preview screen and running totals.
	Preview(d kkm.ReceiptDraft) (kkm.Receipt, error)
	// IssueReceipt issues a sale, purchase or return. The document is in the journal when it
	// returns; FiscalSign is set if the OFD answered in time.
	IssueReceipt(ctx context.Context, by kkm.Operator, d kkm.ReceiptDraft) (Issued, error)
	// CashIn records cash put into the drawer.
	CashIn(ctx context.Context, by kkm.Operator, amount kkm.Money) (Issued, error)
	// CashOut records cash taken from the drawer.
	CashOut(ctx context.Context, by kkm.Operator, amount kkm.Money) (Issued, error)
	// XReport makes the X report of the open shift.
	XReport(ctx context.Context, by kkm.Operator) (Issued, error)
	// CloseShift closes the shift with a Z report; with auto cash-out on, a cash out of the whole
	// drawer comes first, in the same Issued.
	CloseShift(ctx context.Context, by kkm.Operator) (Issued, error)
}

// JournalReader reads what the journal holds, and hands on the OFD's answers as they come back.
// Methods that take a context may wait on the journal; the screens call them off the UI goroutine.
type JournalReader interface {
	// RecentReceipts lists the latest sales and purchases, newest first, for the return screen.
	RecentReceipts(ctx context.Context, limit int) ([]IssuedDocument, error)
	// FindReceipt finds a receipt by its fiscal sign, offline number or journal number; not found
	// is ErrNotFound.
	FindReceipt(ctx context.Context, number string) (IssuedDocument, error)
	// Returnable says what of a receipt may still be returned, after the returns already made.
	Returnable(ctx context.Context, seq int64) (Returnable, error)
	// History lists documents, newest first, a page at a time.
	History(ctx context.Context, f HistoryFilter) (HistoryPage, error)
	// Document reads one document of the journal by its sequence number (IssuedDocument.Seq),
	// with what the OFD has answered for it so far; not found is ErrNotFound. The document
	// screen reads each waiting document once when it opens; later answers come by
	// SubscribeAnswers.
	Document(ctx context.Context, seq int64) (IssuedDocument, error)
	// SubscribeAnswers calls f, from any goroutine, with the OFD's answer to each document as
	// the sender completes it (accepted, or set aside refused), after the journal committed it.
	// The returned func ends the subscription.
	SubscribeAnswers(f func(Answer)) (cancel func())
}

// Answer is the OFD's answer to one document as it comes back: what the document screen needs to
// show a waiting document as answered or refused, without reading the journal again.
type Answer struct {
	Seq        int64  // the document's IssuedDocument.Seq
	FiscalSign string // empty for cash in, cash out and Z reports, and when refused
	QRLink     string // the OFD's check link of a receipt; empty otherwise
	// Refused is why the OFD refused the document for good (it was set aside), translatable;
	// nil when accepted.
	Refused error
}

// apply gives d the answer a.
func (a Answer) apply(d IssuedDocument) IssuedDocument {
	if a.Refused != nil {
		d.Refused = a.Refused
		return d
	}
	d.Answered = true
	d.FiscalSign = a.FiscalSign
	if a.QRLink != "" {
		d.QRLink = a.QRLink
	}
	return d
}

// Status is what the status line shows.
type Status struct {
	Registered   bool   // a register is connected; otherwise the start page shows
	RegisterName string // «Название кассы»
	Demo         bool   // the demo register on the embedded emulator
	NetworkCut   bool   // demo only: the emulator's network is cut

	ShiftOpen   bool
	ShiftNumber uint32        // the open shift, or the last closed one
	ShiftLeft   time.Duration // time left of the open shift's limit (24 h)

	Online       bool          // the outbox is empty and the last exchange succeeded
	OfflineSince time.Time     // when offline mode began (zero when online)
	Waiting      int           // documents waiting in the outbox
	OfflineLeft  time.Duration // time left before the offline limit (72 h) blocks the register

	Block     Block  // why the register refuses documents, or BlockNone
	BlockText string // the OFD's own text for a server block
	OnlyZ     bool   // the shift is past its limit: only the Z report is allowed
	// ShiftLimit is how long a shift may last: 24 h, or the OFD's own where it showed itself
	// shorter (its code 11).
	ShiftLimit time.Duration
	// Refused is the document the OFD refused for its content: waiting at the head of the queue
	// with BlockRefused (the way out is SetAside or Retry), or, with OnlyZ, the receipt it
	// refused with code 11, already set aside. Nil otherwise.
	Refused *RefusedDocument
	// Fault is the journal's fault with BlockJournal, translatable (what happened, the way out).
	Fault error

	CashInDrawer kkm.Money
	// ClockGap is the device's clock minus the OFD's when they differ by more than the app's
	// warning gap (2 minutes), else 0 (also while the OFD's time is not known).
	ClockGap time.Duration
}

// Block is why the register refuses documents.
type Block string

// The blocks. Each has a message ID "status.block.<value>" and a way out on the status line.
const (
	BlockNone            Block = ""
	BlockToken           Block = "token"            // the OFD refused the token: «Смена токена»
	BlockUnknownRegister Block = "unknown_register" // the OFD does not know the register
	BlockServer          Block = "server"           // the OFD blocked the register (BlockText says why)
	BlockProtocol        Block = "protocol"         // the OFD refused the register's messages
	BlockShiftExpired    Block = "shift_expired"    // the shift is past 24 h: only the Z report
	BlockOfflineLimit    Block = "offline_limit"    // offline past the limit: reconnect
	BlockRefused         Block = "refused"          // the OFD refused a document for its content (Status.Refused)
	BlockJournal         Block = "journal"          // the journal failed (Fault says how): backup, restore
)

// RefusedDocument is a document the OFD refused for its content, for the status line: which
// document (its title is built from it) and why.
type RefusedDocument struct {
	Seq      int64
	Document kkm.Document
	// Reason is the OFD's refusal, translatable (its result code's message with the OFD's text).
	Reason error
	// SetAside is whether it is already marked refused and out of the counters.
	SetAside bool
}

// Blocks lists every block but BlockNone, for the translation test.
func Blocks() []Block {
	return []Block{BlockToken, BlockUnknownRegister, BlockServer, BlockProtocol, BlockShiftExpired, BlockOfflineLimit, BlockRefused, BlockJournal}
}

// IssuedDocument is a document from the journal with what the OFD answered for it.
type IssuedDocument struct {
	Seq        int64 // the journal's sequence number
	Document   kkm.Document
	FiscalSign string // empty until the OFD answers (offline documents), and always for cash in/out and Z
	QRLink     string // the OFD's link, or the locally built one offline; empty for reports
	// Answered is whether the OFD has answered for the document. Receipts come back with a
	// fiscal sign; cash in, cash out and the Z report carry none, so their answer shows only here.
	Answered bool
	// Refused is why the OFD refused the document for good, a translatable error (nil unless
	// it did): the document stays in the journal but is not counted (design.md §3, 11).
	Refused error
}

// FiscalMark is what the OFD answered for the document, as package kkm lays it out on the printed
// and shown receipt.
func (d IssuedDocument) FiscalMark() kkm.FiscalMark {
	return kkm.FiscalMark{Sign: d.FiscalSign, QRLink: d.QRLink, Accepted: d.Answered || d.FiscalSign != ""}
}

// Issued is what an operation produced, in order (a cash out before its Z report).
type Issued []IssuedDocument

// Last returns the last document issued (the Z report of a CloseShift).
func (is Issued) Last() IssuedDocument {
	if len(is) == 0 {
		return IssuedDocument{}
	}
	return is[len(is)-1]
}

// Returnable is what of a receipt may still be returned.
type Returnable struct {
	Original IssuedDocument
	Parent   kkm.ParentReceipt // the original as a return names it
	Left     kkm.Money         // the amount still returnable
	Lines    []ReturnableLine  // extended mode: per line of the original
	// State is what is left to return, line by line and per payment type (kkm.ReturnStateOf):
	// the screen builds the return from it with kkm.ComputeReturn, as the register checks it.
	State kkm.ReturnState
}

// ReturnableLine is one line of an original receipt and how much of it is left to return.
type ReturnableLine struct {
	Line kkm.Line     // the original line
	Left kkm.Quantity // the quantity still returnable
	// Codes are the marking codes of the line's units not yet returned (a marked line only):
	// a return of marked units names which of them come back.
	Codes []string
}

// HistoryFilter selects documents for «История отчетов и чеков». Zero fields select everything;
// the fields given all apply.
type HistoryFilter struct {
	Shift     uint32           // shift number
	From      time.Time        // from this moment
	To        time.Time        // before this moment
	Kind      kkm.DocumentKind // one kind of document
	Operation HistoryOperation // receipts of one operation (implies Kind receipt)
	State     HistoryState     // documents in one state of their way to the OFD
	// Number is a receipt's fiscal sign, offline number or number within its shift (digits).
	Number string
	// AmountFrom and AmountTo bound the document's total: AmountFrom ≤ total ≤ AmountTo, a zero
	// bound open; equal bounds select one amount.
	AmountFrom, AmountTo kkm.Money

	// Before is the keyset cursor: the Seq of the last document of the page before (0: the
	// first page). A page costs the same however deep into the journal it is.
	Before int64
	Limit  int // the page size
}

// HistoryOperation narrows the history to receipts of one operation.
type HistoryOperation string

// The operations; HistoryAnyOperation selects every document.
const (
	HistoryAnyOperation   HistoryOperation = ""
	HistorySale           HistoryOperation = "sale"
	HistorySaleReturn     HistoryOperation = "sale_return"
	HistoryPurchase       HistoryOperation = "purchase"
	HistoryPurchaseReturn HistoryOperation = "purchase_return"
)

// HistoryState narrows the history to documents in one state of their way to the OFD. A document
// issued offline and answered since is both offline and fiscalised.
type HistoryState string

// The states; HistoryAnyState selects every document.
const (
	HistoryAnyState   HistoryState = ""
	HistoryFiscalised HistoryState = "fiscalised" // the OFD has answered
	HistoryWaiting    HistoryState = "waiting"    // in the outbox, not answered yet
	HistoryOffline    HistoryState = "offline"    // issued in offline mode
	HistoryRefused    HistoryState = "refused"    // refused by the OFD, not counted
)

// HistoryPage is one page of history.
type HistoryPage struct {
	Documents []IssuedDocument
	More      bool // there are further documents after this page
}

// Access checks the owner's permissions («кто может делать возвраты, закрывать смену, менять
// настройки и токен»).
type Access interface {
	// Allow says whether the cashier may do a restricted action; the refusal is a
	// *kkm.RoleError with its own message.
	Allow(ctx context.Context, by kkm.Operator, a kkm.Action) error
}

// Recovery is the way out of a refusal whose cause a person has fixed.
type Recovery interface {
	// Retry leaves a protocol block (BlockProtocol, BlockRefused) and sends the waiting
	// document again.
	Retry(ctx context.Context) error
	// SetAside is the way out of BlockRefused: the refused document is marked refused, leaves
	// the shift's counters and the queue, and the register goes on; the cashier then issues a
	// corrected one.
	SetAside(ctx context.Context) error
	// ConfirmClock accepts the device's clock as it is after an "err.clock.jumped" refusal.
	ConfirmClock()
	// CorrectClock is the way back after documents were dated in the future ("err.clock.backwards"
	// with the clock right again): with the OFD's time confirming the device's, the forward-only
	// mark moves back to it, recorded. An administrator's (by) action.
	CorrectClock(ctx context.Context, by kkm.Operator) (kkm.ClockCorrection, error)
}

// JournalCare is the journal's backup, restore and integrity check («Резервная копия»,
// «Восстановить», «Проверить журнал»). Each returns how many documents the journal holds or
// was checked.
type JournalCare interface {
	// Backup writes a verified copy of the journal, encrypted with password, to the file at path.
	// Only an administrator (by) may.
	Backup(ctx context.Context, by kkm.Operator, path, password string) (int64, error)
	// Restore replaces the journal with the backup at path, decrypted with password; it refuses
	// a wrong password, a journal of another register, an older one and a broken one. Only an
	// administrator (by) may, or anyone on a device with no cashier yet. The cashiers are the
	// backup's afterwards, so the screens lock.
	Restore(ctx context.Context, by kkm.Operator, path, password string) (int64, error)
	// CheckIntegrity verifies the whole hash chain; a broken one is an "err.journal.tampered".
	CheckIntegrity(ctx context.Context) (int64, error)
}

// CashierAdmin manages the cashiers of this device. The changes are the administrator's
// (kkm.ActionCashiers, checked again here with by); the last administrator can be neither removed
// nor given a lesser role (ErrLastAdministrator).
type CashierAdmin interface {
	// Cashiers lists the cashiers, in the order they were added.
	Cashiers(ctx context.Context) ([]kkm.Cashier, error)
	// AddCashier adds a cashier with a role, an operator code (0: the next free one) and a
	// quick-access code no other cashier has.
	AddCashier(ctx context.Context, by kkm.Operator, c CashierForm) (kkm.Cashier, error)
	// SetCashierRole gives the cashier with this ID another role.
	SetCashierRole(ctx context.Context, by kkm.Operator, id int64, role kkm.Role) error
	// RemoveCashier removes the cashier with this ID.
	RemoveCashier(ctx context.Context, by kkm.Operator, id int64) error
}

// CashierForm is a cashier as the administrator adds one.
type CashierForm struct {
	Name         string
	Role         kkm.Role
	OperatorCode uint32 // the code the OFD knows the cashier by; 0: the next free one
	Code         string // the quick-access code, 4–6 digits, already typed twice
}

// The refusals of cashier management.
const (
	ErrLastAdministrator Refusal = "err.cashier.last_admin"    // the last administrator stays one
	ErrCashierCodeTaken  Refusal = "err.cashier.code_taken"    // another cashier has this quick-access code
	ErrOperatorCode      Refusal = "err.cashier.operator_code" // the operator code is not a number
	ErrCashierNotFound   Refusal = "err.cashier.not_found"     // no cashier with this ID
	ErrCashierSelf       Refusal = "err.cashier.remove_self"   // a cashier cannot remove themselves
)

// adminRefusals lists the refusals above, for RefusalIDs.
func adminRefusals() []Refusal {
	return []Refusal{ErrLastAdministrator, ErrCashierCodeTaken, ErrOperatorCode, ErrCashierNotFound, ErrCashierSelf}
}
