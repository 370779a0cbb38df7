package ui

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ekassa-go/ekassa/i18n"
)

// journalErr is a journal failure as storage reports it: a message ID and no more.
type journalErr string

func (e journalErr) Error() string     { return string(e) }
func (e journalErr) MessageID() string { return string(e) }

func problemHarness(t *testing.T, lang i18n.Lang, err error, restore JournalRestore) (*harness, *JournalProblem, *int) {
	t.Helper()
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(360, 640))
	t.Cleanup(w.Close)
	quits := 0
	p := ShowJournalProblem(w, i18n.MustBundle(), lang, err, restore, func() { quits++ })
	p.spawn = func(f func()) { f() }
	return &harness{t: t, w: w, u: &UI{}}, p, &quits // u: nothing queued, only settle's width check
}

// A second instance of the app finds the journal held by the first: the start page says, in the
// cashier's language, that the register is open elsewhere, offers no restore, and closes the app.
func TestJournalProblemOpenElsewhere(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.Kazakh, i18n.Russian, i18n.English} {
		t.Run(string(lang), func(t *testing.T) {
			h, p, quits := problemHarness(t, lang, journalErr("err.journal.in_use"), nil)
			l := p.loc
			h.see(l.T("journal.problem.title"), l.T("err.journal.in_use"))
			h.notSee(l.T("journal.problem.restore"))
			h.tap(l.T("journal.problem.quit"))
			if *quits != 1 {
				t.Errorf("the app was not closed: %d", *quits)
			}
		})
	}
}

// A damaged journal: the page says so and restores the chosen backup (a private copy of it is
// what the restore gets); a refused backup shows the refusal and the page stays; a restore that
// succeeds says how many documents and where the damaged file is kept, and asks to start again.
func TestJournalProblemRestore(t *testing.T) {
	files := &fakeFiles{dir: t.TempDir(), next: "backup.db"}
	if err := os.WriteFile(filepath.Join(files.dir, "backup.db"), []byte("the backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	var got []string
	refuse := true
	restore := func(ctx context.Context, path, password string) (int64, string, error) {
		if password != "пароль копии" {
			return 0, "", journalErr("err.backup.wrong_password")
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return 0, "", err
		}
		got = append(got, string(b))
		if refuse {
			return 0, "", journalErr("err.backup.unreadable")
		}
		return 42, "/data/journal.db.damaged-20261203T120000", nil
	}
	h, p, _ := problemHarness(t, i18n.Russian, journalErr("err.journal.corrupt"), restore)
	p.files = files
	l := p.loc
	h.see(l.T("journal.problem.title"), l.T("err.journal.corrupt"))

	h.tap(l.T("journal.problem.restore"))
	h.typeInto(l.T("backup.password"), 0, "не тот")
	h.tap(l.T("backup.password.ok"))
	h.see(l.T("err.backup.wrong_password"), l.T("journal.problem.restore"))
	h.tap(l.T("journal.problem.restore"))
	h.typeInto(l.T("backup.password"), 0, "пароль копии")
	h.tap(l.T("backup.password.ok"))
	h.see(l.T("err.backup.unreadable"), l.T("journal.problem.restore"))

	refuse = false
	h.tap(l.T("journal.problem.restore"))
	h.typeInto(l.T("backup.password"), 0, "пароль копии")
	h.tap(l.T("backup.password.ok"))
	h.see(l.T("journal.problem.restored", map[string]any{"Count": 42, "File": "journal.db.damaged-20261203T120000"}))
	h.notSee(l.T("journal.problem.restore"))
	if len(got) != 2 || got[0] != "the backup" || got[1] != "the backup" {
		t.Errorf("the restore got %q", got)
	}
	if p.fail != nil {
		t.Errorf("the failed restore's error is still kept: %v", p.fail)
	}
}
