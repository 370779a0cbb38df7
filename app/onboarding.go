package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/ui"
)

// onboarding is the owner's cabinet on the hub (ui.Onboarding) over hub.Client. A confirmed
// account's credential is kept exactly as the owner mode's sign-in keeps it (ownerMode: the
// address and certificate in the preferences, the credential sealed in its file), so the owner
// mode opens signed in afterwards and the cabinet resumes from the owner mode's sign-in.
//
// A register the owner applies for from this phone gets its hub credential from the hub then;
// registers keeps it, sealed, so that when this phone is connected as that register
// («Подключить эту кассу») it pushes its journal to the hub at once (ownersHubPush).
type onboarding struct {
	owner     ownerMode
	registers registerSecrets
}

func (o onboarding) Resume(ctx context.Context) (ui.OwnerCabinet, error) {
	h, err := o.owner.Resume(ctx)
	if err != nil || h == nil {
		return nil, err
	}
	return o.cabinetOf(h)
}

// client is the hub's client at an address, with no credential yet.
func (o onboarding) client(at ui.HubAddress) (*hub.Client, error) {
	h, err := ownerClient(ui.OwnerLogin{Address: at.Address, CertPEM: at.CertPEM})
	if err != nil {
		return nil, err
	}
	return h.c, nil
}

func (o onboarding) SignUp(ctx context.Context, at ui.HubAddress, email string) (string, error) {
	c, err := o.client(at)
	if err != nil {
		return "", err
	}
	code, err := c.SignUp(ctx, email)
	return code, cabinetError(err)
}

// Confirm keeps the credential only once the hub has given it, as the owner mode's sign-in does.
func (o onboarding) Confirm(ctx context.Context, at ui.HubAddress, email, code string) (ui.OwnerCabinet, error) {
	c, err := o.client(at)
	if err != nil {
		return nil, err
	}
	_, credential, err := c.Confirm(ctx, email, code)
	if err != nil {
		return nil, cabinetError(err)
	}
	h, err := o.owner.SignIn(ctx, ui.OwnerLogin{Address: at.Address, CertPEM: at.CertPEM, Credential: credential})
	if err != nil {
		return nil, err
	}
	return o.cabinetOf(h)
}

// cabinetOf is the cabinet over the owner mode's hub client.
func (o onboarding) cabinetOf(h ui.OwnerHub) (ui.OwnerCabinet, error) {
	oh, ok := h.(ownerHub)
	if !ok {
		return nil, fmt.Errorf("app: the owner mode's hub is a %T, not the hub's client", h)
	}
	return cabinet{c: oh.c, registers: o.registers}, nil
}

// cabinet is ui.OwnerCabinet over the owner's hub.Client.
type cabinet struct {
	c         *hub.Client
	registers registerSecrets // where a register's hub credential is kept; none kept when zero
}

func (k cabinet) Organization(ctx context.Context) (ui.CabinetOrganization, error) {
	info, err := k.c.Organization(ctx)
	if err != nil {
		return ui.CabinetOrganization{}, cabinetError(err)
	}
	tps, err := k.c.TradePoints(ctx)
	if err != nil {
		return ui.CabinetOrganization{}, cabinetError(err)
	}
	o := ui.CabinetOrganization{Email: info.Email, Name: info.Name, IINBIN: info.IINBIN, LegalAddress: info.LegalAddress,
		TradePoints: make([]ui.CabinetTradePoint, len(tps))}
	for i, tp := range tps {
		o.TradePoints[i] = uiTradePoint(tp)
	}
	return o, nil
}

// Bind opens the key file and signs the hub's challenge here, on the phone: only the
// certificate, its chain and the signature go to the hub.
func (k cabinet) Bind(ctx context.Context, b ui.CabinetBind) (string, error) {
	challenge, err := k.c.Challenge(ctx)
	if err != nil {
		return "", cabinetError(err)
	}
	req, err := hub.SignChallenge(b.KeyFile, b.Password, challenge)
	if err != nil {
		return "", cabinetError(err)
	}
	req.IINBIN, req.Name, req.LegalAddress = b.IINBIN, b.Name, b.LegalAddress
	iinBin, err := k.c.Bind(ctx, req)
	return iinBin, cabinetError(err)
}

func uiTradePoint(tp hub.TradePoint) ui.CabinetTradePoint {
	return ui.CabinetTradePoint{ID: tp.ID, Name: tp.Name, Region: tp.Region, Locality: tp.Locality, Street: tp.Street,
		House: tp.House, Apartment: tp.Apartment}
}

func (k cabinet) AddTradePoint(ctx context.Context, tp ui.CabinetTradePoint) (ui.CabinetTradePoint, error) {
	added, err := k.c.AddTradePoint(ctx, hub.TradePoint{Name: tp.Name, Region: tp.Region, Locality: tp.Locality,
		Street: tp.Street, House: tp.House, Apartment: tp.Apartment})
	if err != nil {
		return ui.CabinetTradePoint{}, cabinetError(err)
	}
	return uiTradePoint(added), nil
}

func (k cabinet) Registers(ctx context.Context) ([]ui.CabinetRegister, error) {
	apps, err := k.c.Applications(ctx)
	if err != nil {
		return nil, cabinetError(err)
	}
	out := make([]ui.CabinetRegister, len(apps))
	for i, a := range apps {
		out[i] = uiRegister(a)
	}
	return out, nil
}

func uiRegister(a hub.Application) ui.CabinetRegister {
	return ui.CabinetRegister{ID: a.RegisterID, Name: a.Name, Serial: a.Serial, Model: a.Model, Year: a.Year,
		TradePoint: a.TradePoint, Status: a.Status, Error: a.Error, OFDAddress: a.OFDAddress, SystemID: a.SystemID,
		Token: a.Token}
}

// Apply applies and returns the register as the list shows it. The register's hub credential
// the hub hands over (once) is kept sealed on this phone: connected as that register, the phone
// pushes its journal with it (ownersHubPush). Another phone gets its credential from the owner
// (ekassa-hub register).
func (k cabinet) Apply(ctx context.Context, a ui.CabinetApplication) (ui.CabinetRegister, error) {
	reg, secret, app, err := k.c.ApplyRegister(ctx, hub.RegisterApplication{Name: a.Name, Model: a.Model, Serial: a.Serial,
		Year: a.Year, TradePointID: a.TradePointID, Tariff: a.Tariff, Connection: a.Connection})
	if err != nil {
		return ui.CabinetRegister{}, cabinetError(err)
	}
	if k.registers.dir != "" && secret != "" {
		if err := k.registers.Save(reg.Serial, secret); err != nil {
			return ui.CabinetRegister{}, err
		}
	}
	return uiRegister(app), nil
}

func (k cabinet) Refresh(ctx context.Context, id int64) (ui.CabinetRegister, error) {
	a, err := k.c.Refresh(ctx, id)
	return uiRegister(a), cabinetError(err)
}

// cabinetError gives the hub's answer, or the key file's refusal, as the screens' refusal, with
// the cause in its text; anything else is the owner mode's (refused, the hub's error, out of reach).
func cabinetError(err error) error {
	if err == nil {
		return nil
	}
	for _, m := range []struct {
		cause error
		as    ui.Refusal
	}{
		{hub.ErrCodeWrong, ui.ErrCabinetCodeWrong},
		{hub.ErrCodeAttempts, ui.ErrCabinetCodeAttempts},
		{hub.ErrKeyPassword, ui.ErrCabinetKeyPassword},
		{hub.ErrCertExpired, ui.ErrCabinetCertExpired},
		{hub.ErrCertUntrusted, ui.ErrCabinetCertTrust},
		{hub.ErrCertOrganization, ui.ErrCabinetCertOrg},
		{hub.ErrSignature, ui.ErrCabinetSignature},
		{hub.ErrNotBound, ui.ErrCabinetNotBound},
		{hub.ErrSerialTaken, ui.ErrCabinetSerialTaken},
	} {
		if errors.Is(err, m.cause) {
			return fmt.Errorf("%w: %v", m.as, err)
		}
	}
	var re *hub.RemoteError
	if errors.As(err, &re) && re.Status == http.StatusBadRequest { // the screens check the fields first
		return fmt.Errorf("%w: %v", ui.ErrCabinetInvalid, err)
	}
	if errors.Is(err, hub.ErrMalformed) && !errors.As(err, &re) { // the key file: not RSA
		return fmt.Errorf("%w: %v", ui.ErrCabinetKeyKind, err)
	}
	return ownerError(err)
}
