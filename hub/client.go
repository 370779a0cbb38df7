package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
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

// RemoteError is an error answer of the hub; it wraps ErrGap, ErrFork, ErrMalformed or
// ErrForbidden when the hub named one.
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
	}
	return nil
}

func (c *Client) call(ctx context.Context, method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Secret)
	req.Header.Set("Content-Type", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		e := &RemoteError{Status: resp.StatusCode}
		json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&e.Reply)
		return e
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
