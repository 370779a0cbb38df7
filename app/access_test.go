package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// testPassword is the app tests' backup password.
const testPassword = "пароль копии 2026"

// A cashier calling the administrator's runtime methods directly (not through the screens) is
// refused with a typed, translated error, and nothing changes: settings (and above all the
// permissions), the token, backup, restore and cashier management. An operator code that belongs
// to no cashier of this register issues nothing.
func TestCashierCannotDoAdministratorActions(t *testing.T) {
	r := newRig(t)
	cashier, err := r.rt.AddCashier(r.ctx, r.by, ui.CashierForm{Name: "Ержан", Role: kkm.RoleCashier, Code: "5555"})
	if err != nil {
		t.Fatal(err)
	}
	senior, err := r.rt.AddCashier(r.ctx, r.by, ui.CashierForm{Name: "Сәуле", Role: kkm.RoleSeniorCashier, Code: "6666"})
	if err != nil {
		t.Fatal(err)
	}
	r.sell(1000)
	before := r.rt.Settings()
	path := filepath.Join(t.TempDir(), "backup.ekassa")
	if _, err := r.rt.Backup(r.ctx, r.by, path, testPassword); err != nil {
		t.Fatal(err)
	}

	lowered := before
	lowered.Permissions = kkm.Permissions{}
	for _, a := range kkm.Actions() {
		lowered.Permissions[a] = kkm.RoleCashier
	}
	renamed := before
	renamed.RegisterName = "Касса Ержана"
	loc := i18n.MustBundle().Localizer(i18n.Russian)
	forbidden := []struct {
		name   string
		action kkm.Action
		call   func(by kkm.Operator) error
	}{
		{"lower every permission", kkm.ActionSettings, func(by kkm.Operator) error { return r.rt.SaveSettings(r.ctx, by, lowered) }},
		{"rename the register", kkm.ActionSettings, func(by kkm.Operator) error { return r.rt.SaveSettings(r.ctx, by, renamed) }},
		{"change the token", kkm.ActionChangeToken, func(by kkm.Operator) error { return r.rt.ChangeToken(r.ctx, by, 4000000999) }},
		{"back up", kkm.ActionBackup, func(by kkm.Operator) error {
			_, err := r.rt.Backup(r.ctx, by, filepath.Join(t.TempDir(), "mine.ekassa"), testPassword)
			return err
		}},
		{"restore", kkm.ActionRestore, func(by kkm.Operator) error {
			_, err := r.rt.Restore(r.ctx, by, path, testPassword)
			return err
		}},
		{"add a cashier", kkm.ActionCashiers, func(by kkm.Operator) error {
			_, err := r.rt.AddCashier(r.ctx, by, ui.CashierForm{Name: "Друг", Role: kkm.RoleAdministrator, Code: "7777"})
			return err
		}},
		{"make oneself administrator", kkm.ActionCashiers, func(by kkm.Operator) error {
			return r.rt.SetCashierRole(r.ctx, by, cashier.ID, kkm.RoleAdministrator)
		}},
		{"remove the administrator", kkm.ActionCashiers, func(by kkm.Operator) error {
			return r.rt.RemoveCashier(r.ctx, by, senior.ID)
		}},
	}
	for _, f := range forbidden {
		err := f.call(cashier.Operator())
		var re *kkm.RoleError
		if !errors.Is(err, kkm.ErrForbidden) || !errors.As(err, &re) || re.Action != f.action {
			t.Errorf("%s: %v, want a RoleError for %s", f.name, err, f.action)
			continue
		}
		if text := loc.Error(err); text == "" || text == re.MessageID() {
			t.Errorf("%s: untranslated refusal %q", f.name, text)
		}
	}
	// A senior cashier allowed the settings still may not touch the permissions.
	s := r.rt.Settings()
	s.Permissions = kkm.Permissions{kkm.ActionSettings: kkm.RoleSeniorCashier}
	if err := r.rt.SaveSettings(r.ctx, r.by, s); err != nil {
		t.Fatal(err)
	}
	s.Permissions[kkm.ActionCashiers] = kkm.RoleSeniorCashier
	var re *kkm.RoleError
	if err := r.rt.SaveSettings(r.ctx, senior.Operator(), s); !errors.As(err, &re) || re.Action != kkm.ActionPermissions {
		t.Fatalf("a senior cashier changing the permissions: %v", err)
	}
	renamed = r.rt.Settings()
	renamed.RegisterName = "Касса №2"
	if err := r.rt.SaveSettings(r.ctx, senior.Operator(), renamed); err != nil {
		t.Fatalf("a senior cashier allowed the settings: %v", err)
	}
	if got := r.rt.Settings(); got.Permissions.Least(kkm.ActionCashiers) != kkm.RoleAdministrator || got.Token != before.Token {
		t.Fatalf("the refusals changed the settings: %+v", got.Permissions)
	}
	cs, _ := r.rt.Cashiers(r.ctx)
	if len(cs) != 3 {
		t.Fatalf("cashiers after the refusals: %d", len(cs))
	}

	// A code no cashier of this register has: nothing is issued in its name.
	stranger := kkm.Operator{Code: 999, Name: "Бөтен"}
	draft := kkm.SimpleDraft(kkm.OpSale, []kkm.Money{500}, []kkm.Payment{{Type: kkm.PayCash, Sum: 500}})
	if _, err := r.rt.IssueReceipt(r.ctx, stranger, draft); !errors.Is(err, ErrUnknownOperator) {
		t.Fatalf("a stranger's sale: %v", err)
	}
	if _, err := r.rt.CashIn(r.ctx, stranger, 100); !errors.Is(err, ErrUnknownOperator) {
		t.Fatalf("a stranger's cash in: %v", err)
	}
	if _, err := r.rt.XReport(r.ctx, stranger); !errors.Is(err, ErrUnknownOperator) {
		t.Fatalf("a stranger's X report: %v", err)
	}
	// A known code with a borrowed name: the journal's name goes on the document.
	is, err := r.rt.IssueReceipt(r.ctx, kkm.Operator{Code: cashier.OperatorCode, Name: "Әкімші"}, draft)
	if err != nil || is.Last().Document.Operator.Name != "Ержан" {
		t.Fatalf("sale under a borrowed name: %+v, %v", is, err)
	}
	// A second "first profile" is refused: cashiers are the administrator's to add.
	if _, err := r.rt.CreateCashier(r.ctx, ui.NewCashier{Name: "Тағы", Code: "8888"}); !errors.Is(err, ErrProfileExists) {
		t.Fatalf("second first profile: %v", err)
	}
}

// The journal, its key file and the folder are the owner's only; so is a backup.
func TestJournalFilesAreOwnerOnly(t *testing.T) {
	r := newRig(t)
	r.sell(1000)
	path := r.j.Path()
	for _, p := range []string{path, storage.KeyFile(path), path + "-wal"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
	b := filepath.Join(t.TempDir(), "b.ekassa")
	if _, err := r.rt.Backup(r.ctx, r.by, b, testPassword); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(b); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, %v", fi.Mode().Perm(), err)
	}
	// A journal file that was world-readable (an older build) is tightened when opened.
	if err := r.rt.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.j.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	j, err := storage.Open(r.ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("reopened journal mode %v", fi.Mode().Perm())
	}
}

// An encrypted backup round trip through the runtime: the right password restores, a wrong one
// is refused in the cashier's language and changes nothing.
func TestEncryptedBackupWrongPassword(t *testing.T) {
	r := newRig(t)
	r.sell(1000)
	path := filepath.Join(t.TempDir(), "b.ekassa")
	if _, err := r.rt.Backup(r.ctx, r.by, path, "short"); !errors.Is(err, storage.ErrBackupPasswordShort) {
		t.Fatalf("short password: %v", err)
	}
	if n, err := r.rt.Backup(r.ctx, r.by, path, testPassword); err != nil || n != 1 {
		t.Fatalf("backup: %d, %v", n, err)
	}
	r.sell(2000)
	_, err := r.rt.Restore(r.ctx, r.by, path, "не тот пароль")
	if !errors.Is(err, storage.ErrBackupWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	loc := i18n.MustBundle().Localizer(i18n.Kazakh)
	if text := loc.Error(err); text == "" || text == "err.backup.wrong_password" {
		t.Fatalf("untranslated: %q", text)
	}
	if st := r.rt.Status(); !st.Registered || st.Block != ui.BlockNone {
		t.Fatalf("after the refused restore: %+v", st)
	}
	if n, err := r.rt.CheckIntegrity(r.ctx); err != nil || n != 2 {
		t.Fatalf("journal after the refused restore: %d, %v", n, err)
	}
}

// Every message ID of this helper's area has a text in every language.
func TestTrustMessagesTranslated(t *testing.T) {
	ids := append(AccessMessageIDs(), "err.backup.wrong_password", "err.backup.password_short",
		"err.backup.password_mismatch", "err.journal.key_missing", "err.journal.key_mismatch",
		"backup.password", "backup.password.repeat", "backup.password.text",
		"restore.password.text")
	for _, w := range storage.ChangedKinds() {
		ids = append(ids, "err.journal.changed."+w)
	}
	for _, a := range kkm.AdministratorActions() {
		ids = append(ids, "err.role."+string(a))
	}
	ids = append(ids, ClockMessageIDs()...)
	for _, l := range i18n.Langs() {
		have, err := i18n.MessageIDs(l)
		if err != nil {
			t.Fatal(err)
		}
		set := map[string]bool{}
		for _, id := range have {
			set[id] = true
		}
		for _, id := range ids {
			if !set[id] {
				t.Errorf("%s: no text for %q", l, id)
			}
		}
	}
}

// The -v log (Options.Logf) names the token only by its tag: over sales, a token change and a
// refused token, no log line and no error text carries a token in digits.
func TestLogNamesNoToken(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	logf := func(format string, args ...any) {
		mu.Lock()
		lines = append(lines, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	r := newRigWith(t, Options{Logf: logf})
	tokens := []uint32{r.rt.Settings().Token}
	r.sell(1000)
	r.waitDrained()
	tokens = append(tokens, r.rt.Settings().Token)
	// Another device takes the register over: this one's next document is refused with code 2.
	fresh := uint32(4000000321)
	if err := r.demo.Server.SetToken(demoSystemID, fresh); err != nil {
		t.Fatal(err)
	}
	tokens = append(tokens, fresh)
	_, _ = r.rt.IssueReceipt(r.ctx, r.by, kkm.SimpleDraft(kkm.OpSale, []kkm.Money{500}, []kkm.Payment{{Type: kkm.PayCash, Sum: 500}}))
	deadline := time.Now().Add(10 * time.Second)
	for r.rt.Status().Block != ui.BlockToken && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	var errs []string
	if _, err := r.rt.IssueReceipt(r.ctx, r.by, kkm.SimpleDraft(kkm.OpSale, []kkm.Money{500}, []kkm.Payment{{Type: kkm.PayCash, Sum: 500}})); err != nil {
		errs = append(errs, err.Error())
	}
	if err := r.rt.ChangeToken(r.ctx, r.by, 4000000999); err != nil { // a token the OFD does not know
		errs = append(errs, err.Error())
	}
	if err := r.rt.ChangeToken(r.ctx, r.by, fresh); err != nil {
		t.Fatal(err)
	}
	r.waitDrained()
	tokens = append(tokens, r.rt.Settings().Token, 4000000999)
	mu.Lock()
	defer mu.Unlock()
	all := strings.Join(append(lines, errs...), "\n")
	if !strings.Contains(all, "token#") {
		t.Fatalf("the log names no token at all:\n%s", all)
	}
	for _, tok := range tokens {
		if d := strconv.FormatUint(uint64(tok), 10); strings.Contains(all, d) {
			t.Errorf("token %s appears in the log or an error:\n%s", d, all)
		}
	}
}

// The wait after wrong quick-access codes survives a restart of the app: the guess count and the
// end of the wait are kept beside the journal (0600), and a right code after the wait clears them.
func TestWrongCodeWaitSurvivesRestart(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Now().Add(time.Minute).UnixNano()) // ahead of the emulator's reports, within the OFD limit
	clock := func() time.Time { return time.Unix(0, now.Load()).UTC() }
	r := newRigWith(t, Options{Now: clock})
	var we *ui.WrongCodeError
	for i := 0; i < 4; i++ {
		if _, err := r.rt.CheckCode(r.ctx, "0000"); !errors.As(err, &we) {
			t.Fatalf("wrong code %d: %v", i, err)
		}
	}
	if we.Wait != 30*time.Second {
		t.Fatalf("wait after 4 wrong codes: %v", we.Wait)
	}
	if fi, err := os.Stat(CodeWaitFile(r.j.Path())); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the wait's file: %v, %v", fi, err)
	}
	rt := reopen(t, r, nil, Options{Now: clock})
	if _, err := rt.CheckCode(r.ctx, DemoCode); !errors.As(err, &we) || !we.TooEarly {
		t.Fatalf("the right code just after a restart: %v, want the wait", err)
	}
	now.Add(int64(31 * time.Second))
	if _, err := rt.CheckCode(r.ctx, "0001"); !errors.As(err, &we) || we.Wait != time.Minute {
		t.Fatalf("the fifth wrong code after the restart: %v, want a minute's wait", err)
	}
	now.Add(int64(61 * time.Second))
	if _, err := rt.CheckCode(r.ctx, DemoCode); err != nil {
		t.Fatal(err)
	}
	rt = reopen(t, r, nil, Options{Now: clock})
	for i := 0; i < 3; i++ {
		if _, err := rt.CheckCode(r.ctx, "0000"); !errors.As(err, &we) || we.Wait != 0 {
			t.Fatalf("after a right code the count starts afresh: %v", err)
		}
	}
}
