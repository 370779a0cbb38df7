package hub

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"sync"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/jackc/pgx/v5"
)

// Onboarding walks an owner through the manual's steps 1–6: an account by e-mail confirmed with a
// code, the organization bound by its ЭЦП, trade points, each register applied for at the OFD and
// the tax authority, and its system ID and token for «Подключить кассу» once registered.
//
// The OFD's side (the cabinet where registers are applied for) is a port, OFDCabinet: the
// emulator implements it in demo mode (hub/ofdsimcabinet), a real OFD's cabinet is one more
// implementation. Mail goes through a Mailer: SMTP in a shop, a MemoryMailer in demo mode, which
// shows the code.
type Onboarding struct {
	Store   *Store
	Mail    Mailer
	Cabinet OFDCabinet
	Now     func() time.Time // time.Now when nil
	// Trust holds the roots (NCA RK's RSA root, or demo mode's CA) and intermediates an ЭЦП
	// certificate must chain to; Bind refuses every certificate while it is nil.
	Trust *Trust
	// ShowCode hands the confirmation code back in the sign-up's answer as well as mailing it:
	// demo mode only, where no mail goes out (make hub).
	ShowCode bool
	// OFDAddress is the address (host:port) of the OFD the cabinet registers registers with,
	// given with a registered register's system ID and token for «Подключить кассу».
	OFDAddress string
}

// Mailer sends a message.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// OFDCabinet is the OFD's cabinet where a register is applied for and its registration with the
// tax authority followed.
type OFDCabinet interface {
	// Apply sends an application and returns the cabinet's reference for it.
	Apply(ctx context.Context, a CabinetApplication) (reference string, err error)
	// Check returns where an application stands; SystemID and Token are set once registered.
	Check(ctx context.Context, reference string) (CabinetStatus, error)
}

// CabinetApplication is what the OFD's cabinet is told of a register.
type CabinetApplication struct {
	OrganizationIINBIN string
	OrganizationName   string
	LegalAddress       string
	TradePoint         TradePoint
	Serial             string // ЗНМ
	Model              string
	Year               int
	Tariff             string
	Connection         string
}

// Registration statuses, as the manual names them.
const (
	StatusSent        = "sent"         // отправлено
	StatusAwaitingKGD = "awaiting_kgd" // ожидает регистрации в КГД
	StatusRegistered  = "registered"   // зарегистрирована
	StatusError       = "error"        // ошибка
)

// CabinetStatus is an application's state at the OFD.
type CabinetStatus struct {
	Status   string // one of the Status constants
	Error    string // the cabinet's reason, for StatusError
	SystemID uint32 // with StatusRegistered
	Token    uint32 // with StatusRegistered
}

// TradePoint is a trading point with the manual's fields.
type TradePoint struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Region    string `json:"region"`
	Locality  string `json:"locality"`
	Street    string `json:"street"`
	House     string `json:"house"`
	Apartment string `json:"apartment,omitempty"`
}

// RegisterApplication is what an owner fills in to add a register (step 5).
type RegisterApplication struct {
	Name         string `json:"name"`
	Model        string `json:"model"`
	Serial       string `json:"serial"`
	Year         int    `json:"year"`
	TradePointID int64  `json:"trade_point_id"`
	Tariff       string `json:"tariff"`
	Connection   string `json:"connection"` // e.g. "mobile", "wifi", "ethernet"
}

// Application is a register's application and its outcome.
type Application struct {
	RegisterID int64  `json:"register_id"`
	Status     string `json:"status"`
	Error      string `json:"error,omitempty"`
	SystemID   uint32 `json:"system_id,omitempty"` // for «Подключить кассу», once registered
	Token      uint32 `json:"token,omitempty"`
	OFDAddress string `json:"ofd_address,omitempty"` // the OFD to connect to, once registered

	// What was applied for, in the list of the organization's applications (Applications).
	Name       string `json:"name,omitempty"`
	Serial     string `json:"serial,omitempty"`
	Model      string `json:"model,omitempty"`
	Year       int    `json:"year,omitempty"`
	TradePoint string `json:"trade_point,omitempty"`
	Tariff     string `json:"tariff,omitempty"`
	Connection string `json:"connection,omitempty"`
}

// OrganizationInfo is the owner's organization as the onboarding has it so far.
type OrganizationInfo struct {
	ID           int64  `json:"id"`
	Email        string `json:"email"`
	Name         string `json:"name"`
	IINBIN       string `json:"iin_bin,omitempty"` // empty until bound by its ЭЦП
	LegalAddress string `json:"legal_address,omitempty"`
}

// BindRequest binds an organization by its ЭЦП (step 2).
type BindRequest struct {
	Certificate []byte   `json:"certificate"`     // the signer's, DER
	Chain       [][]byte `json:"chain,omitempty"` // the intermediates from the key file, DER
	Signature   []byte   `json:"signature"`       // of the hub's challenge
	// IINBIN is the IIN/BIN the owner typed; it must be the certificate's. Empty takes the
	// certificate's.
	IINBIN       string `json:"iin_bin,omitempty"`
	Name         string `json:"name"`
	LegalAddress string `json:"legal_address"`
}

// Onboarding errors.
var (
	ErrCodeWrong    = errors.New("hub: the confirmation code is wrong or has expired")
	ErrCodeAttempts = errors.New("hub: too many wrong codes: ask for a new one")
	ErrNotBound     = errors.New("hub: bind the organization with its ЭЦП first")
	ErrSignature    = errors.New("hub: the signature does not verify with the certificate")
	// ErrCertExpired: the ЭЦП certificate is not valid now (expired, or not yet valid).
	ErrCertExpired = errors.New("hub: the ЭЦП certificate is not valid now")
	// ErrCertUntrusted: the certificate does not chain to a trusted root (self-signed, or of an
	// issuer the hub does not know).
	ErrCertUntrusted = errors.New("hub: the ЭЦП certificate is not issued by a trusted authority")
	// ErrCertOrganization: the certificate names another IIN/BIN than the one typed, or than
	// the one the organization is already bound to.
	ErrCertOrganization = errors.New("hub: the ЭЦП certificate is of another IIN/BIN")
)

const (
	codeLifetime = 15 * time.Minute
	codeAttempts = 5
)

func (o *Onboarding) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// SignUp starts an account for email (step 1): it sends a six-digit code, valid for 15 minutes,
// replacing any code sent before.
func (o *Onboarding) SignUp(ctx context.Context, email string) error {
	_, err := o.sendCode(ctx, email)
	return err
}

// sendCode is SignUp, returning the code sent (shown in demo mode, ShowCode).
func (o *Onboarding) sendCode(ctx context.Context, email string) (string, error) {
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > 254 {
		return "", fmt.Errorf("%w: %q is not an e-mail address", ErrMalformed, email)
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	d := sha256.Sum256([]byte(email + "/" + code))
	_, err = o.Store.pool.Exec(ctx, `INSERT INTO accounts (email, code_digest, code_expires_at, attempts)
		VALUES ($1, $2, $3, 0) ON CONFLICT (email) DO UPDATE
		SET code_digest = excluded.code_digest, code_expires_at = excluded.code_expires_at, attempts = 0`,
		email, d[:], o.now().Add(codeLifetime))
	if err != nil {
		return "", err
	}
	return code, o.Mail.Send(ctx, email, "E-kassa: confirmation code", "Your confirmation code: "+code+
		"\nIt is valid for 15 minutes.\n\nКод подтверждения: "+code+"\nРастау коды: "+code+"\n")
}

// Confirm checks the code sent to email (step 1) and returns the owner's organization with the
// owner's credential, shown once. An account confirmed before gets a new credential for the same
// organization; five wrong codes spend the code.
func (o *Onboarding) Confirm(ctx context.Context, email, code string) (Organization, string, error) {
	var org Organization
	var secret string
	var refused error // a refusal whose writes (the attempt counted) are committed
	err := pgx.BeginFunc(ctx, o.Store.pool, func(tx pgx.Tx) error {
		var digest []byte
		var expires *time.Time
		var attempts int
		var orgID *int64
		err := tx.QueryRow(ctx, `SELECT code_digest, code_expires_at, attempts, organization_id FROM accounts
			WHERE email = $1 FOR UPDATE`, email).Scan(&digest, &expires, &attempts, &orgID)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrCodeWrong
		}
		if err != nil {
			return err
		}
		if attempts >= codeAttempts {
			return ErrCodeAttempts
		}
		want := sha256.Sum256([]byte(email + "/" + code))
		if digest == nil || expires == nil || o.now().After(*expires) || subtle.ConstantTimeCompare(digest, want[:]) != 1 {
			refused = ErrCodeWrong
			_, err := tx.Exec(ctx, `UPDATE accounts SET attempts = attempts + 1 WHERE email = $1`, email)
			return err
		}
		if orgID == nil {
			if err := tx.QueryRow(ctx, `INSERT INTO organizations (name) VALUES ($1) RETURNING id, name`, email).
				Scan(&org.ID, &org.Name); err != nil {
				return err
			}
		} else if err := tx.QueryRow(ctx, `SELECT id, name FROM organizations WHERE id = $1`, *orgID).
			Scan(&org.ID, &org.Name); err != nil {
			return err
		}
		if secret, err = addCredential(ctx, tx, "owner", org.ID, nil); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE accounts SET code_digest = NULL, code_expires_at = NULL, attempts = 0,
			organization_id = $2 WHERE email = $1`, email, org.ID)
		return err
	})
	if err == nil && refused != nil {
		return Organization{}, "", refused
	}
	return org, secret, err
}

// Challenge returns fresh random bytes for the organization's ЭЦП to sign (step 2).
func (o *Onboarding) Challenge(ctx context.Context, orgID int64) ([]byte, error) {
	c := make([]byte, 32)
	if _, err := rand.Read(c); err != nil {
		return nil, err
	}
	tag, err := o.Store.pool.Exec(ctx, `UPDATE organizations SET challenge = $2 WHERE id = $1`, orgID, c)
	if err == nil && tag.RowsAffected() != 1 {
		err = ErrForbidden
	}
	return c, err
}

// Bind binds the organization to the holder of an ЭЦП certificate (step 2): the signature is the
// hub's challenge signed with the certificate's RSA key (PKCS #1 v1.5 over SHA-256, as NCA RK's
// individual keys sign). The certificate must be valid now and chain to a root of o.Trust (NCA RK's
// in a shop, demo mode's CA in make hub), through o.Trust's intermediates or those in r.Chain. The
// IIN or BIN comes from the certificate's subject (serialNumber "IIN…", organizationalUnit
// "BIN…"), is checked, must be the one typed and the one the organization is already bound to,
// if any, and becomes the organization's, with its legal address and name. The challenge is
// spent whenever the signature is checked.
//
// GOST keys (NCA RK's keys of companies) are not read: no kept Go library reads Kazakh GOST
// 34.310 keys; docs/hub.md says so.
func (o *Onboarding) Bind(ctx context.Context, orgID int64, r BindRequest) (string, error) {
	cert, err := x509.ParseCertificate(r.Certificate)
	if err != nil {
		return "", fmt.Errorf("%w: the certificate cannot be read: %v", ErrMalformed, err)
	}
	now := o.now()
	if now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return "", fmt.Errorf("%w (valid %s – %s)", ErrCertExpired, cert.NotBefore.Format(time.DateOnly), cert.NotAfter.Format(time.DateOnly))
	}
	if err := o.Trust.verify(cert, r.Chain, now); err != nil {
		return "", err
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return "", fmt.Errorf("%w: only RSA keys are read (GOST keys are not)", ErrMalformed)
	}
	iinBin := subjectIINBIN(cert)
	if err := kkm.ValidateIINBIN(iinBin); err != nil {
		return "", fmt.Errorf("%w: the certificate names no valid IIN/BIN (%v)", ErrMalformed, err)
	}
	if r.IINBIN != "" && r.IINBIN != iinBin {
		return "", fmt.Errorf("%w: the certificate is of %s, not of %s", ErrCertOrganization, iinBin, r.IINBIN)
	}
	name, legalAddress := strings.TrimSpace(r.Name), strings.TrimSpace(r.LegalAddress)
	if name == "" || len(name) > 200 || legalAddress == "" || len(legalAddress) > 500 {
		return "", fmt.Errorf("%w: the organization's name and legal address are needed", ErrMalformed)
	}
	var refused error // the signature did not verify; the challenge is spent all the same
	err = pgx.BeginFunc(ctx, o.Store.pool, func(tx pgx.Tx) error {
		var challenge []byte
		var bound *string
		if err := tx.QueryRow(ctx, `SELECT challenge, iin_bin FROM organizations WHERE id = $1 FOR UPDATE`, orgID).
			Scan(&challenge, &bound); err != nil {
			return ErrForbidden
		}
		if bound != nil && *bound != iinBin {
			refused = fmt.Errorf("%w: the organization is bound to %s", ErrCertOrganization, *bound)
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE organizations SET challenge = NULL WHERE id = $1`, orgID); err != nil {
			return err
		}
		digest := sha256.Sum256(challenge)
		if challenge == nil || rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], r.Signature) != nil {
			refused = ErrSignature
			return nil
		}
		_, err := tx.Exec(ctx, `UPDATE organizations SET iin_bin = $2, certificate = $3, name = $4, legal_address = $5
			WHERE id = $1`, orgID, iinBin, r.Certificate, name, legalAddress)
		return err
	})
	if err == nil && refused != nil {
		return "", refused
	}
	return iinBin, err
}

// subjectIINBIN is the BIN of a company's certificate, else the IIN of a person's.
func subjectIINBIN(cert *x509.Certificate) string {
	for _, ou := range cert.Subject.OrganizationalUnit {
		if b, ok := strings.CutPrefix(ou, "BIN"); ok {
			return b
		}
	}
	s, _ := strings.CutPrefix(cert.Subject.SerialNumber, "IIN")
	return s
}

// AddTradePoint adds a trading point to a bound organization (step 3).
func (o *Onboarding) AddTradePoint(ctx context.Context, orgID int64, tp TradePoint) (TradePoint, error) {
	for _, f := range []string{tp.Name, tp.Region, tp.Locality, tp.Street, tp.House} {
		if strings.TrimSpace(f) == "" || len(f) > 200 {
			return tp, fmt.Errorf("%w: a trading point needs a name, region, locality, street and house (up to 200 characters each)", ErrMalformed)
		}
	}
	if err := o.bound(ctx, orgID); err != nil {
		return tp, err
	}
	err := o.Store.pool.QueryRow(ctx, `INSERT INTO trade_points (organization_id, name, region, locality, street, house, apartment)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, orgID, tp.Name, tp.Region, tp.Locality, tp.Street, tp.House, tp.Apartment).
		Scan(&tp.ID)
	return tp, err
}

// bound returns ErrNotBound unless the organization has bound its ЭЦП.
func (o *Onboarding) bound(ctx context.Context, orgID int64) error {
	var iinBin *string
	if err := o.Store.pool.QueryRow(ctx, `SELECT iin_bin FROM organizations WHERE id = $1`, orgID).Scan(&iinBin); err != nil {
		return ErrForbidden
	}
	if iinBin == nil {
		return ErrNotBound
	}
	return nil
}

// ApplyRegister adds a register (step 4) and applies for it at the OFD's cabinet (step 5). It
// returns the register with its hub credential, shown once; the application's outcome is
// followed with Refresh.
func (o *Onboarding) ApplyRegister(ctx context.Context, orgID int64, a RegisterApplication) (Register, string, Application, error) {
	year := o.now().Year()
	if a.Model == "" || len(a.Model) > 100 || a.Year < 2000 || a.Year > year || a.Tariff == "" || a.Connection == "" {
		return Register{}, "", Application{}, fmt.Errorf("%w: a register needs a model, a year of make (2000–%d), a tariff and a connection type", ErrMalformed, year)
	}
	if err := o.bound(ctx, orgID); err != nil {
		return Register{}, "", Application{}, err
	}
	var tp TradePoint
	var app CabinetApplication
	err := o.Store.pool.QueryRow(ctx, `SELECT t.id, t.name, t.region, t.locality, t.street, t.house, t.apartment,
			o.iin_bin, o.name, o.legal_address
		FROM trade_points t JOIN organizations o ON o.id = t.organization_id WHERE t.id = $1 AND o.id = $2`, a.TradePointID, orgID).
		Scan(&tp.ID, &tp.Name, &tp.Region, &tp.Locality, &tp.Street, &tp.House, &tp.Apartment,
			&app.OrganizationIINBIN, &app.OrganizationName, &app.LegalAddress)
	if err != nil {
		return Register{}, "", Application{}, fmt.Errorf("%w: no such trading point of this organization", ErrMalformed)
	}
	reg, secret, err := o.Store.AddRegister(ctx, orgID, a.Serial, a.Name, tp.Name)
	if err != nil {
		return Register{}, "", Application{}, err
	}
	app.TradePoint, app.Serial, app.Model, app.Year, app.Tariff, app.Connection = tp, a.Serial, a.Model, a.Year, a.Tariff, a.Connection
	out := Application{RegisterID: reg.ID, Status: StatusSent, Name: a.Name, Serial: a.Serial, Model: a.Model, Year: a.Year,
		TradePoint: tp.Name, Tariff: a.Tariff, Connection: a.Connection}
	ref, err := o.Cabinet.Apply(ctx, app)
	if err != nil {
		out.Status, out.Error = StatusError, err.Error()
	}
	_, err = o.Store.pool.Exec(ctx, `INSERT INTO applications (register_id, trade_point_id, model, year, tariff, connection,
		status, reference, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		reg.ID, tp.ID, a.Model, a.Year, a.Tariff, a.Connection, out.Status, ref, out.Error)
	return reg, secret, out, err
}

// Refresh asks the OFD's cabinet where a register's application stands (step 6) and keeps the
// answer; once registered, the application carries the system ID and token that «Подключить
// кассу» asks for.
func (o *Onboarding) Refresh(ctx context.Context, orgID, registerID int64) (Application, error) {
	out := Application{RegisterID: registerID}
	var ref string
	var systemID, token *int64
	err := o.Store.pool.QueryRow(ctx, `SELECT a.status, a.error, a.reference, a.system_id, a.token
		FROM applications a JOIN registers r ON r.id = a.register_id WHERE a.register_id = $1 AND r.organization_id = $2`,
		registerID, orgID).Scan(&out.Status, &out.Error, &ref, &systemID, &token)
	if err != nil {
		return out, ErrForbidden
	}
	if out.Status == StatusRegistered || (out.Status == StatusError && ref == "") {
		if systemID != nil && token != nil {
			out.SystemID, out.Token, out.OFDAddress = uint32(*systemID), uint32(*token), o.OFDAddress
		}
		return out, nil
	}
	st, err := o.Cabinet.Check(ctx, ref)
	if err != nil {
		return out, fmt.Errorf("hub: asking the OFD's cabinet: %w", err)
	}
	out.Status, out.Error, out.SystemID, out.Token = st.Status, st.Error, st.SystemID, st.Token
	var sid, tok *int64
	if st.Status == StatusRegistered {
		s, t := int64(st.SystemID), int64(st.Token)
		sid, tok = &s, &t
		out.OFDAddress = o.OFDAddress
	}
	_, err = o.Store.pool.Exec(ctx, `UPDATE applications SET status = $2, error = $3, system_id = $4, token = $5,
		updated_at = now() WHERE register_id = $1`, registerID, st.Status, st.Error, sid, tok)
	return out, err
}

// Organization returns the owner's organization: its account's e-mail, and its IIN/BIN, name
// and legal address once bound.
func (o *Onboarding) Organization(ctx context.Context, orgID int64) (OrganizationInfo, error) {
	info := OrganizationInfo{ID: orgID}
	var iinBin *string
	err := o.Store.pool.QueryRow(ctx, `SELECT o.name, o.iin_bin, o.legal_address,
			COALESCE((SELECT min(email) FROM accounts WHERE organization_id = o.id), '')
		FROM organizations o WHERE o.id = $1`, orgID).Scan(&info.Name, &iinBin, &info.LegalAddress, &info.Email)
	if err != nil {
		return info, ErrForbidden
	}
	if iinBin != nil {
		info.IINBIN = *iinBin
	}
	return info, nil
}

// TradePoints lists the organization's trading points in the order they were added.
func (o *Onboarding) TradePoints(ctx context.Context, orgID int64) ([]TradePoint, error) {
	rows, err := o.Store.pool.Query(ctx, `SELECT id, name, region, locality, street, house, apartment
		FROM trade_points WHERE organization_id = $1 ORDER BY id`, orgID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (TradePoint, error) {
		var tp TradePoint
		err := r.Scan(&tp.ID, &tp.Name, &tp.Region, &tp.Locality, &tp.Street, &tp.House, &tp.Apartment)
		return tp, err
	})
}

// Applications lists the organization's registers applied for, in the order applied, with each
// one's status as last known (Refresh asks the cabinet anew).
func (o *Onboarding) Applications(ctx context.Context, orgID int64) ([]Application, error) {
	rows, err := o.Store.pool.Query(ctx, `SELECT a.register_id, a.status, a.error, a.system_id, a.token,
			r.name, r.serial, a.model, a.year, t.name, a.tariff, a.connection
		FROM applications a JOIN registers r ON r.id = a.register_id JOIN trade_points t ON t.id = a.trade_point_id
		WHERE r.organization_id = $1 ORDER BY a.register_id`, orgID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Application, error) {
		var a Application
		var sid, tok *int64
		err := r.Scan(&a.RegisterID, &a.Status, &a.Error, &sid, &tok, &a.Name, &a.Serial, &a.Model, &a.Year,
			&a.TradePoint, &a.Tariff, &a.Connection)
		if sid != nil && tok != nil && a.Status == StatusRegistered {
			a.SystemID, a.Token, a.OFDAddress = uint32(*sid), uint32(*tok), o.OFDAddress
		}
		return a, err
	})
}

// MemoryMailer keeps the messages it is given instead of sending them: demo mode shows the code
// from it, tests read it.
type MemoryMailer struct {
	mu   sync.Mutex
	last map[string]string
}

// Send keeps the message's body as the last one to the address.
func (m *MemoryMailer) Send(_ context.Context, to, _, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.last == nil {
		m.last = map[string]string{}
	}
	m.last[to] = body
	return nil
}

// Last returns the last body sent to the address.
func (m *MemoryMailer) Last(to string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.last[to]
}

// SMTPMailer sends mail through an SMTP server with STARTTLS and PLAIN authentication.
type SMTPMailer struct {
	Addr     string // host:port
	From     string
	User     string
	Password string
}

// Send sends a plain-text message in UTF-8.
func (m SMTPMailer) Send(_ context.Context, to, subject, body string) error {
	host, _, err := net.SplitHostPort(m.Addr)
	if err != nil {
		return err
	}
	msg := "From: " + m.From + "\r\nTo: " + to + "\r\nSubject: " + mime.QEncoding.Encode("utf-8", subject) +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body
	return smtp.SendMail(m.Addr, smtp.PlainAuth("", m.User, m.Password, host), m.From, []string{to}, []byte(msg))
}
