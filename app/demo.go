package app

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient/ofdsim"
	"github.com/ekassa-go/ekassa/ui"
)

// The demo register, as the embedded emulator's "OFD cabinet" sets it up. The IIN/BIN passes the
// check digit; the RNM is the 12 digits the QR link's f= carries.
const (
	demoSystemID = 777001
	demoRNM      = "010100777001"
	demoIINBIN   = "260115400004"
	// DemoCode is the demo cashier's quick-access code; the lock screen of demo mode shows it.
	DemoCode = "1111"
)

// Demo is demo mode's embedded OFD: an emulator on loopback with one register, which the app
// connects to as a cashier would, through COMMAND_INFO. Nothing leaves the machine.
type Demo struct {
	Server  *ofdsim.Server
	Connect ui.ConnectRequest
}

// StartDemo starts the emulator on a free loopback port with the demo register.
func StartDemo(ctx context.Context) (*Demo, error) {
	znm, err := kkm.NewSerialNumber()
	if err != nil {
		return nil, err
	}
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	// Tokens above 2³¹ occur in real life; the demo starts with one so that path is used too.
	token := binary.LittleEndian.Uint32(b[:]) | 1<<31
	srv, err := ofdsim.New(ofdsim.Options{}, ofdsim.RegisterConfig{
		ID: demoSystemID, Token: token, RNM: demoRNM, ZNM: znm,
		Organisation: ofdsim.Organisation{
			Title:     "ИП «Демо-дүкен»",
			Address:   "г. Алматы, пр. Абая, 10",
			AddressKZ: "Алматы қ., Абай даңғылы, 10",
			IINBIN:    demoIINBIN,
		},
		TradingPoint: ofdsim.TradingPoint{
			Title:     "Демо-дүкен",
			Address:   "г. Алматы, пр. Абая, 10",
			AddressKZ: "Алматы қ., Абай даңғылы, 10",
			Latitude:  43_240_500, // micro-degrees (kkm.GeoPosition)
			Longitude: 76_945_500,
		},
	})
	if err != nil {
		return nil, err
	}
	if err := srv.Start(ctx, "127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("app: demo OFD: %w", err)
	}
	return &Demo{
		Server:  srv,
		Connect: ui.ConnectRequest{OFDAddress: srv.Addr(), SystemID: demoSystemID, Token: token},
	}, nil
}

// prepareDemo makes a fresh demo journal ready to sell: the demo cashier, and the register
// connected to the emulator.
func prepareDemo(ctx context.Context, rt *Runtime, d *Demo, cashierName string) error {
	if _, err := rt.CreateCashier(ctx, ui.NewCashier{Name: cashierName, Code: DemoCode}); err != nil {
		return err
	}
	if _, err := rt.Connect(ctx, d.Connect); err != nil {
		return fmt.Errorf("app: connect the demo register: %w", err)
	}
	if err := seedDemoCatalogue(ctx, rt.journal); err != nil {
		return fmt.Errorf("app: the demo catalogue: %w", err)
	}
	return nil
}
