// Package hubdrill is the hub's separate-process drill (issue 18): registers run as processes of
// their own, each a journal that issues receipts on a fake clock and pushes to the hub with
// hubsync, while the hub itself is a process that the drill kills and starts again. Through hub
// kills, pushes repeated whole, a register held back for days and a phone lost and restored from
// the hub, the owner's view at the end (hub analytics) must equal the sum of the registers' own
// journals, and the hub must hold each journal whole, once.
//
// The processes are the test binary run again in a child mode (ChildEnv), as internal/crashdrill
// does, so the drill needs no build step; `make hub-drill` runs a bigger drill than `go test`.
package hubdrill

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/hubsync"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/storage"
)

// The environment of a child process.
const (
	// ChildEnv says which child to be: "hub" or "register"; ArgsEnv carries its Args as JSON.
	ChildEnv = "EKASSA_HUBDRILL_CHILD"
	ArgsEnv  = "EKASSA_HUBDRILL_ARGS"
	// CredentialEnv carries a register's credential, as the app's EKASSA_HUB_CREDENTIAL does.
	CredentialEnv = "EKASSA_HUB_CREDENTIAL"
)

// Args is what a child is asked to do.
type Args struct {
	// The hub child.
	DSN, Listen, Cert, Key string
	// The register child.
	Data      string    // the journal's folder
	Hub, CA   string    // the hub's address and certificate
	Serial    string    // the register's serial number
	Day       time.Time // the fake clock: the day's first receipt at 09:00 in Kazakhstan
	Sell      int       // receipts to issue
	Push      bool      // push to the hub (else the register is held back: offline from the hub)
	Duplicate bool      // push the journal's first documents again, whole, and expect them held
	Restore   bool      // a new phone: restore the journal from the hub first
	Wait      time.Duration
}

// Report is what a register child prints: its journal as it sees it, and what the push did.
type Report struct {
	Serial    string `json:"serial"`
	Head      int64  `json:"head"`
	Receipts  int64  `json:"receipts"`
	Revenue   int64  `json:"revenue"` // tiyn, each operation with its sign, as the hub counts it
	Restored  int64  `json:"restored,omitempty"`
	Duplicate int    `json:"duplicate,omitempty"`
	Pushes    int    `json:"pushes"` // attempts until the hub took everything
}

// kz is Kazakhstan's time (UTC+5).
var kz = time.FixedZone("UTC+5", 5*3600)

// RunHub serves the hub until the process is killed.
func RunHub(ctx context.Context, a Args) error {
	store, err := hub.Open(ctx, a.DSN)
	if err != nil {
		return err
	}
	defer store.Close()
	return hub.NewServer(store, nil).ListenAndServeTLS(ctx, a.Listen, a.Cert, a.Key)
}

// RunRegister is one life of a register: restore (a new phone), issue the day's receipts, push
// until the hub holds everything (retrying while the hub is down), and report.
func RunRegister(ctx context.Context, a Args, credential string, client *http.Client) (Report, error) {
	rep := Report{Serial: a.Serial}
	if err := os.MkdirAll(a.Data, 0o700); err != nil {
		return rep, err
	}
	j, err := storage.Open(ctx, filepath.Join(a.Data, "journal.db"))
	if err != nil {
		return rep, err
	}
	defer j.Close()
	c := &hub.Client{BaseURL: a.Hub, Secret: credential, HTTP: client}
	deadline := time.Now().Add(a.Wait)
	retry := func(what string, f func() error) error {
		for {
			err := f()
			if err == nil {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s: %w", what, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if a.Restore {
		if err := retry("restore", func() error {
			info, err := hubsync.Restore(ctx, j, c, credential)
			rep.Restored = info.Documents
			if errors.Is(err, storage.ErrRestoreNotEmpty) {
				return nil // restored by an earlier life of this phone
			}
			return err
		}); err != nil {
			return rep, err
		}
	}
	s, ok, err := j.Settings(ctx)
	if err != nil {
		return rep, err
	}
	if !ok {
		s = kkm.DefaultSettings()
		s.SerialNumber, s.Reg.ZNM, s.SystemID = a.Serial, a.Serial, 1
		s.AutoCashOut = true
		if err := j.SaveSettings(ctx, s); err != nil {
			return rep, err
		}
	}
	st, err := j.State(ctx)
	if err != nil {
		return rep, err
	}
	reg := kkm.Register{Settings: s, State: st}
	op := kkm.Operator{Code: 1 + uint32(len(a.Serial)%3), Name: "Кассир " + a.Serial}
	at := time.Date(a.Day.Year(), a.Day.Month(), a.Day.Day(), 9, 0, 0, 0, kz)
	if last := reg.State.LastDocumentTime; !at.After(last) {
		at = last.Add(time.Minute)
	}
	commit := func(iss kkm.Issued, err error) error {
		if err != nil {
			return err
		}
		if _, err := j.Commit(ctx, iss.Documents, iss.State); err != nil {
			return err
		}
		reg.State = iss.State
		return nil
	}
	if reg.State.ShiftOpen && a.Sell > 0 { // a new day: yesterday's shift closes first
		if err := commit(reg.CloseShift(op, at, false)); err != nil {
			return rep, fmt.Errorf("the Z report: %w", err)
		}
	}
	for i := 0; i < a.Sell; i++ {
		at = at.Add(time.Minute)
		amount := kkm.Money(100_00 + 37*i)
		draft := kkm.SimpleDraft(kkm.OpSale, []kkm.Money{amount}, []kkm.Payment{{Type: kkm.PayCash, Sum: amount}})
		if i%5 == 4 { // a purchase from a supplier, paid by card: it counts against the revenue
			draft = kkm.SimpleDraft(kkm.OpPurchase, []kkm.Money{amount}, []kkm.Payment{{Type: kkm.PayCard, Sum: amount}})
		}
		if err := commit(reg.IssueReceipt(draft, op, at, false)); err != nil {
			return rep, fmt.Errorf("receipt %d: %w", i+1, err)
		}
	}
	if a.Push {
		p := hubsync.New(j, c, a.Serial, hubsync.Config{Safe: j, Passphrase: credential})
		if err := retry("push", func() error { rep.Pushes++; _, err := p.Sync(ctx); return err }); err != nil {
			return rep, err
		}
	}
	if a.Duplicate {
		if err := retry("duplicate push", func() error {
			rows, err := j.ChainRows(ctx, 0, 50)
			if err != nil {
				return err
			}
			docs := make([]hub.Document, len(rows))
			for i, r := range rows {
				docs[i] = hub.Document{UUID: hubsync.DocumentUUID(a.Serial, r.Seq), Seq: r.Seq, Kind: r.Kind,
					ShiftNumber: r.ShiftNumber, Number: r.Number, IssuedAt: r.IssuedAt, Total: r.Total, Offline: r.Offline,
					ParentSeq: r.ParentSeq, Content: r.Content, PrevHash: r.PrevHash, Hash: r.Hash}
			}
			res, err := c.Push(ctx, docs, nil)
			if err != nil {
				return err
			}
			if res.Stored != 0 || res.Duplicate != len(docs) {
				return fmt.Errorf("a repeated push stored %d, held %d of %d", res.Stored, res.Duplicate, len(docs))
			}
			rep.Duplicate = res.Duplicate
			return nil
		}); err != nil {
			return rep, err
		}
	}
	return rep, sumJournal(ctx, j, &rep)
}

// sumJournal counts the journal's receipts and their revenue as the hub's figures count them.
func sumJournal(ctx context.Context, j *storage.Journal, rep *Report) error {
	for after := int64(0); ; {
		rows, err := j.ChainRows(ctx, after, 1000)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		for _, r := range rows {
			rep.Head = r.Seq
			if r.Kind != string(kkm.KindReceipt) {
				continue
			}
			var d kkm.Document
			if err := json.Unmarshal(r.Content, &d); err != nil {
				return err
			}
			rep.Receipts++
			switch d.Receipt.Operation {
			case kkm.OpSale, kkm.OpPurchaseReturn:
				rep.Revenue += r.Total
			default:
				rep.Revenue -= r.Total
			}
		}
		after = rows[len(rows)-1].Seq
	}
}
