package hub

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// maxPushBytes bounds one push's body: a batch of documents, each a receipt of at most a few
// hundred kilobytes. A register pushes in batches well under it.
const maxPushBytes = 16 << 20

// Server is the hub's HTTP API:
//
//	POST /v1/push        a register's batch of documents (PushRequest → PushResult)
//	GET  /v1/cursor      where the hub's copy of the calling register ends (Cursor)
//	POST /v1/safe        the register's answers and sealed snapshot (SafePush → Cursor)
//	GET  /v1/safe        a page of the register's safe for a restore: after (Safe)
//	GET  /v1/registers   the owner's registers with their cursors
//	GET  /v1/documents   the owner's documents: from, to (RFC 3339), register, limit
//	GET  /v1/analytics   the owner's figures: from, to, by (shop, register, cashier, hour)
//	GET  /v1/export.csv  the owner's documents of a period (from, to) as CSV
//	PUT  /v1/catalogue   the owner's changes of the organization's catalogue ([]CatalogueItem)
//	GET  /v1/catalogue   its changes after a version (after, limit), for a register or the owner
//	POST /v1/catalogue/register  a register's own changes ([]RegisterItem → []RegisterItemResult)
//	GET  /v1/catalogue/settings  whether registers may change the catalogue (CatalogueSettings)
//	PUT  /v1/catalogue/settings  the owner turns it on or off
//
// Every call carries its credential as "Authorization: Bearer <secret>".
type Server struct {
	store *Store
	log   *log.Logger
	// Onboarding, when set, serves the onboarding calls (the manual's steps 1–6):
	//
	//	POST /v1/signup             {email}: a code goes to the address (→ {code} in demo, ShowCode)
	//	POST /v1/confirm            {email, code} → {organization, credential}
	//	GET  /v1/organization       (owner) → OrganizationInfo
	//	POST /v1/challenge          (owner) → {challenge}
	//	POST /v1/bind               (owner) BindRequest → {iin_bin}
	//	GET  /v1/trade-points       (owner) → []TradePoint
	//	POST /v1/trade-points       (owner) TradePoint → TradePoint
	//	GET  /v1/applications       (owner) → []Application, as last known
	//	POST /v1/applications       (owner) RegisterApplication → {register, credential, application}
	//	GET  /v1/applications/{id}  (owner) → Application, asked anew of the OFD's cabinet
	Onboarding *Onboarding
	// Mail, when set, sends receipts to buyers (POST /v1/receipts/email, a register's ReceiptMail).
	Mail Mailer
}

// NewServer returns the API over store; logger may be nil.
func NewServer(store *Store, logger *log.Logger) *Server {
	return &Server{store: store, log: logger}
}

// Handler returns the API's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/push", s.asRegister(s.push))
	mux.HandleFunc("GET /v1/cursor", s.asRegister(s.cursor))
	mux.HandleFunc("POST /v1/safe", s.asRegister(s.putSafe))
	mux.HandleFunc("GET /v1/safe", s.asRegister(s.safe))
	mux.HandleFunc("GET /v1/registers", s.asOwner(s.registers))
	mux.HandleFunc("GET /v1/documents", s.asOwner(s.documents))
	mux.HandleFunc("GET /v1/analytics", s.asOwner(s.analytics))
	mux.HandleFunc("GET /v1/export.csv", s.asOwner(s.exportCSV))
	mux.HandleFunc("PUT /v1/catalogue", s.asOwner(s.putCatalogue))
	mux.HandleFunc("GET /v1/catalogue", s.asMember(s.catalogueChanges))
	mux.HandleFunc("POST /v1/catalogue/register", s.asRegister(s.putRegisterItems))
	mux.HandleFunc("GET /v1/catalogue/settings", s.asOwner(s.catalogueSettings))
	mux.HandleFunc("PUT /v1/catalogue/settings", s.asOwner(s.putCatalogueSettings))
	if s.Onboarding != nil {
		s.onboardingRoutes(mux)
	}
	if s.Mail != nil {
		mux.HandleFunc("POST /v1/receipts/email", s.asRegister(s.emailReceipt))
	}
	return mux
}

// ListenAndServeTLS serves the API on addr with the certificate and key files; the hub speaks TLS
// only (TLS 1.2 and newer).
func (s *Server) ListenAndServeTLS(ctx context.Context, addr, certFile, keyFile string) error {
	srv := &http.Server{
		Addr:              addr,
		Handler:           s.Handler(),
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
	}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	err := srv.ListenAndServeTLS(certFile, keyFile)
	if errors.Is(err, http.ErrServerClosed) {
		return ctx.Err()
	}
	return err
}

type handler func(w http.ResponseWriter, r *http.Request, p Principal)

// authenticate finds the caller's principal, or answers 401.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (Principal, bool) {
	secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		s.fail(w, http.StatusUnauthorized, ErrForbidden)
		return Principal{}, false
	}
	p, err := s.store.Authenticate(r.Context(), secret)
	if err != nil {
		s.fail(w, http.StatusUnauthorized, err)
		return Principal{}, false
	}
	return p, true
}

func (s *Server) asRegister(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if p, ok := s.authenticate(w, r); ok {
			if p.Owner || p.RegisterID == 0 {
				s.fail(w, http.StatusForbidden, ErrForbidden)
				return
			}
			h(w, r, p)
		}
	}
}

func (s *Server) asOwner(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if p, ok := s.authenticate(w, r); ok {
			if !p.Owner {
				s.fail(w, http.StatusForbidden, ErrForbidden)
				return
			}
			h(w, r, p)
		}
	}
}

func (s *Server) push(w http.ResponseWriter, r *http.Request, p Principal) {
	var req PushRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxPushBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.fail(w, http.StatusBadRequest, errors.Join(ErrMalformed, err))
		return
	}
	res, err := s.store.PushWithState(r.Context(), p.RegisterID, req.Documents, req.State)
	if err != nil {
		s.fail(w, statusOf(err), err)
		return
	}
	s.reply(w, res)
}

func (s *Server) cursor(w http.ResponseWriter, r *http.Request, p Principal) {
	c, err := s.store.Cursor(r.Context(), p.RegisterID)
	if err != nil {
		s.fail(w, statusOf(err), err)
		return
	}
	s.reply(w, c)
}

func (s *Server) putSafe(w http.ResponseWriter, r *http.Request, p Principal) {
	var req SafePush
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxPushBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.fail(w, http.StatusBadRequest, errors.Join(ErrMalformed, err))
		return
	}
	c, err := s.store.PutSafe(r.Context(), p.RegisterID, req)
	if err != nil {
		s.fail(w, statusOf(err), err)
		return
	}
	s.reply(w, c)
}

func (s *Server) safe(w http.ResponseWriter, r *http.Request, p Principal) {
	after, err := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if err != nil || after < 0 {
		s.fail(w, http.StatusBadRequest, fmt.Errorf("%w: after must be a seq", ErrMalformed))
		return
	}
	safe, err := s.store.Safe(r.Context(), p.RegisterID, after)
	if err != nil {
		s.fail(w, statusOf(err), err)
		return
	}
	s.reply(w, safe)
}

func (s *Server) registers(w http.ResponseWriter, r *http.Request, p Principal) {
	regs, err := s.store.Registers(r.Context(), p.OrganizationID)
	if err != nil {
		s.fail(w, statusOf(err), err)
		return
	}
	s.reply(w, regs)
}

func (s *Server) documents(w http.ResponseWriter, r *http.Request, p Principal) {
	q, err := parseDocumentQuery(r)
	if err != nil {
		s.fail(w, http.StatusBadRequest, errors.Join(ErrMalformed, err))
		return
	}
	docs, err := s.store.Documents(r.Context(), p.OrganizationID, q)
	if err != nil {
		s.fail(w, statusOf(err), err)
		return
	}
	s.reply(w, docs)
}

func (s *Server) analytics(w http.ResponseWriter, r *http.Request, p Principal) {
	q, err := parseDocumentQuery(r)
	if err != nil {
		s.fail(w, http.StatusBadRequest, errors.Join(ErrMalformed, err))
		return
	}
	figs, err := s.store.Analytics(r.Context(), p.OrganizationID, q.From, q.To, Grouping(r.URL.Query().Get("by")))
	if err != nil {
		s.fail(w, statusOf(err), err)
		return
	}
	s.reply(w, figs)
}

func (s *Server) exportCSV(w http.ResponseWriter, r *http.Request, p Principal) {
	q, err := parseDocumentQuery(r)
	if err != nil {
		s.fail(w, http.StatusBadRequest, errors.Join(ErrMalformed, err))
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="ekassa-documents.csv"`)
	if _, err := s.store.ExportCSV(r.Context(), w, p.OrganizationID, q.From, q.To); err != nil && s.log != nil {
		s.log.Printf("hub: export: %v", err) // the header is gone; the truncated file shows it
	}
}

func parseDocumentQuery(r *http.Request) (DocumentQuery, error) {
	v := r.URL.Query()
	var q DocumentQuery
	var err error
	if q.From, err = time.Parse(time.RFC3339, v.Get("from")); err != nil {
		return q, err
	}
	if q.To, err = time.Parse(time.RFC3339, v.Get("to")); err != nil {
		return q, err
	}
	if s := v.Get("register"); s != "" {
		if q.RegisterID, err = strconv.ParseInt(s, 10, 64); err != nil {
			return q, err
		}
	}
	if s := v.Get("limit"); s != "" {
		if q.Limit, err = strconv.Atoi(s); err != nil {
			return q, err
		}
	}
	return q, nil
}

// ErrorReply is the body of every error answer.
type ErrorReply struct {
	Error string `json:"error"`
	Code  string `json:"code"` // gap, fork, malformed, forbidden, internal
}

// statusOf maps an error to an HTTP status.
func statusOf(err error) int {
	switch {
	case errors.Is(err, ErrGap), errors.Is(err, ErrFork), errors.Is(err, ErrNotBound), errors.Is(err, ErrSafeBehind),
		errors.Is(err, ErrCatalogueTaken):
		return http.StatusConflict
	case errors.Is(err, ErrNoSafe):
		return http.StatusNotFound
	case errors.Is(err, ErrMalformed):
		return http.StatusBadRequest
	case errors.As(err, new(*kkm.Error)):
		return http.StatusBadRequest // a catalogue item the register's rules refuse
	case errors.Is(err, ErrForbidden), errors.Is(err, ErrCodeWrong), errors.Is(err, ErrCodeAttempts),
		errors.Is(err, ErrSignature), errors.Is(err, ErrCertExpired), errors.Is(err, ErrCertUntrusted),
		errors.Is(err, ErrCertOrganization):
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

// codeOf names an error for the client.
func codeOf(err error) string {
	switch {
	case errors.Is(err, ErrGap):
		return "gap"
	case errors.Is(err, ErrFork):
		return "fork"
	case errors.Is(err, ErrSerialTaken): // before malformed, which it is too
		return "serial_taken"
	case errors.Is(err, ErrMalformed):
		return "malformed"
	case errors.Is(err, ErrCertExpired):
		return "cert_expired"
	case errors.Is(err, ErrCertUntrusted):
		return "cert_untrusted"
	case errors.Is(err, ErrCertOrganization):
		return "cert_organization"
	case errors.Is(err, ErrForbidden):
		return "forbidden"
	case errors.Is(err, ErrCodeWrong):
		return "code_wrong"
	case errors.Is(err, ErrCodeAttempts):
		return "code_attempts"
	case errors.Is(err, ErrSignature):
		return "signature"
	case errors.Is(err, ErrNotBound):
		return "not_bound"
	case errors.Is(err, ErrSafeBehind):
		return "safe_behind"
	case errors.Is(err, ErrNoSafe):
		return "no_safe"
	case errors.Is(err, ErrCatalogueTaken):
		return "catalogue_taken"
	}
	return "internal"
}

func (s *Server) fail(w http.ResponseWriter, status int, err error) {
	msg := err.Error()
	if status == http.StatusInternalServerError {
		if s.log != nil {
			s.log.Printf("hub: %v", err)
		}
		msg = "internal error" // the database's words stay in the hub's log
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(ErrorReply{Error: msg, Code: codeOf(err)})
}

func (s *Server) reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
