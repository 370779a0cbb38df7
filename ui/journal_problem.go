package ui

import (
	"context"
	"io"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
)

// JournalRestore replaces a journal that cannot be opened with the backup at path (a private
// copy of the file the cashier chose) and returns how many documents the journal holds now and
// where the damaged journal was kept. password opens the backup (they are encrypted).
type JournalRestore func(ctx context.Context, path, password string) (documents int64, damaged string, err error)

// JournalProblem is the start page of a register whose journal cannot be opened (design.md
// §3.10): it says why in the cashier's language — the register open elsewhere (another window or
// copy of the app holds the journal), the journal damaged, the storage failing — and offers the
// way out: for a damaged journal «Восстановить из резервной копии», and closing the app. Nothing
// else of the register runs behind it: no document can be issued on that journal.
type JournalProblem struct {
	win     fyne.Window
	loc     *i18n.Localizer
	err     error          // why the journal cannot be opened
	restore JournalRestore // nil when a restore is no way out (the register is open elsewhere)
	quit    func()
	files   filePicker

	busy   bool
	notice string // after a restore: what was restored, start again
	fail   error  // the restore's own failure
	spawn  func(func())
}

// ShowJournalProblem shows the page in w. restore may be nil; quit closes the app.
func ShowJournalProblem(w fyne.Window, bundle *i18n.Bundle, lang i18n.Lang, err error, restore JournalRestore, quit func()) *JournalProblem {
	p := &JournalProblem{win: w, loc: bundle.Localizer(lang), err: err, restore: restore, quit: quit,
		files: dialogFiles{win: w, loc: bundle.Localizer(lang)}, spawn: func(f func()) { go f() }}
	w.SetTitle(p.loc.T("app.name"))
	p.render()
	return p
}

func (p *JournalProblem) render() { p.win.SetContent(p.view()) }

func (p *JournalProblem) view() fyne.CanvasObject {
	l := p.loc
	body := container.NewVBox(errorText(l.Error(p.err)))
	var actions []fyne.CanvasObject
	if p.notice != "" {
		body = container.NewVBox(wrapped(p.notice))
	} else if p.restore != nil {
		b := widget.NewButtonWithIcon(l.T("journal.problem.restore"), theme.UploadIcon(), p.chooseBackup)
		if p.busy {
			b.Disable()
			body.Add(widget.NewProgressBarInfinite())
		}
		actions = append(actions, b)
	}
	body.Add(errorText(l.Error(p.fail)))
	actions = append(actions, primary(l.T("journal.problem.quit"), p.quit))
	head := widget.NewLabelWithStyle(l.T("journal.problem.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return twoPass(page(head, body, actions...))
}

// chooseBackup asks for the backup, copies it out of the chosen file and restores it.
func (p *JournalProblem) chooseBackup() {
	p.files.open(func(r fyne.URIReadCloser, err error) {
		if err == nil && r == nil {
			return // cancelled
		}
		if err != nil {
			p.fail = &uiError{id: errBackupRead, cause: err}
			p.render()
			return
		}
		askBackupPassword(p.win, p.loc, "journal.problem.restore", "restore.password.text", false, func(password string) {
			p.restoreWith(r, password)
		})
	})
}

// restoreWith restores the chosen backup with its password, off the UI goroutine.
func (p *JournalProblem) restoreWith(r fyne.URIReadCloser, password string) {
	p.busy, p.fail = true, nil
	p.render()
	p.spawn(func() {
		n, damaged, err := p.restoreFrom(r, password)
		fyne.DoAndWait(func() {
			p.busy = false
			if err != nil {
				p.fail = err
			} else {
				p.notice = p.loc.T("journal.problem.restored", map[string]any{"Count": n, "File": filepath.Base(damaged)})
			}
			p.render()
		})
	})
}

// restoreFrom copies the chosen file to a private temporary file (on a phone it is a content URI)
// and restores that.
func (p *JournalProblem) restoreFrom(r io.ReadCloser, password string) (int64, string, error) {
	var n int64
	var damaged string
	err := withBackupCopy(r, func(path string) (err error) {
		n, damaged, err = p.restore(context.Background(), path, password)
		return err
	})
	return n, damaged, err
}
