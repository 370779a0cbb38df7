package ui

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// The owner's side of the screens: permissions asked before a restricted screen opens, the way
// out of a clock refusal, the journal's backup, restore and check, and the token shown only to
// an administrator.

// errClockJumped is the message ID of the runtime's refusal when the device's clock jumped
// (design.md §3.8): the way out is to set the clock, or to confirm it is right, and issue again.
const errClockJumped = "err.clock.jumped"

// allowThen asks, off the UI goroutine, whether the cashier at work may do a, and runs then on
// the UI goroutine when they may; a refusal is shown in their language. Without an Access port
// everything is allowed here (the register still checks when it issues).
func (u *UI) allowThen(a kkm.Action, then func()) {
	access := u.ports.Access
	if access == nil {
		then()
		return
	}
	by := u.cashier.Operator()
	u.background(func(ctx context.Context) func() {
		err := access.Allow(ctx, by, a)
		return func() {
			if err != nil {
				u.render() // a menu that opened the screen shows its choice again
				u.inform("dialog.error", u.loc.Error(err))
				return
			}
			then()
		}
	})
}

// issueFailed shows why an operation failed. For a clock that jumped it offers «Часы верны»
// (the cashier checked the clock: accept it and issue again) and «Повторить» (the cashier set the
// clock right: issue again); what was typed stays on the form either way.
func (u *UI) issueFailed(err error, again func()) {
	var m interface{ MessageID() string }
	recovery := u.ports.Recovery
	if recovery != nil && errors.As(err, &m) && m.MessageID() == string(kkm.ErrClockBackwards) && u.isAdministrator() {
		u.offerClockCorrection(err)
		return
	}
	if recovery == nil || !errors.As(err, &m) || m.MessageID() != errClockJumped {
		u.inform("dialog.error", u.loc.Error(err))
		return
	}
	l := u.loc
	u.dialogBox(l.T("clock.title"), wrapped(l.Error(err)),
		dialogButton{text: l.T("clock.confirm"), main: true, tapped: func() {
			recovery.ConfirmClock()
			again()
		}},
		dialogButton{text: l.T("clock.retry"), tapped: again},
		dialogButton{text: l.T("button.cancel")})
}

// offerClockCorrection shows a refusal for a clock behind the last document with the way back
// for an administrator: «Исправить время по ОФД» (docs/fault-matrix.md, «Clocks»). The register
// checks the OFD's time and the role again; what it answers is shown.
func (u *UI) offerClockCorrection(err error) {
	l, recovery := u.loc, u.ports.Recovery
	by := u.cashier.Operator()
	correct := func() {
		u.background(func(ctx context.Context) func() {
			cc, err := recovery.CorrectClock(ctx, by)
			st := u.ports.Status.Status()
			return func() {
				u.setStatus(st)
				if err != nil {
					u.inform("dialog.error", l.Error(err))
					return
				}
				u.inform("clock.title", l.T("clock.correct.done", map[string]any{
					"OFD": cc.OFDTime.Format("02.01.2006 15:04"), "Last": cc.WrongLast.Format("02.01.2006 15:04")}))
			}
		})
	}
	u.dialogBox(l.T("clock.title"), wrapped(l.Error(err)),
		dialogButton{text: l.T("clock.correct"), main: true, tapped: correct},
		dialogButton{text: l.T("button.cancel")})
}

// isAdministrator reports whether the cashier at work is an administrator.
func (u *UI) isAdministrator() bool { return u.cashier.Role == kkm.RoleAdministrator }

// maskToken shows a token in full to an administrator and only its last digits to anyone else
// (at most four, and never more than half of them): ••••1234.
func maskToken(token uint32, full bool) string {
	s := strconv.FormatUint(uint64(token), 10)
	if full {
		return s
	}
	shown := min(4, len(s)/2)
	return "••••" + s[len(s)-shown:]
}

// roleIDs are the message IDs of the roles, least first.
func roleIDs() map[kkm.Role]string {
	return map[kkm.Role]string{
		kkm.RoleCashier:       "role.cashier",
		kkm.RoleSeniorCashier: "role.senior_cashier",
		kkm.RoleAdministrator: "role.administrator",
	}
}

// roles are the three roles, least first.
func roles() []kkm.Role {
	return []kkm.Role{kkm.RoleCashier, kkm.RoleSeniorCashier, kkm.RoleAdministrator}
}

// roleName is a role in the cashier's language.
func roleName(l *i18n.Localizer, r kkm.Role) string { return l.T(roleIDs()[r]) }

// roleSelect is a menu of the three roles showing r; choose gets the role picked.
func roleSelect(l *i18n.Localizer, r kkm.Role, choose func(kkm.Role)) *widget.Select {
	var names []string
	for _, x := range roles() {
		names = append(names, roleName(l, x))
	}
	sel := widget.NewSelect(names, nil)
	for i, x := range roles() {
		if x == r {
			sel.SetSelectedIndex(i)
		}
	}
	sel.OnChanged = func(string) {
		if i := sel.SelectedIndex(); i >= 0 {
			choose(roles()[i])
		}
	}
	return sel
}

// permissionIDs are the message IDs of the restricted actions as the settings name them.
func permissionIDs() map[kkm.Action]string {
	return map[kkm.Action]string{
		kkm.ActionReturn:      "settings.permission.return",
		kkm.ActionCloseShift:  "settings.permission.close_shift",
		kkm.ActionSettings:    "settings.permission.settings",
		kkm.ActionChangeToken: "settings.permission.change_token",
		kkm.ActionCashiers:    "settings.permission.cashiers",
		kkm.ActionCatalogue:   "settings.permission.catalogue",
	}
}

// autoLockChoices are the idle times the settings offer; 0 is off.
func autoLockChoices() []time.Duration {
	return []time.Duration{0, time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute}
}

// autoLockName is an idle time in the cashier's language.
func autoLockName(l *i18n.Localizer, d time.Duration) string {
	if d <= 0 {
		return l.T("autolock.off")
	}
	return l.T("autolock.minutes", map[string]any{"Minutes": int64(d / time.Minute)})
}

// filePicker is the system's file dialogs; the tests give their own.
type filePicker interface {
	// save asks where to save a file named name; done gets the file (nil when cancelled).
	save(name string, done func(fyne.URIWriteCloser, error))
	// open asks for a file to read; done gets the file (nil when cancelled).
	open(done func(fyne.URIReadCloser, error))
}

// dialogFiles is Fyne's file dialogs in the window, titled in loc's language.
type dialogFiles struct {
	win fyne.Window
	loc *i18n.Localizer
}

func (f dialogFiles) save(name string, done func(fyne.URIWriteCloser, error)) {
	d := dialog.NewFileSave(done, f.win)
	d.SetFileName(name)
	titleFileDialog(d, f.loc, true)
	d.Show()
}

func (f dialogFiles) open(done func(fyne.URIReadCloser, error)) {
	d := dialog.NewFileOpen(done, f.win)
	titleFileDialog(d, f.loc, false)
	d.Show()
}

// titleFileDialog gives a file dialog a title of the app's own. Fyne 2.7 titles it with its button's
// text followed by its word for «File» («Сақтау Файл», «Открыть Файл», «Файлды таңдау Файл»),
// which no Kazakh or Russian reader writes (walker S4 W11).
func titleFileDialog(d *dialog.FileDialog, loc *i18n.Localizer, save bool) {
	if loc == nil {
		return
	}
	if save {
		d.SetTitleText(loc.T("files.save.title"))
	} else {
		d.SetTitleText(loc.T("files.open.title"))
	}
}

// journalCare is the settings' «Журнал кассы» section: «Резервная копия», «Восстановить» and
// «Проверить журнал». A backup is made into a private temporary file and copied into the file
// the cashier chose (on a phone that is a content URI, not a path); a restore copies the chosen
// file out the same way first.
type journalCare struct {
	u      *UI
	files  filePicker
	notice string
	err    error
	busy   bool
}

func (j *journalCare) view(mayChange bool) fyne.CanvasObject {
	u, l := j.u, j.u.loc
	backup := widget.NewButton(l.T("journal.backup"), j.backup)
	restore := widget.NewButton(l.T("journal.restore"), j.restore)
	verify := widget.NewButton(l.T("journal.verify"), j.verify)
	if !mayChange {
		backup.Hide()
		restore.Hide()
	}
	if j.busy {
		backup.Disable()
		restore.Disable()
		verify.Disable()
	}
	notice := wrapped(j.notice)
	if j.notice == "" {
		notice.Hide()
	}
	return container.NewVBox(bold(l.T("journal.title")), backup, restore, verify, notice, errorText(u.loc.Error(j.err)))
}

// backupName is the file name a backup is offered under.
func (j *journalCare) backupName() string {
	set := j.u.ports.Settings.Settings()
	name := "ekassa"
	if set.SerialNumber != "" {
		name += "-" + set.SerialNumber
	}
	return name + "-" + time.Now().Format("20060102-1504") + ".ekassa"
}

// backup asks for the backup's password (twice), then where to save it, and saves an encrypted
// copy of the journal there.
func (j *journalCare) backup() {
	u, care := j.u, j.u.ports.JournalCare
	by := u.cashier.Operator()
	u.askPassword("journal.backup", "backup.password.text", true, func(password string) {
		j.files.save(j.backupName(), func(w fyne.URIWriteCloser, err error) {
			if err == nil && w == nil {
				return // cancelled
			}
			if err != nil {
				j.done(0, "", &uiError{id: errBackupSave, cause: err})
				return
			}
			j.start()
			u.background(func(ctx context.Context) func() {
				n, err := backupTo(ctx, care, by, password, w)
				return func() { j.done(n, "journal.backup.done", err) }
			})
		})
	})
}

// backupTo makes the backup into a temporary file and copies it to w, which it closes.
func backupTo(ctx context.Context, care JournalCare, by kkm.Operator, password string, w io.WriteCloser) (int64, error) {
	dir, err := os.MkdirTemp("", "ekassa-backup-*")
	if err != nil {
		w.Close()
		return 0, &uiError{id: errBackupSave, cause: err}
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "journal.ekassa")
	n, err := care.Backup(ctx, by, path, password)
	if err != nil {
		w.Close()
		return 0, err
	}
	f, err := os.Open(path)
	if err == nil {
		_, err = io.Copy(w, f)
		f.Close()
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, &uiError{id: errBackupSave, cause: err}
	}
	return n, nil
}

// restore asks to confirm, then for the backup and its password, restores it and locks the app:
// the cashiers are the backup's now.
func (j *journalCare) restore() {
	u, care := j.u, j.u.ports.JournalCare
	by := u.cashier.Operator()
	u.confirm("journal.restore", "journal.restore.confirm", "journal.restore.go", func() {
		j.files.open(func(r fyne.URIReadCloser, err error) {
			if err == nil && r == nil {
				return // cancelled
			}
			if err != nil {
				j.done(0, "", &uiError{id: errBackupRead, cause: err})
				return
			}
			u.askPassword("journal.restore", "restore.password.text", false, func(password string) {
				j.start()
				u.background(func(ctx context.Context) func() {
					n, err := restoreFrom(ctx, care, by, password, r)
					st := u.ports.Status.Status()
					return func() {
						u.setStatus(st)
						j.done(n, "journal.restore.done", err)
						if err != nil {
							return
						}
						u.reg = nil // the register screen of the journal before
						u.home()
						u.Lock()
						u.inform("journal.restore", u.loc.T("journal.restore.done", map[string]any{"Count": n}))
					}
				})
			})
		})
	})
}

// restoreFrom copies the chosen backup to a temporary file, which it restores.
func restoreFrom(ctx context.Context, care JournalCare, by kkm.Operator, password string, r io.ReadCloser) (int64, error) {
	var n int64
	err := withBackupCopy(r, func(path string) (err error) {
		n, err = care.Restore(ctx, by, path, password)
		return err
	})
	return n, err
}

// withBackupCopy copies the chosen backup (on a phone a content URI) to a private temporary file,
// runs restore on its path, and removes the copy. A copy that fails is errBackupRead.
func withBackupCopy(r io.ReadCloser, restore func(path string) error) error {
	defer r.Close()
	dir, err := os.MkdirTemp("", "ekassa-restore-*")
	if err != nil {
		return &uiError{id: errBackupRead, cause: err}
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "journal.ekassa")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err == nil {
		_, err = io.Copy(f, r)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return &uiError{id: errBackupRead, cause: err}
	}
	return restore(path)
}

// askPassword asks for a backup's password in a dialog (twice when twice, and the two must
// match) and calls ok with it. The runtime checks its length.
func (u *UI) askPassword(titleID, textID string, twice bool, ok func(password string)) {
	askBackupPassword(u.win, u.loc, titleID, textID, twice, ok)
}

// askBackupPassword is askPassword for any window (the journal-problem page has no UI).
func askBackupPassword(win fyne.Window, l *i18n.Localizer, titleID, textID string, twice bool, ok func(password string)) {
	pw := widget.NewPasswordEntry()
	pw.SetPlaceHolder(l.T("backup.password"))
	items := []fyne.CanvasObject{wrapped(l.T(textID)), pw}
	var again *widget.Entry
	if twice {
		again = widget.NewPasswordEntry()
		again.SetPlaceHolder(l.T("backup.password.repeat"))
		items = append(items, again)
	}
	d := dialog.NewCustomConfirm(l.T(titleID), l.T("backup.password.ok"), l.T("button.cancel"), container.NewVBox(items...),
		func(yes bool) {
			if !yes {
				return
			}
			if again != nil && again.Text != pw.Text {
				msg := widget.NewLabel(l.T("err.backup.password_mismatch"))
				msg.Wrapping = fyne.TextWrapWord
				dialog.NewCustom(l.T(titleID), l.T("button.ok"), msg, win).Show()
				return
			}
			ok(pw.Text)
		}, win)
	d.Resize(fyne.NewSize(320, 0))
	d.Show()
}

// verify checks the journal's whole hash chain.
func (j *journalCare) verify() {
	u, care := j.u, j.u.ports.JournalCare
	j.start()
	u.background(func(ctx context.Context) func() {
		n, err := care.CheckIntegrity(ctx)
		return func() { j.done(n, "journal.verify.done", err) }
	})
}

// start shows the section busy.
func (j *journalCare) start() {
	j.busy, j.notice, j.err = true, "", nil
	j.u.render()
}

// done shows how an action ended: the notice doneID with the count, or the error.
func (j *journalCare) done(n int64, doneID string, err error) {
	j.busy, j.err, j.notice = false, err, ""
	if err == nil && doneID != "" {
		j.notice = j.u.loc.T(doneID, map[string]any{"Count": n})
	}
	j.u.render()
}

// The journal section's own failures: the file chosen could not be written or read.
const (
	errBackupSave = "err.backup.save"
	errBackupRead = "err.backup.read"
)

// tokenLine is the token as the settings show it: in full to an administrator, masked to others.
func (u *UI) tokenLine(token uint32) string {
	return u.loc.T("settings.token.current", map[string]any{"Token": maskToken(token, u.isAdministrator())})
}
