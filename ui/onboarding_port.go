package ui

import "context"

// Onboarding is the owner's way onto the hub (issue 18 item 6), as the E-kassa manual's steps
// 1–6 walk it: an account by e-mail confirmed with a code, the organization bound by its ЭЦП,
// trading points, registers applied for at the OFD and the tax authority, and a registered
// register's system ID and token for «Подключить кассу». The app implements it over the hub's
// client (hub.Client); the ЭЦП's key file is opened and the hub's challenge signed on the phone,
// so the key never leaves it.
type Onboarding interface {
	// Resume returns the cabinet of the owner's kept sign-in (the owner mode's), or nil.
	Resume(ctx context.Context) (OwnerCabinet, error)
	// SignUp asks the hub to mail a confirmation code to email. A hub in demo mode hands the
	// code back to be shown (empty otherwise).
	SignUp(ctx context.Context, at HubAddress, email string) (demoCode string, err error)
	// Confirm checks the code and keeps the owner's credential as the owner mode's sign-in
	// keeps it, so that the owner mode opens signed in afterwards.
	Confirm(ctx context.Context, at HubAddress, email, code string) (OwnerCabinet, error)
}

// HubAddress is where the owner's hub is: its https:// address and, for a hub with a
// self-signed certificate, that certificate (PEM).
type HubAddress struct {
	Address string
	CertPEM []byte
}

// OwnerCabinet is the owner's organization at the hub and what is added to it.
type OwnerCabinet interface {
	// Organization reads the organization with its trading points.
	Organization(ctx context.Context) (CabinetOrganization, error)
	// Bind opens the key file with its password, signs the hub's challenge and binds the
	// organization; it returns the IIN/BIN bound.
	Bind(ctx context.Context, b CabinetBind) (string, error)
	AddTradePoint(ctx context.Context, tp CabinetTradePoint) (CabinetTradePoint, error)
	// Registers lists the registers applied for with their status as last known.
	Registers(ctx context.Context) ([]CabinetRegister, error)
	// Apply adds a register and applies for it at the OFD.
	Apply(ctx context.Context, a CabinetApplication) (CabinetRegister, error)
	// Refresh asks the OFD's cabinet anew where a register's application stands.
	Refresh(ctx context.Context, id int64) (CabinetRegister, error)
}

// CabinetOrganization is the owner's organization; IINBIN is empty until bound.
type CabinetOrganization struct {
	Email        string
	Name         string
	IINBIN       string
	LegalAddress string
	TradePoints  []CabinetTradePoint
}

// Bound reports whether the organization is bound by its ЭЦП.
func (o CabinetOrganization) Bound() bool { return o.IINBIN != "" }

// CabinetBind is the organization's binding as the owner types it, with the key file.
type CabinetBind struct {
	IINBIN       string
	Name         string
	LegalAddress string
	KeyFile      []byte // PKCS #12 (.p12), read from the phone
	Password     string
}

// CabinetTradePoint is a trading point with the manual's fields.
type CabinetTradePoint struct {
	ID                                               int64
	Name, Region, Locality, Street, House, Apartment string
}

// CabinetApplication is a register as the owner adds it (the manual's step 5).
type CabinetApplication struct {
	Name, Model, Serial string
	Year                int
	TradePointID        int64
	Tariff              string // one of CabinetTariffs
	Connection          string // one of CabinetConnections
}

// The tariffs and connection types offered (the hub passes them to the OFD's cabinet).
var (
	CabinetTariffs     = []string{"base", "standard", "premium"}
	CabinetConnections = []string{"wired", "wireless"}
)

// CabinetRegister is a register applied for and where its application stands.
type CabinetRegister struct {
	ID                  int64
	Name, Serial, Model string
	Year                int
	TradePoint          string
	Status              string // one of the CabinetStatus constants
	Error               string // the cabinet's reason, with CabinetError
	// Once registered: what «Подключить кассу» asks for.
	OFDAddress string
	SystemID   uint32
	Token      uint32
}

// An application's statuses, as the manual names them.
const (
	CabinetSent        = "sent"         // «Отправлена на регистрацию»
	CabinetAwaitingKGD = "awaiting_kgd" // «Ожидает регистрацию в КГД»
	CabinetRegistered  = "registered"   // «Зарегистрирована»
	CabinetError       = "error"        // «Ошибка при регистрации»
)

// The onboarding's refusals. The app returns the ones below the line for the hub's answers and
// the key file; each is shown next to the field it is about (onboardingField).
const (
	ErrCabinetEmail      Refusal = "err.onboarding.email"       // not an e-mail address
	ErrCabinetCodeFormat Refusal = "err.onboarding.code_format" // the code is not six digits
	ErrCabinetRequired   Refusal = "err.onboarding.required"    // a required field is empty
	ErrCabinetYear       Refusal = "err.onboarding.year"        // the year of make is not 2000..this year
	ErrCabinetKeyFile    Refusal = "err.onboarding.key_file"    // no key file chosen, or too big

	ErrCabinetCodeWrong    Refusal = "err.onboarding.code_wrong"    // wrong or expired code
	ErrCabinetCodeAttempts Refusal = "err.onboarding.code_attempts" // five wrong codes: ask for a new one
	ErrCabinetKeyPassword  Refusal = "err.onboarding.key_password"  // the key file does not open with it
	ErrCabinetKeyKind      Refusal = "err.onboarding.key_kind"      // not an RSA key (GOST keys are not read)
	ErrCabinetCertExpired  Refusal = "err.onboarding.cert_expired"
	ErrCabinetCertTrust    Refusal = "err.onboarding.cert_untrusted" // self-signed, or of an unknown issuer
	ErrCabinetCertOrg      Refusal = "err.onboarding.cert_org"       // of another IIN/BIN than typed or bound
	ErrCabinetSignature    Refusal = "err.onboarding.signature"
	ErrCabinetNotBound     Refusal = "err.onboarding.not_bound"
	ErrCabinetSerialTaken  Refusal = "err.onboarding.serial_taken"
	ErrCabinetInvalid      Refusal = "err.onboarding.invalid" // the hub refused what was typed
)
