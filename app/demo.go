package app

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient/ofdsim"
	"github.com/ekassa-go/ekassa/storage"
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

// DemoFolder is the demo's folder inside the app's own storage when -data does not name one:
// beside the real register's journal, never in its place.
const DemoFolder = "demo"

// DemoStateFile is the embedded emulator's ledger file in the demo's folder (ofdsim.Options.StateFile):
// the OFD's side of the demo register, kept beside the register's journal so that the two come
// back together after the app is closed or killed. Its presence marks a folder as a demo's.
const DemoStateFile = "ofd-emulator.state"

// DemoResetFile in the demo's folder asks the next start to start the demo over (settings →
// «Начать демо заново», which closes the app: the journal and the emulator cannot be replaced
// under the running screens).
const DemoResetFile = "reset-requested"

// requestDemoReset leaves DemoResetFile in dir, synced, for the next start.
func requestDemoReset(dir string) error {
	f, err := os.Create(filepath.Join(dir, DemoResetFile))
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// demoLogLimit is how many exchanges the demo's emulator keeps in its request log. Nothing in the
// app reads the log; at the emulator's default (10 000, for the tests that inspect it) the
// decoded requests and answers were ~10 MB of the app's live heap after 3 000 sales, walked by
// every GC cycle and growing all day.
const demoLogLimit = 16

// StartDemo starts the emulator on a free loopback port with the demo register, its ledger in
// memory (tests and benchmarks, which throw the journal away too).
func StartDemo(ctx context.Context) (*Demo, error) {
	return startDemo(ctx, "")
}

// StartDemoIn starts the emulator with its ledger kept in dir (DemoStateFile): a fresh folder
// gets a new demo register, a folder used before gets the register and ledger it left, so the
// demo journal beside it goes on where it stopped. Connect carries the token the ledger expects.
func StartDemoIn(ctx context.Context, dir string) (*Demo, error) {
	return startDemo(ctx, filepath.Join(dir, DemoStateFile))
}

func startDemo(ctx context.Context, stateFile string) (*Demo, error) {
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
	srv, err := ofdsim.New(ofdsim.Options{StateFile: stateFile, LogLimit: demoLogLimit}, ofdsim.RegisterConfig{
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
		srv.Close()
		return nil, fmt.Errorf("app: demo OFD: %w", err)
	}
	// A ledger loaded from the state file keeps its own token (the config's fresh one is unused).
	if token, err = srv.Token(demoSystemID); err != nil {
		srv.Close()
		return nil, err
	}
	return &Demo{
		Server:  srv,
		Connect: ui.ConnectRequest{OFDAddress: srv.Addr(), SystemID: demoSystemID, Token: token},
	}, nil
}

// demoFolder is the folder a demo keeps its journal and its OFD's ledger in: -data when given,
// else DemoFolder in the app's storage. It refuses a folder holding a register's journal but no
// demo ledger (a real register's, which a demo must never sell into), and -demo-reset (or
// DemoResetFile left by the settings) empties a demo's folder first.
func demoFolder(dataDir, appStorage string, reset bool) (string, error) {
	dir := dataDir
	if dir == "" {
		dir = filepath.Join(appStorage, DemoFolder)
	}
	_, jerr := os.Stat(filepath.Join(dir, JournalFile))
	_, serr := os.Stat(filepath.Join(dir, DemoStateFile))
	if jerr == nil && serr != nil {
		return "", fmt.Errorf("%s holds a register's journal, not a demo's: the demo does not use it (choose another -data)", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, DemoResetFile)); err == nil {
		reset = true // asked in the demo's settings
	}
	if reset && serr == nil {
		if err := os.RemoveAll(dir); err != nil {
			return "", fmt.Errorf("starting the demo over: %w", err)
		}
	}
	return dir, nil
}

// reconnectDemo points a demo journal connected before at the emulator's new address (it listens
// on a free port, another at each start). It reports whether the journal is connected to the
// demo register at all; if not, prepareDemo makes it so.
func reconnectDemo(ctx context.Context, j *storage.Journal, d *Demo) (bool, error) {
	s, ok, err := j.Settings(ctx)
	if err != nil || !ok || s.SystemID != demoSystemID {
		return false, err
	}
	if s.OFDAddress == d.Connect.OFDAddress {
		return true, nil
	}
	s.OFDAddress = d.Connect.OFDAddress
	if err := j.SaveSettings(ctx, s); err != nil {
		return false, fmt.Errorf("app: the demo OFD's address: %w", err)
	}
	return true, nil
}

// prepareDemo makes a fresh demo journal ready to sell: the demo cashier, the catalogue, and the
// register connected to the emulator.
func prepareDemo(ctx context.Context, rt *Runtime, d *Demo, cashierName string) error {
	// A demo killed after its cashier was made and before it connected has the cashier already.
	cashiers, err := rt.Cashiers(ctx)
	if err != nil {
		return err
	}
	if len(cashiers) == 0 {
		if _, err := rt.CreateCashier(ctx, ui.NewCashier{Name: cashierName, Code: DemoCode}); err != nil {
			return err
		}
	}
	// The catalogue before the connection: a journal connected to the demo register is a
	// prepared one (reconnectDemo), whatever instant a kill interrupted this at.
	if err := seedDemoCatalogue(ctx, rt.journal); err != nil {
		return fmt.Errorf("app: the demo catalogue: %w", err)
	}
	if _, err := rt.Connect(ctx, d.Connect); err != nil {
		return fmt.Errorf("app: connect the demo register: %w", err)
	}
	return nil
}
