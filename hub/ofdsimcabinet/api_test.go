package ofdsimcabinet

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"

	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/internal/pgtest"
	"github.com/ekassa-go/ekassa/ofdclient/ofdsim"
)

// TestOnboardingOverTheAPI: the same steps through the hub's HTTPS API, as the owner's app makes
// them, with the errors it must show.
func TestOnboardingOverTheAPI(t *testing.T) {
	ctx := context.Background()
	c := pgtest.Start(t)
	store, err := hub.Open(ctx, c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	sim, _ := ofdsim.New(ofdsim.Options{})
	mail := &hub.MemoryMailer{}
	srv := hub.NewServer(store, nil)
	ca := demoCA(t)
	srv.Onboarding = &hub.Onboarding{Store: store, Mail: mail, Cabinet: &Cabinet{Server: sim}, Trust: ca.Trust()}
	ts := httptest.NewTLSServer(srv.Handler())
	defer ts.Close()

	call := func(method, path, secret string, body any, out any) int {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequestWithContext(ctx, method, ts.URL+path, bytes.NewReader(b))
		if secret != "" {
			req.Header.Set("Authorization", "Bearer "+secret)
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if out != nil && resp.StatusCode == http.StatusOK {
			if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
				t.Fatal(err)
			}
		}
		return resp.StatusCode
	}
	if code := call("POST", "/v1/signup", "", map[string]string{"email": "x"}, nil); code != http.StatusBadRequest {
		t.Fatalf("signup of a non-address: %d", code)
	}
	if code := call("POST", "/v1/signup", "", map[string]string{"email": "owner@shop.kz"}, nil); code != http.StatusOK {
		t.Fatalf("signup: %d", code)
	}
	if code := call("POST", "/v1/confirm", "", map[string]string{"email": "owner@shop.kz", "code": "12345"}, nil); code != http.StatusForbidden {
		t.Fatalf("a wrong code: %d", code)
	}
	var confirmed struct {
		Credential string `json:"credential"`
	}
	mailed := regexp.MustCompile(`\d{6}`).FindString(mail.Last("owner@shop.kz"))
	if code := call("POST", "/v1/confirm", "", map[string]string{"email": "owner@shop.kz", "code": mailed}, &confirmed); code != http.StatusOK {
		t.Fatalf("confirm: %d", code)
	}
	owner := confirmed.Credential
	if code := call("POST", "/v1/trade-points", owner, hub.TradePoint{Name: "A", Region: "B", Locality: "C", Street: "D", House: "1"}, nil); code != http.StatusConflict {
		t.Fatalf("a trading point before binding: %d, want 409", code)
	}
	var ch struct {
		Challenge []byte `json:"challenge"`
	}
	if code := call("POST", "/v1/challenge", owner, nil, &ch); code != http.StatusOK {
		t.Fatalf("challenge: %d", code)
	}
	key, cert := selfSigned(t, "870412300416")
	bind := map[string]any{"certificate": cert, "signature": sign(t, key, ch.Challenge), "name": "ИП", "legal_address": "Алматы"}
	if code := call("POST", "/v1/bind", owner, bind, nil); code != http.StatusForbidden {
		t.Fatalf("bind with a self-signed certificate: %d, want 403", code)
	}
	call("POST", "/v1/challenge", owner, nil, &ch)
	if code := call("POST", "/v1/bind", owner, bindOf(signed(t, ca, hub.DemoECP{IINBIN: "870412300416", Name: "ИП"}, ch.Challenge)), nil); code != http.StatusOK {
		t.Fatalf("bind: %d", code)
	}
	var tp hub.TradePoint
	if code := call("POST", "/v1/trade-points", owner, hub.TradePoint{Name: "A", Region: "B", Locality: "C", Street: "D", House: "1"}, &tp); code != http.StatusOK {
		t.Fatalf("trading point: %d", code)
	}
	var applied struct {
		Register   hub.Register    `json:"register"`
		Credential string          `json:"credential"`
		App        hub.Application `json:"application"`
	}
	app := hub.RegisterApplication{Name: "Till", Model: "E-kassa", Serial: "EKS9", Year: 2025, TradePointID: tp.ID, Tariff: "base", Connection: "wifi"}
	if code := call("POST", "/v1/applications", owner, app, &applied); code != http.StatusOK || applied.Credential == "" {
		t.Fatalf("apply: %d %+v", code, applied)
	}
	path := "/v1/applications/" + strconv.FormatInt(applied.Register.ID, 10)
	var st hub.Application
	call("GET", path, owner, nil, &st)
	call("GET", path, owner, nil, &st)
	if st.Status != hub.StatusRegistered || st.SystemID == 0 || st.Token == 0 {
		t.Fatalf("after two checks: %+v", st)
	}
	if code := call("GET", path, applied.Credential, nil, nil); code != http.StatusForbidden {
		t.Fatalf("a register reading applications: %d, want 403", code)
	}
}
