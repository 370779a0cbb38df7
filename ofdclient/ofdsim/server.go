// Package ofdsim is an OFD emulator: it speaks the KGD protocol 2.0.3 over TCP exactly as the
// register's client expects an OFD such as Kazakhtelecom's to, keeps a ledger per register, and
// misbehaves on request. Tests, benchmarks and the app's demo mode run it on loopback; the
// command cmd/ofdsim runs it standalone.
//
// Like the real OFD it answers one request per connection: it reads one frame, answers one
// frame and closes. The ledger follows the rules of the fact sheet §4.1: document commands
// (TICKET, MONEY_PLACEMENT, CLOSE_SHIFT) are accepted only with the last issued token and a new
// REQNUM and then rotate the token; a retry with the same token, REQNUM and command is answered
// with the stored answer, byte for byte, and is not counted again; the same token and REQNUM with
// another command gets 9; the current token with the previous document's REQNUM gets 8; any other
// token gets 2; REPORT is answered without a token check; INFO and SYSTEM check the token and do
// not rotate it; an unknown device ID gets 1.
//
// What it receives is checked: the register's position in every fiscal request (see checkGeo),
// sums, VAT, payments and change, the parent receipt of a return,
// the buyer's IIN/BIN, the shift's age, the cash in the drawer, and the Z report's counters
// against its own; a refusal carries a result text saying what is wrong.
//
// The OFD side is written apart from the register's on purpose: ofdsim shares only the frame
// codec and the pb messages with ofdclient, imports nothing of kkm, and computes VAT, the spreading of a receipt's discount over its
// lines, the counters and the Z report's check from the wire messages alone. What looks like
// code written twice (spread here and in kkm, say) is that second, independent reading of the
// protocol, so that a mistake in the register's own rules cannot pass its own emulator unseen.
//
// It must not import storage, delivery, app or ui: it stands alone, behind cmd/ofdsim.
package ofdsim

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/ekassa-go/ekassa/ofdclient"
)

// ErrServerClosed is returned by Serve after Close.
var ErrServerClosed = errors.New("ofdsim: server closed")

// ErrUnknownRegister is returned by the inspection and control methods for an ID the emulator
// has no register for.
var ErrUnknownRegister = errors.New("ofdsim: unknown register")

// DefaultQRBase is the receipt-check address of Kazakhtelecom's OFD, the base of the QR links.
const DefaultQRBase = "http://consumer.oofd.kz"

// Options configure an emulator. The zero value is usable.
type Options struct {
	// Clock is the emulator's clock, for the 24-hour shift rule and the times of reports.
	// Nil means time.Now.
	Clock func() time.Time
	// ShiftLimit is how long a shift may stay open before documents get code 11. Zero means 24 h
	// (Webkassa's 12 h, say, is a shorter one).
	ShiftLimit time.Duration
	// ShiftLimitOffline also refuses offline catch-up documents with code 11 past the shift
	// limit. The protocol exempts them (fact sheet §3.1), and so does the emulator by default,
	// but an OFD that does not must not leave a register stuck either.
	ShiftLimitOffline bool
	// QRBase is the receipt-check address of QR links. Empty means DefaultQRBase.
	QRBase string
	// FrameLimit is the largest request frame accepted; a larger one gets the connection closed.
	// Zero means ofdclient.DefaultFrameLimit.
	FrameLimit int
	// IOTimeout bounds reading a request and writing an answer. Zero means 10 s.
	IOTimeout time.Duration
	// Seed seeds the fiscal signs and tokens the emulator issues, so runs can be repeated.
	Seed uint64
	// LogLimit is how many connections the request log keeps (the oldest are dropped).
	// Zero means 10 000.
	LogLimit int
	// Logger, when set, gets a record of every exchange.
	Logger *slog.Logger
	// Verbose adds the decoded request and answer to the Logger's records.
	Verbose bool
	// AllowMissingGeo accepts fiscal requests without service.security_stats.geo_position, as
	// an OFD of protocol 2.0.2 would. By default they are refused (see checkGeo).
	AllowMissingGeo bool
	// StateFile, when set, keeps the ledgers in this file (persist.go): New loads what it holds
	// (its seed replaces Seed, and a register it already holds keeps its ledger over the
	// RegisterConfig passed), and every document request that reaches a ledger is synced to it
	// before the answer leaves. Empty keeps the ledgers in memory only.
	StateFile string
}

// Server is an OFD emulator. Its methods are safe for concurrent use.
type Server struct {
	opts  Options
	clock func() time.Time

	mu        sync.Mutex
	ledgers   map[uint32]*ledger
	faults    faultQueue
	rng       *rand.Rand
	signs     map[string]bool
	log       []LogEntry
	listener  net.Listener
	addr      net.Addr
	cut       bool
	restored  chan struct{} // closed when a network cut ends; replaced at each cut
	closed    bool
	state     *stateLog // the state file, nil without Options.StateFile
	done      chan struct{}
	conns     map[net.Conn]struct{}
	handlers  sync.WaitGroup
	listening bool
}

// New returns an emulator with the given registers. It listens nowhere until Start or Serve.
func New(opts Options, registers ...RegisterConfig) (*Server, error) {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.ShiftLimit == 0 {
		opts.ShiftLimit = 24 * time.Hour
	}
	if opts.QRBase == "" {
		opts.QRBase = DefaultQRBase
	}
	if opts.FrameLimit == 0 {
		opts.FrameLimit = ofdclient.DefaultFrameLimit
	}
	if opts.IOTimeout == 0 {
		opts.IOTimeout = 10 * time.Second
	}
	if opts.LogLimit == 0 {
		opts.LogLimit = 10000
	}
	s := &Server{
		opts:     opts,
		clock:    opts.Clock,
		ledgers:  map[uint32]*ledger{},
		rng:      newRNG(opts.Seed),
		signs:    map[string]bool{},
		restored: make(chan struct{}),
		done:     make(chan struct{}),
		conns:    map[net.Conn]struct{}{},
	}
	close(s.restored)
	if opts.StateFile != "" {
		if err := s.openState(opts.StateFile); err != nil {
			return nil, err
		}
	}
	for _, r := range registers {
		if s.state != nil && s.ledgers[r.ID] != nil {
			continue // the state file's ledger, not a new one
		}
		if err := s.AddRegister(r); err != nil {
			s.closeState()
			return nil, err
		}
	}
	return s, nil
}

func newRNG(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// AddRegister registers a register with the emulator, as the OFD cabinet does.
func (s *Server) AddRegister(cfg RegisterConfig) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ledgers[cfg.ID]; ok {
		return fmt.Errorf("ofdsim: register %d already exists", cfg.ID)
	}
	if cfg.TradingPoint.Latitude == 0 && cfg.TradingPoint.Longitude == 0 {
		cfg.TradingPoint.Latitude, cfg.TradingPoint.Longitude = defaultLatitude, defaultLongitude
	}
	if s.state != nil {
		b, err := json.Marshal(cfg)
		if err != nil {
			return fmt.Errorf("ofdsim: register %d: %w", cfg.ID, err)
		}
		if err := s.persistLocked(recRegister, b); err != nil {
			return err
		}
	}
	s.ledgers[cfg.ID] = newLedger(cfg)
	return nil
}

// Start listens on addr (for example "127.0.0.1:0") and serves in the background until ctx ends
// or Close is called.
func (s *Server) Start(ctx context.Context, addr string) error {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("ofdsim: listening on %s: %w", addr, err)
	}
	if err := s.setListener(l); err != nil {
		l.Close()
		return err
	}
	go s.serve()
	go func() {
		select {
		case <-ctx.Done():
			s.Close()
		case <-s.done:
		}
	}()
	return nil
}

// Serve accepts connections on l until Close, answering each in its own goroutine. It returns
// ErrServerClosed after Close, or the listener's error.
func (s *Server) Serve(l net.Listener) error {
	if err := s.setListener(l); err != nil {
		return err
	}
	return s.serve()
}

func (s *Server) setListener(l net.Listener) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrServerClosed
	}
	if s.listening {
		return errors.New("ofdsim: already serving")
	}
	s.listening = true
	s.listener, s.addr = l, l.Addr()
	return nil
}

// serve is the accept loop. A network cut closes the listener; the loop then waits for the
// network to come back, when a new listener on the same address takes over.
func (s *Server) serve() error {
	for {
		s.mu.Lock()
		l, restored, closed := s.listener, s.restored, s.closed
		s.mu.Unlock()
		if closed {
			return ErrServerClosed
		}
		if l == nil {
			select {
			case <-restored:
			case <-s.done:
			}
			continue
		}
		conn, err := l.Accept()
		if err != nil {
			s.mu.Lock()
			replaced := s.listener != l
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return ErrServerClosed
			}
			if replaced {
				continue
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("ofdsim: accepting: %w", err)
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			conn.Close()
			return ErrServerClosed
		}
		s.conns[conn] = struct{}{}
		s.handlers.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.handlers.Done()
			s.handle(conn)
			s.mu.Lock()
			delete(s.conns, conn)
			s.mu.Unlock()
		}()
	}
}

// Addr is the address the emulator listens on ("" before Start or Serve).
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.addr == nil {
		return ""
	}
	return s.addr.String()
}

// Close stops listening, closes every open connection and waits for their handlers.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	var err error
	if s.listener != nil {
		err = s.listener.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.handlers.Wait()
	s.closeState()
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("ofdsim: closing: %w", err)
	}
	return nil
}

// SetNetworkCut cuts the network (true): the listener is closed, so every connection attempt is
// refused, until the network is restored (false) and the emulator listens again on the same
// address. The ledgers are untouched. Demo mode uses it to show offline work.
func (s *Server) SetNetworkCut(cut bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrServerClosed
	}
	if cut == s.cut {
		return nil
	}
	if cut {
		s.cut = true
		s.restored = make(chan struct{})
		if s.listener != nil {
			l := s.listener
			s.listener = nil
			return l.Close()
		}
		return nil
	}
	if s.addr != nil {
		l, err := net.Listen(s.addr.Network(), s.addr.String())
		if err != nil {
			return fmt.Errorf("ofdsim: listening again on %s: %w", s.addr, err)
		}
		s.listener = l
	}
	s.cut = false
	close(s.restored)
	return nil
}

// NetworkCut reports whether the network is cut.
func (s *Server) NetworkCut() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cut
}

// Inject queues a fault for the next `times` connections (after any fault already queued).
func (s *Server) Inject(f Fault, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.push(f, times)
}

// InjectResult answers the next n requests with the result code and text, without processing them.
func (s *Server) InjectResult(code uint32, text string, n int) {
	s.Inject(Fault{Kind: FaultResult, Code: code, Text: text}, n)
}

// PendingFaults is how many injected faults are still waiting for a connection.
func (s *Server) PendingFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.pending()
}

// ClearFaults drops every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = faultQueue{}
}

// Block puts a register in server block: every request but INFO is answered with code 15, and
// every answer carries info as a TICKET_AD_INFO text, until Unblock.
func (s *Server) Block(id uint32, info string) error {
	return s.setBlock(id, true, info)
}

// Unblock lifts a register's server block.
func (s *Server) Unblock(id uint32) error {
	return s.setBlock(id, false, "")
}

func (s *Server) setBlock(id uint32, blocked bool, info string) error {
	var perr error
	err := s.withLedger(id, func(l *ledger) {
		b, _ := json.Marshal(blockRecord{ID: id, Blocked: blocked, Info: info})
		if perr = s.persistLocked(recBlock, b); perr == nil {
			l.blocked, l.info = blocked, info
		}
	})
	if err != nil {
		return err
	}
	return perr
}

// SetToken sets a register's token, as a token reset in the OFD cabinet does. The retry of the
// last document is then no longer replayed: the old token chain is over.
func (s *Server) SetToken(id, token uint32) error {
	var perr error
	err := s.withLedger(id, func(l *ledger) {
		b := binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, id), token)
		if perr = s.persistLocked(recToken, b); perr == nil {
			l.token, l.last = token, nil
		}
	})
	if err != nil {
		return err
	}
	return perr
}

// Token is the token a register's next document must carry.
func (s *Server) Token(id uint32) (uint32, error) {
	var t uint32
	err := s.withLedger(id, func(l *ledger) { t = l.token })
	return t, err
}

// Ledger returns a snapshot of a register's ledger.
func (s *Server) Ledger(id uint32) (LedgerView, error) {
	var v LedgerView
	err := s.withLedger(id, func(l *ledger) { v = l.snapshot(wallClock(s.clock())) })
	return v, err
}

// Log returns the request log, oldest first: every connection, what arrived and what was answered.
func (s *Server) Log() []LogEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]LogEntry(nil), s.log...)
}

func (s *Server) withLedger(id uint32, f func(*ledger)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.ledgers[id]
	if !ok {
		return fmt.Errorf("%w: %d", ErrUnknownRegister, id)
	}
	f(l)
	return nil
}

// appendLog records an exchange, dropping the oldest beyond the limit. Called with s.mu held.
func (s *Server) appendLog(e LogEntry) {
	if len(s.log) >= s.opts.LogLimit {
		n := copy(s.log, s.log[len(s.log)-s.opts.LogLimit+1:])
		s.log = s.log[:n]
	}
	s.log = append(s.log, e)
}
