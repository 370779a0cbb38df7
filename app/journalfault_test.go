package app

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// The journal file is deleted under the running register: the next sale is refused with the
// journal's fault (translated, naming the recovery file), the status line blocks with
// BlockJournal, the typed sale is not issued, and the recovery file holds every document the
// register issued and the OFD answered.
func TestJournalGoneStopsIssuing(t *testing.T) {
	r := newRig(t)
	r.sell(10000)
	r.sell(25000)
	r.waitDrained()
	path := r.rt.journal.Path()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	_, err := r.rt.IssueReceipt(r.ctx, r.by, kkm.SimpleDraft(kkm.OpSale, []kkm.Money{5000}, []kkm.Payment{{Type: kkm.PayCash, Sum: 5000}}))
	var fe *storage.FaultError
	if !errors.As(err, &fe) || !errors.Is(err, storage.ErrJournalGone) || fe.Recovery == "" {
		t.Fatalf("sale after the journal was deleted: %v, want ErrJournalGone with a recovery file", err)
	}
	t.Cleanup(func() { os.Remove(fe.Recovery) })
	st := r.rt.Status()
	if st.Block != ui.BlockJournal || !errors.Is(st.Fault, storage.ErrJournalGone) {
		t.Errorf("status %+v, want BlockJournal with the fault", st)
	}
	b := i18n.MustBundle()
	for _, lang := range []i18n.Lang{i18n.Kazakh, i18n.Russian, i18n.English} {
		msg := b.Localizer(lang).Error(st.Fault)
		if msg == b.Localizer(lang).T("err.unexpected") || !strings.Contains(msg, fe.Recovery) {
			t.Errorf("%s: the block says %q; want the translated fault naming %s", lang, msg, fe.Recovery)
		}
	}
	// Issuing stays refused (the fault is latched), also for the Z.
	if _, err := r.rt.CloseShift(r.ctx, r.by); !errors.Is(err, storage.ErrJournalGone) {
		t.Errorf("the Z after the fault: %v", err)
	}
	info, err := storage.Inspect(r.ctx, fe.Recovery, "") // a plain journal, its seal key beside it
	if err != nil || info.Documents != 2 || !info.Registered {
		t.Fatalf("the recovery file: %+v, %v; want the 2 sales of the register", info, err)
	}
}
