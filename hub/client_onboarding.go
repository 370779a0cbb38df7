package hub

import (
	"context"
	"net/http"
	"strconv"
)

// The owner's onboarding calls (the manual's steps 1–6) over the API; see Onboarding. SignUp and
// Confirm need no credential; the others are the owner's, with the credential Confirm returned.

// SignUp asks the hub to mail a confirmation code to email. A hub in demo mode hands the code
// back too (empty otherwise).
func (c *Client) SignUp(ctx context.Context, email string) (demoCode string, err error) {
	var r signUpReply
	err = c.call(ctx, http.MethodPost, "/v1/signup", map[string]string{"email": email}, &r)
	return r.Code, err
}

// Confirm checks the code and returns the owner's organization and credential.
func (c *Client) Confirm(ctx context.Context, email, code string) (orgID int64, credential string, err error) {
	var r struct {
		Organization int64  `json:"organization"`
		Credential   string `json:"credential"`
	}
	err = c.call(ctx, http.MethodPost, "/v1/confirm", map[string]string{"email": email, "code": code}, &r)
	return r.Organization, r.Credential, err
}

// Organization reads the owner's organization as bound so far.
func (c *Client) Organization(ctx context.Context) (OrganizationInfo, error) {
	var info OrganizationInfo
	err := c.call(ctx, http.MethodGet, "/v1/organization", nil, &info)
	return info, err
}

// Challenge asks for a fresh challenge for the ЭЦП to sign (SignChallenge).
func (c *Client) Challenge(ctx context.Context) ([]byte, error) {
	var r struct {
		Challenge []byte `json:"challenge"`
	}
	err := c.call(ctx, http.MethodPost, "/v1/challenge", nil, &r)
	return r.Challenge, err
}

// Bind binds the organization with the signed challenge and returns its IIN/BIN.
func (c *Client) Bind(ctx context.Context, r BindRequest) (string, error) {
	var out struct {
		IINBIN string `json:"iin_bin"`
	}
	err := c.call(ctx, http.MethodPost, "/v1/bind", r, &out)
	return out.IINBIN, err
}

// TradePoints lists the organization's trading points.
func (c *Client) TradePoints(ctx context.Context) ([]TradePoint, error) {
	var tps []TradePoint
	err := c.call(ctx, http.MethodGet, "/v1/trade-points", nil, &tps)
	return tps, err
}

// AddTradePoint adds a trading point and returns it with its ID.
func (c *Client) AddTradePoint(ctx context.Context, tp TradePoint) (TradePoint, error) {
	var out TradePoint
	err := c.call(ctx, http.MethodPost, "/v1/trade-points", tp, &out)
	return out, err
}

// Applications lists the organization's registers applied for, as last known.
func (c *Client) Applications(ctx context.Context) ([]Application, error) {
	var apps []Application
	err := c.call(ctx, http.MethodGet, "/v1/applications", nil, &apps)
	return apps, err
}

// ApplyRegister adds a register and applies for it; it returns the register's hub credential
// (shown once) and the application.
func (c *Client) ApplyRegister(ctx context.Context, a RegisterApplication) (Register, string, Application, error) {
	var r struct {
		Register    Register    `json:"register"`
		Credential  string      `json:"credential"`
		Application Application `json:"application"`
	}
	err := c.call(ctx, http.MethodPost, "/v1/applications", a, &r)
	return r.Register, r.Credential, r.Application, err
}

// Refresh asks where a register's application stands, anew of the OFD's cabinet.
func (c *Client) Refresh(ctx context.Context, registerID int64) (Application, error) {
	var a Application
	err := c.call(ctx, http.MethodGet, "/v1/applications/"+strconv.FormatInt(registerID, 10), nil, &a)
	return a, err
}
