package ui

import (
	"context"
	"net/url"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// PrefLanguage is the key under which the chosen language is kept in the app's preferences.
const PrefLanguage = "ui.language"

// statusRefresh is how often the status line recomputes the time left of the shift and of
// offline mode when nothing else changes it.
var statusRefresh = 30 * time.Second // a variable for the tests, which drive the status themselves

// screen is one page of the app. Its state lives in the screen's fields; view builds fresh
// widgets from that state, so a language switch rebuilds the visible screen without losing what
// was typed.
type screen interface {
	view() fyne.CanvasObject
}

// UI routes between the screens of the app: first start, lock, start page, the register and its
// operations. Build it with New and show it with Show.
type UI struct {
	app fyne.App
	// openURL opens an address in the system (a messenger's share link); tests see what it opens.
	openURL func(*url.URL) error
	ports   Ports
	bundle  *i18n.Bundle
	loc     *i18n.Localizer
	win     fyne.Window
	// shown is the dialog last shown with showDialog: Esc closes it (keyboard.go).
	shown dialog.Dialog

	cashier  kkm.Cashier // the cashier who unlocked the app
	unlocked bool

	current screen   // the visible screen
	stack   []screen // screens to go back to
	reg     *registerScreen

	status    Status
	statusBox *fyne.Container // the status line, refreshed in place when the status changes
	frame     *fyne.Container // the status line above the screen, laid out again when it grows

	spawn     func(func())   // starts background work: a goroutine (tests queue it instead)
	idle      *idleWatch     // the auto-lock (autolock.go)
	pending   sync.WaitGroup // background work in flight
	cancelSub func()
	// cancelAnswers ends the subscription to the OFD's answers (Ports.Journal.SubscribeAnswers).
	cancelAnswers func()
	stop          chan struct{}
	stopOnce      sync.Once
	focusNext     fyne.Focusable // focused once render has put the screen on the window (scanfield.go)
	catcher       *scanCatcher   // a phone's hardware keys with no field focused (scancatcher.go)
	hardKeys      bool           // the phone has shown a hardware keyboard or scanner
	// drawn is the screen render drew last: drawn again, it keeps its scrolls' places.
	drawn screen
	// enterKeys are the buttons Enter presses, by the dialog's overlay (dialogButton.enter).
	enterKeys map[fyne.CanvasObject]*widget.Button
}

// New builds the UI. lang is the language to start in when the cashier has not chosen one yet
// (the choice is kept in the app's preferences).
func New(a fyne.App, ports Ports, bundle *i18n.Bundle, lang i18n.Lang) *UI {
	if l, ok := i18n.ParseLang(a.Preferences().String(PrefLanguage)); ok {
		lang = l
	}
	if _, ok := i18n.ParseLang(string(lang)); !ok {
		lang = i18n.Kazakh
	}
	u := &UI{
		app:    a,
		ports:  ports,
		bundle: bundle,
		loc:    bundle.Localizer(lang),
		stop:   make(chan struct{}),
		spawn:  func(f func()) { go f() },
	}
	u.openURL = a.OpenURL
	setFyneLang(u.loc) // Fyne's own strings (text menus, file dialogs) in the app's language
	return u
}

// Lang is the interface language.
func (u *UI) Lang() i18n.Lang { return u.loc.Lang() }

// Show puts the UI into w: the first-start screen on a device without a cashier, the lock screen
// otherwise. It follows the register's status and, on a phone, locks the app again whenever it
// returns from the background (it takes the app's OnEnteredForeground hook). Ports.Status must
// not be nil: before a register is connected its Status says Registered false. Call Close when
// the window goes away.
func (u *UI) Show(w fyne.Window) {
	u.win = w
	w.SetTitle(u.loc.T("app.name"))
	if u.ports.Status != nil {
		u.status = u.ports.Status.Status()
		u.cancelSub = u.ports.Status.Subscribe(func(st Status) {
			fyne.Do(func() { u.setStatus(st) })
		})
		go u.refreshStatus()
	}
	if u.ports.Journal != nil {
		// Subscribed before any screen shows, so that a document screen that read its waiting
		// documents once misses no answer after that read.
		u.cancelAnswers = u.ports.Journal.SubscribeAnswers(func(a Answer) {
			fyne.Do(func() { u.answered(a) })
		})
	}
	u.watchIdle() // the auto-lock after the owner's idle time (autolock.go)
	if fyne.CurrentDevice().IsMobile() {
		// On a phone, coming back from the background asks for the code again. (A desktop
		// window "enters the foreground" on every focus change, so there the cashier locks the
		// app by hand.)
		u.app.Lifecycle().SetOnEnteredForeground(u.Lock)
	}
	has, err := u.ports.Profiles.HasProfile(context.Background())
	if err == nil && !has {
		u.replace(newFirstStartScreen(u))
		return
	}
	u.Lock()
}

// Close ends the status and answer subscriptions and the status refresh.
func (u *UI) Close() {
	u.stopOnce.Do(func() {
		close(u.stop)
		if u.cancelSub != nil {
			u.cancelSub()
		}
		if u.cancelAnswers != nil {
			u.cancelAnswers()
		}
	})
}

// refreshStatus recomputes the status now and then, so that the time left keeps counting down.
func (u *UI) refreshStatus() {
	t := time.NewTicker(statusRefresh)
	defer t.Stop()
	for {
		select {
		case <-u.stop:
			return
		case <-t.C:
			st := u.ports.Status.Status()
			fyne.Do(func() { u.setStatus(st) })
		}
	}
}

// Lock shows the lock screen; the quick-access code opens the app again where it was.
func (u *UI) Lock() {
	if u.win == nil {
		return
	}
	if _, ok := u.current.(*firstStartScreen); ok {
		return
	}
	if _, ok := u.current.(*lockScreen); ok {
		return
	}
	u.unlocked = false
	back := u.current
	u.current = newLockScreen(u, back)
	u.render()
}

// unlock lets the cashier in after the lock screen: back to where the app was, or home.
func (u *UI) unlock(c kkm.Cashier, back screen) {
	u.cashier = c
	u.unlocked = true
	if back != nil {
		u.current = back
		u.render()
		return
	}
	u.home()
}

// SetLang switches the interface language at once, keeps the choice and rebuilds the screen.
func (u *UI) SetLang(l i18n.Lang) {
	u.loc = u.bundle.Localizer(l)
	setFyneLang(u.loc)
	u.app.Preferences().SetString(PrefLanguage, string(l))
	if u.win != nil {
		u.win.SetTitle(u.loc.T("app.name"))
	}
	// A new language is a new cashier at the till: an amount typed before it does not carry over.
	if u.reg != nil {
		u.reg.fresh()
	}
	u.render()
}

// home shows the register, or the start page when no register is connected yet.
func (u *UI) home() {
	u.stack = nil
	if u.ports.Status == nil || !u.status.Registered {
		u.current = newStartScreen(u)
	} else {
		if u.reg == nil {
			u.reg = newRegisterScreen(u)
		}
		u.current = u.reg
	}
	u.render()
}

// open shows s, with the current screen to go back to.
func (u *UI) open(s screen) {
	if u.current != nil {
		u.stack = append(u.stack, u.current)
	}
	u.current = s
	u.render()
	startShown(s)
}

// replace shows s instead of the current screen.
func (u *UI) replace(s screen) {
	u.current = s
	u.render()
	startShown(s)
}

// starter is a screen with background work to start once it is shown (what it lists, from the
// journal or the hub). Started before the screen's first drawing, the job's answer could draw it
// at the same time where nothing runs the two one after the other: Fyne's test driver runs a
// job's answer on the job's goroutine, beside the tap that opened the screen.
type starter interface {
	// start starts the work the first time the screen is shown, and does nothing after.
	start()
}

func startShown(s screen) {
	if st, ok := s.(starter); ok {
		st.start()
	}
}

// back returns to the previous screen, or home.
func (u *UI) back() {
	if n := len(u.stack); n > 0 {
		u.current = u.stack[n-1]
		u.stack = u.stack[:n-1]
		u.render()
		return
	}
	u.home()
}

// render rebuilds the window's content from the current screen, with the status line above it
// once the app is unlocked and a register is connected.
func (u *UI) render() {
	if u.win == nil || u.current == nil {
		return
	}
	defer u.focusPending()
	// The same screen drawn anew (a choice that changes the form, a box ticked) stays where the
	// cashier had scrolled it: it jumped back to its top, the field being typed in out of sight
	// (walker F6: «Смешанная» far down the sale's form).
	var kept []fyne.Position
	if u.drawn == u.current {
		kept = scrollOffsets(u.win.Content())
	}
	u.drawn = u.current
	defer func() { keepScrollOffsets(u.win.Content(), kept) }()
	content := u.withCatcher(u.current.view())
	if u.unlocked && u.status.Registered {
		u.statusBox = container.NewVBox(u.statusView(u.status))
		u.frame = container.NewBorder(u.statusBox, nil, nil, nil, content)
		u.win.SetContent(u.frame)
		// Wrapped labels in the status line know their height only once they have a width: a
		// second layout pass gives the screen below its right place.
		u.frame.Refresh()
		return
	}
	u.statusBox, u.frame = nil, nil
	u.win.SetContent(content)
	// The same second pass for screens without the status line (start, connect): their wrapped
	// labels otherwise overlap what lies below them.
	content.Refresh()
	u.focusField()
}

// focuser is a screen whose field takes the keyboard as it shows: the lock screen's code, which a
// desktop cashier types and ends with Enter (walker S4 W1: the keys went nowhere until the field
// was clicked).
type focuser interface{ field() fyne.Focusable }

// focusField gives the current screen's field the keyboard, on the desktop only: on a phone a
// focused field raises the system keyboard over the screen's own PIN pad.
func (u *UI) focusField() {
	if f, ok := u.current.(focuser); ok && !fyne.CurrentDevice().IsMobile() {
		if e := f.field(); e != nil {
			u.win.Canvas().Focus(e)
		}
	}
}

// scrollOffsets are the offsets of the scrolls of a screen's containers, in the order met.
func scrollOffsets(o fyne.CanvasObject) []fyne.Position {
	var out []fyne.Position
	eachScroll(o, func(s *container.Scroll) { out = append(out, s.Offset) })
	return out
}

// keepScrollOffsets scrolls the screen's scrolls to the offsets, when it has as many as they were
// taken from (the same screen drawn anew). Called once the screen is laid out: a scroll not yet
// laid out has no content height and puts any offset back to 0. A screen that scrolls to what it
// has just refused (reveal) does so after, and has the last word.
func keepScrollOffsets(o fyne.CanvasObject, offsets []fyne.Position) {
	var scrolls []*container.Scroll
	eachScroll(o, func(s *container.Scroll) { scrolls = append(scrolls, s) })
	if len(offsets) == 0 || len(scrolls) != len(offsets) {
		return
	}
	for i, s := range scrolls {
		s.ScrollToOffset(offsets[i])
	}
}

// eachScroll calls f with every scroll among a screen's containers (and in its chosen tab), in
// order; the scrolls inside widgets (a list's, a field's) are theirs.
func eachScroll(o fyne.CanvasObject, f func(*container.Scroll)) {
	switch v := o.(type) {
	case *container.Scroll:
		f(v)
		eachScroll(v.Content, f)
	case *fyne.Container:
		for _, c := range v.Objects {
			eachScroll(c, f)
		}
	case *container.AppTabs:
		if it := v.Selected(); it != nil {
			eachScroll(it.Content, f)
		}
	case *container.ThemeOverride:
		eachScroll(v.Content, f)
	}
}

// setStatus takes a new status: it refreshes the status line, and opens the register when one
// has just been connected.
func (u *UI) setStatus(st Status) {
	was := u.status
	u.status = st
	if was.Registered != st.Registered {
		if st.Registered && u.unlocked {
			if _, ok := u.current.(*startScreen); ok {
				u.home()
				return
			}
		}
		u.render()
		return
	}
	if u.statusBox != nil && (was.Block != st.Block || was.OnlyZ != st.OnlyZ) {
		// A block changes what the cashier may do: the whole screen is laid out again.
		u.render()
		return
	}
	if u.statusBox != nil {
		// Only the status line is rebuilt, so a cashier typing is not interrupted.
		u.statusBox.Objects = []fyne.CanvasObject{u.statusView(st)}
		u.frame.Refresh()
		u.frame.Refresh() // the second pass places the screen under wrapped lines (see render)
	}
}

// answered hands the OFD's answer to a document to the screen showing it (the document screen),
// on the UI goroutine.
func (u *UI) answered(a Answer) {
	if s, ok := u.current.(*documentScreen); ok {
		s.answered(a)
	}
}

// background runs job off the UI goroutine and then the func it returns on the UI goroutine.
// Journal and OFD work goes through it, so a slow OFD never freezes the screen.
func (u *UI) background(job func(ctx context.Context) func()) {
	u.pending.Add(1)
	u.spawn(func() {
		defer u.pending.Done()
		apply := job(context.Background())
		if apply != nil {
			fyne.DoAndWait(apply)
		}
	})
}

// settle waits until the background work started so far is done.
func (u *UI) settle() { u.pending.Wait() }

// confirm asks a question in a dialog with our own translated buttons.
func (u *UI) confirm(titleID, textID, okID string, ok func()) {
	u.confirmText(titleID, u.loc.T(textID), okID, ok)
}

// confirmText asks a question whose text is already translated (it names someone), with our own
// translated buttons: the action first and highlighted, then «Отменить».
func (u *UI) confirmText(titleID, text, okID string, ok func()) {
	u.dialogBox(u.loc.T(titleID), wrapped(text),
		dialogButton{text: u.loc.T(okID), main: true, tapped: ok},
		dialogButton{text: u.loc.T("button.cancel")})
}

// confirmCancelFirst asks a question whose action cannot be undone (the Z report): «Отменить» is
// the highlighted button and the one Enter presses; the action has to be tapped.
func (u *UI) confirmCancelFirst(titleID, text, okID string, ok func()) {
	u.dialogBox(u.loc.T(titleID), wrapped(text),
		dialogButton{text: u.loc.T(okID), tapped: ok},
		dialogButton{text: u.loc.T("button.cancel"), main: true, enter: true})
}

// inform shows a message with our own translated button, the one Enter presses.
func (u *UI) inform(titleID, text string) {
	u.dialogBox(u.loc.T(titleID), wrapped(text), dialogButton{text: u.loc.T("button.ok"), enter: true})
}

// dialogButton is a button of a dialog: it closes the dialog, then runs tapped (if any).
type dialogButton struct {
	text   string
	main   bool // the highlighted action
	enter  bool // the button the Enter key presses while the dialog is on top (enterButton)
	tapped func()
}

// enterButton is the button of the dialog on top that Enter presses, or nil: only a button the
// dialog names so (dialogButton.enter), never an action by default.
func (u *UI) enterButton() *widget.Button {
	if u.win == nil {
		return nil
	}
	return u.enterKeys[u.win.Canvas().Overlays().Top()]
}

// dialogMaxWidth is the widest a dialog grows in a large window: a comfortable line of text.
const dialogMaxWidth = 480

// dialogMargin is the window's edge left free on each side of a dialog on a phone.
const dialogMargin = 8

// dialogBox shows a dialog of the app's own: its title and body, then its buttons one under the
// other, as wide as the window allows (up to dialogMaxWidth). Fyne's dialogs size themselves to
// their content, which on a phone is either wider than the screen (a line that does not wrap, a
// long title, two long buttons side by side) or a narrow column (wrapped text): here the title
// and the text wrap at words across the dialog's width, and the buttons, stacked, always fit.
func (u *UI) dialogBox(title string, body fyne.CanvasObject, buttons ...dialogButton) dialog.Dialog {
	head := wrapped(title)
	head.TextStyle = fyne.TextStyle{Bold: true}
	content := container.NewVBox(head, body)
	var d dialog.Dialog
	var enter *widget.Button
	for _, b := range buttons {
		b := b
		w := widget.NewButton(b.text, func() {
			d.Hide()
			if b.tapped != nil {
				b.tapped()
			}
		})
		if b.main {
			w.Importance = widget.HighImportance
		}
		if b.enter {
			enter = w
		}
		content.Add(w)
	}
	d = dialog.NewCustomWithoutButtons("", content, u.win)
	u.showDialog(d)
	if enter != nil && u.win != nil {
		// The dialog is the overlay on top now: Enter presses its button while it stays there.
		if u.enterKeys == nil {
			u.enterKeys = map[fyne.CanvasObject]*widget.Button{}
		}
		top := u.win.Canvas().Overlays().Top()
		u.enterKeys[top] = enter
		d.SetOnClosed(func() { delete(u.enterKeys, top) })
	}
	return d
}

// showDialog shows d as wide as the window allows, up to dialogMaxWidth.
func (u *UI) showDialog(d dialog.Dialog) {
	w := min(u.win.Canvas().Size().Width-2*dialogMargin, dialogMaxWidth)
	d.Resize(fyne.NewSize(w, 0))
	d.Show()
	u.shown = d
	// Wrapped text knows its height once it has its width: a second pass fits the height.
	d.Refresh()
}
