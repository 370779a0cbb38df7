package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Client is a register's (or an owner's) side of the API. A register pushes its documents with
// Push from its own cursor, asked with Cursor; the calls never block a sale (the caller runs them
// apart from the checkout) and are safe to repeat.
type Client struct {
	BaseURL string       // https://host:port
	Secret  string       // the register's or the owner's credential
	HTTP    *http.Client // its TLS configuration trusts the hub's certificate
}

// Push sends a batch of documents, in order, with the register's live state when not nil.
func (c *Client) Push(ctx context.Context, docs []Document, state *RegisterState) (PushResult, error) {
	var res PushResult
	err := c.call(ctx, http.MethodPost, "/v1/push", PushRequest{Documents: docs, State: state}, &res)
	return res, err
}

// Cursor asks where the hub's copy of the calling register's chain ends.
func (c *Client) Cursor(ctx context.Context) (Cursor, error) {
	var cur Cursor
	err := c.call(ctx, http.MethodGet, "/v1/cursor", nil, &cur)
	return cur, err
}

// PutSafe pushes the register's answers and sealed snapshot (see safe.go) and returns the
// hub's cursor after it.
func (c *Client) PutSafe(ctx context.Context, push SafePush) (Cursor, error) {
	var cur Cursor
	err := c.call(ctx, http.MethodPost, "/v1/safe", push, &cur)
	return cur, err
}

// Safe reads the page of the register's safe after seq after, for a restore.
func (c *Client) Safe(ctx context.Context, after int64) (Safe, error) {
	var s Safe
	err := c.call(ctx, http.MethodGet, "/v1/safe?after="+strconv.FormatInt(after, 10), nil, &s)
	return s, err
}

// Registers lists the owner's registers with their cursors and live state (owner's credential).
func (c *Client) Registers(ctx context.Context) ([]Register, error) {
	var regs []Register
	err := c.call(ctx, http.MethodGet, "/v1/registers", nil, &regs)
	return regs, err
}

// Documents reads the owner's documents of a period, oldest first; q.RegisterID 0 means every
// register, q.Limit 0 the hub's default.
func (c *Client) Documents(ctx context.Context, q DocumentQuery) ([]Document, error) {
	v := period(q.From, q.To)
	if q.RegisterID != 0 {
		v.Set("register", strconv.FormatInt(q.RegisterID, 10))
	}
	if q.Limit != 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	var docs []Document
	err := c.call(ctx, http.MethodGet, "/v1/documents?"+v.Encode(), nil, &docs)
	return docs, err
}

// Analytics reads the owner's figures of [from, to) grouped by, beside the period before.
func (c *Client) Analytics(ctx context.Context, from, to time.Time, by Grouping) ([]Figures, error) {
	v := period(from, to)
	v.Set("by", string(by))
	var figs []Figures
	err := c.call(ctx, http.MethodGet, "/v1/analytics?"+v.Encode(), nil, &figs)
	return figs, err
}

// ExportCSV copies the CSV of the owner's documents of [from, to) to w.
func (c *Client) ExportCSV(ctx context.Context, w io.Writer, from, to time.Time) error {
	resp, err := c.do(ctx, http.MethodGet, "/v1/export.csv?"+period(from, to).Encode(), nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(w, resp.Body)
	return err
}

// period is the query of [from, to) as the hub parses it.
func period(from, to time.Time) url.Values {
	return url.Values{"from": {from.Format(time.RFC3339)}, "to": {to.Format(time.RFC3339)}}
}

// RemoteError is an error answer of the hub; it wraps the sentinel error the hub named (ErrGap,
// ErrFork, ErrMalformed, ErrForbidden, the onboarding's refusals …).
type RemoteError struct {
	Status int
	Reply  ErrorReply
}

func (e *RemoteError) Error() string {
	return fmt.Sprintf("hub answered %d: %s", e.Status, e.Reply.Error)
}

// Unwrap gives the sentinel error the hub's code names.
func (e *RemoteError) Unwrap() error {
	switch e.Reply.Code {
	case "gap":
		return ErrGap
	case "fork":
		return ErrFork
	case "malformed":
		return ErrMalformed
	case "forbidden":
		return ErrForbidden
	case "safe_behind":
		return ErrSafeBehind
	case "no_safe":
		return ErrNoSafe
	case "catalogue_taken":
		return ErrCatalogueTaken
	case "code_wrong":
		return ErrCodeWrong
	case "code_attempts":
		return ErrCodeAttempts
	case "signature":
		return ErrSignature
	case "not_bound":
		return ErrNotBound
	case "serial_taken":
		return ErrSerialTaken
	case "cert_expired":
		return ErrCertExpired
	case "cert_untrusted":
		return ErrCertUntrusted
	case "cert_organization":
		return ErrCertOrganization
	}
	return nil
}

func (c *Client) call(ctx context.Context, method, path string, body, out any) error {
	resp, err := c.do(ctx, method, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(out)
}

// do sends a request and returns a 200 answer, or the hub's error answer as a *RemoteError.
func (c *Client) do(ctx context.Context, method, path string, body any) (*http.Response, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Secret)
	req.Header.Set("Content-Type", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		e := &RemoteError{Status: resp.StatusCode}
		json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&e.Reply)
		return nil, e
	}
	return resp, nil
}
