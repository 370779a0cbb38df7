// Package ofdsimcabinet is the OFD's cabinet of the emulator (ofdclient/ofdsim) behind the hub's
// OFDCabinet port, so the whole onboarding runs in demo mode: an application is "sent", then
// "awaiting the tax authority", then registered, when the emulator gets the register with a new
// system ID and token that «Подключить кассу» takes.
//
// It is the only package that joins the hub and the emulator; neither imports the other.
package ofdsimcabinet

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/ofdclient/ofdsim"
)

// Cabinet applies for registers at an emulator.
type Cabinet struct {
	Server *ofdsim.Server

	mu   sync.Mutex
	apps map[string]*entry
	next uint32 // the last system ID given
}

type entry struct {
	app    hub.CabinetApplication
	checks int
	status hub.CabinetStatus
}

// Apply keeps the application and returns its reference.
func (c *Cabinet) Apply(_ context.Context, a hub.CabinetApplication) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.apps == nil {
		c.apps = map[string]*entry{}
		c.next = 700000
	}
	ref := fmt.Sprintf("APP-%d", len(c.apps)+1)
	c.apps[ref] = &entry{app: a, status: hub.CabinetStatus{Status: hub.StatusSent}}
	return ref, nil
}

// Check moves an application on by one step per check, as the tax authority takes its time:
// sent → awaiting the tax authority → registered (the emulator now knows the register).
func (c *Cabinet) Check(_ context.Context, ref string) (hub.CabinetStatus, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.apps[ref]
	if !ok {
		return hub.CabinetStatus{}, fmt.Errorf("ofdsimcabinet: no application %q", ref)
	}
	e.checks++
	switch {
	case e.status.Status != hub.StatusSent && e.status.Status != hub.StatusAwaitingKGD:
	case e.checks == 1:
		e.status.Status = hub.StatusAwaitingKGD
	default:
		c.next++
		var b [4]byte
		rand.Read(b[:])
		token := binary.BigEndian.Uint32(b[:])%900_000_000 + 100_000_000
		rnm := fmt.Sprintf("%012d", uint64(c.next)*1000+7)
		err := c.Server.AddRegister(ofdsim.RegisterConfig{
			ID: c.next, Token: token, RNM: rnm, ZNM: e.app.Serial,
			Organisation: ofdsim.Organisation{Title: e.app.OrganizationName, Address: e.app.LegalAddress,
				IINBIN: e.app.OrganizationIINBIN},
			TradingPoint: ofdsim.TradingPoint{Title: e.app.TradePoint.Name, Address: address(e.app.TradePoint)},
		})
		if err != nil {
			e.status = hub.CabinetStatus{Status: hub.StatusError, Error: err.Error()}
			break
		}
		e.status = hub.CabinetStatus{Status: hub.StatusRegistered, SystemID: c.next, Token: token}
	}
	return e.status, nil
}

func address(tp hub.TradePoint) string {
	s := tp.Region + ", " + tp.Locality + ", " + tp.Street + " " + tp.House
	if tp.Apartment != "" {
		s += ", " + tp.Apartment
	}
	return s
}
