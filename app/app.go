// Package app is the composition root of the register: it reads the flags, finds the data
// folder, opens the journal, starts the OFD sender and builds the UI. In demo mode it first
// starts an OFD emulator on loopback and connects a demo register to it, so a new user can sell
// at once with no account and no network.
//
// It is the one package that may import everything: it implements ui's ports (Runtime.Ports, the
// printer over escpos) over the journal, the sender and the wire. Nothing imports it but main.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sync"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// AppID is the application ID (FyneApp.toml); it names the app's own storage on the phones.
const AppID = "kz.ekassa.register"

// JournalFile is the journal's file name inside the data folder.
const JournalFile = "journal.db"

// config is what the command line says.
type config struct {
	demo bool
	// demoReset starts the demo over: its folder (a demo's, never a register's) is emptied first.
	demoReset bool
	dataDir   string
	lang      string
	verbose   bool
	hub       hubConfig
	// restoreFromHub: before anything else, make the (empty) journal the register's journal
	// as the hub at hub.url holds it (a new phone; credential in $EKASSA_HUB_CREDENTIAL).
	restoreFromHub bool
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("ekassa", flag.ContinueOnError)
	fs.BoolVar(&c.demo, "demo", false, "demo mode: an embedded OFD emulator and a demo register, kept in -data or the app's storage's demo folder")
	fs.BoolVar(&c.demoReset, "demo-reset", false, "with -demo: start the demo over (its journal and its OFD's ledger are deleted)")
	fs.StringVar(&c.dataDir, "data", "", "the folder of the journal (default: the app's own storage; for -demo, its demo folder)")
	fs.StringVar(&c.lang, "lang", "", "the interface language on first start: kk, ru or en")
	fs.BoolVar(&c.verbose, "v", false, "log every OFD exchange to standard error")
	fs.StringVar(&c.hub.url, "hub", "", "push the journal to the owner's hub at this https address (credential in $"+HubCredentialEnv+")")
	fs.StringVar(&c.hub.caFile, "hub-ca", "", "the hub's certificate to trust (PEM), for a hub with a self-signed one")
	fs.BoolVar(&c.restoreFromHub, "restore-from-hub", false, "a new phone: restore the register's journal from the hub (-hub) before starting")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.demoReset && !c.demo {
		return c, errors.New("-demo-reset needs -demo")
	}
	if c.restoreFromHub && c.hub.url == "" {
		return c, errors.New("-restore-from-hub needs -hub")
	}
	if c.lang != "" {
		if _, ok := i18n.ParseLang(c.lang); !ok {
			return c, fmt.Errorf("unknown language %q: use kk, ru or en", c.lang)
		}
	}
	return c, nil
}

// Main runs the app until its window closes.
//
// The window comes first: it is created and shown with an opening frame (ui.Opening) before
// anything is read, and the register is started behind it (startRegister) and put in its place
// when ready. A cashier sees the app at once, however large the journal or slow the start of
// the demo's OFD, and the frame's time does not grow with the journal (docs/benchmarks.md).
func Main(args []string) error {
	tr := newStartTrace()
	tr.step("main")
	tuneGC()
	cfg, err := parseFlags(args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	a := fyneapp.NewWithID(AppID)
	tr.step("app")
	ui.ApplyTheme(a) // the theme and text size kept in the preferences
	tr.step("theme")
	w := a.NewWindow(ui.AppTitle)
	// The small icon: the metadata's is 1024 px, decoded on Fyne's thread before the first frame.
	w.SetIcon(ui.OpeningIcon)
	tr.step("window")
	w.Resize(fyne.NewSize(400, 760))
	w.SetContent(ui.Opening())
	tr.step("content")

	var (
		started  = make(chan struct{})
		cleanups []func()
		startErr error
	)
	// The register starts once the first frame is on the screen: Show creates the window and its
	// GL context and paints the opening before the loop starts (OnStarted). Started beside Show,
	// its journal, demo OFD and translations took the second core from the window's GL (Mesa's
	// software GL on two cores): the first frame came 100–200 ms later, the register's screen no
	// sooner (docs/benchmarks.md, "Cold start").
	// (A phone's driver calls OnStarted when the app comes alive, before its first paint; once
	// is for a driver that would call it again.)
	var once sync.Once
	a.Lifecycle().SetOnStarted(func() {
		tr.step("shown") // on the desktop: after Show's first paint and buffer swap
		once.Do(func() {
			go func() {
				defer close(started)
				cleanups, startErr = startRegister(a, w, cfg, tr)
				if startErr != nil {
					fyne.Do(a.Quit)
				}
			}()
		})
	})
	w.ShowAndRun()
	<-started // the journal is never closed under a start still running
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	return startErr
}

// startRegister does what the register needs before its first screen — the data folder, the
// demo's OFD, the journal, the runtime, the owner's hub — and then shows that screen in w (the
// journal's problem page when the journal cannot be opened). It runs behind the opening frame,
// off Fyne's thread, and returns what to undo when the window closes, last first.
func startRegister(a fyne.App, w fyne.Window, cfg config, tr *startTrace) (cleanups []func(), err error) {
	defer func() {
		if err != nil { // undone here: Main runs the cleanups only of a start that succeeded
			for i := len(cleanups) - 1; i >= 0; i-- {
				cleanups[i]()
			}
			cleanups = nil
		}
	}()
	bundle, err := i18n.NewBundle()
	if err != nil {
		return nil, err
	}
	tr.step("reg.i18n")
	ctx := context.Background()

	opts := Options{}
	if cfg.verbose {
		opts.Logf = log.New(os.Stderr, "ofd: ", log.LstdFlags|log.Lmicroseconds).Printf
	}
	dir := cfg.dataDir
	var demo *Demo
	if cfg.demo {
		// The demo's journal and its emulator's ledger are kept together in one folder, so a
		// demo closed or killed comes back as it was: the same shift, its queued documents.
		if dir, err = demoFolder(cfg.dataDir, a.Storage().RootURI().Path(), cfg.demoReset); err != nil {
			return cleanups, err
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return cleanups, err
		}
		if demo, err = StartDemoIn(ctx, dir); err != nil {
			return cleanups, err
		}
		cleanups = append(cleanups, func() { demo.Server.Close() })
		opts.Demo = demo.Server
		tr.step("reg.demo-ofd")
	} else if dir == "" {
		dir = a.Storage().RootURI().Path()
	}
	// The journal's folder is the owner's only (the journal and its key file are 0600 in it).
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return cleanups, err
	}
	if err := os.Chmod(dir, 0o700); err != nil { // the owner's only, whatever an older build left
		return cleanups, err
	}
	path := filepath.Join(dir, JournalFile)
	// A fresh data folder (no journal yet, or the demo's) starts in the flag's language even when
	// the app's preferences remember another from an earlier folder.
	_, statErr := os.Stat(path)
	lang := startLang(a, cfg.lang, errors.Is(statErr, os.ErrNotExist))
	j, err := storage.Open(ctx, path)
	if err != nil {
		// The register open elsewhere, a damaged journal: the start page says so in the
		// cashier's language and offers the way out; nothing else runs.
		showJournalProblem(a, w, bundle, lang, path, err)
		return cleanups, nil
	}
	cleanups = append(cleanups, func() { j.Close() })
	tr.step("reg.journal")
	demoReady := false
	if demo != nil {
		if demoReady, err = reconnectDemo(ctx, j, demo); err != nil {
			return cleanups, err
		}
	}
	if cfg.restoreFromHub {
		info, err := restoreFromHub(ctx, j, cfg.hub, os.Getenv(HubCredentialEnv))
		if err != nil {
			return cleanups, fmt.Errorf("restoring from the owner's hub: %w", err)
		}
		log.Printf("restored %d documents of register %s from the owner's hub", info.Documents, info.ZNM)
	}
	// NewRuntime checks the seal of the journal's tip before the first sale and the whole journal
	// in the background; a change stops issuing, not the app (integrity.go).
	rt, err := NewRuntime(ctx, j, opts)
	if err != nil {
		return cleanups, err
	}
	cleanups = append(cleanups, func() { rt.Close() })
	tr.step("reg.runtime")
	var catalogueChanged func() // the hub's catalogue sync, woken by a change made here
	registers := registerSecrets{dir: dir, key: j.DeriveKey("register hub credentials")}
	mailer := &hubMailer{} // receipts to the buyer's e-mail, once the register pushes to a hub
	if cfg.hub.url != "" {
		stop, wake, err := startHubPush(ctx, j, rt, cfg.hub, mailer, log.Printf)
		if err != nil {
			return cleanups, fmt.Errorf("the owner's hub: %w", err)
		}
		cleanups = append(cleanups, stop)
		catalogueChanged = wake
	} else if demo == nil {
		// A register the owner applied for from this phone's cabinet pushes to the owner's hub
		// once connected, with no flag and no restart.
		stop, wake := ownersHubPush(ctx, j, rt, a.Preferences(), registers, mailer, log.Printf)
		cleanups = append(cleanups, stop)
		catalogueChanged = wake
	}
	if demo != nil && !demoReady {
		if err := prepareDemo(ctx, rt, demo, bundle.Localizer(lang).T("demo.cashier")); err != nil {
			return cleanups, err
		}
	}
	// A printer an earlier build kept in the app's preferences moves into the settings, once.
	if err := migratePrinter(ctx, rt, a.Preferences()); err != nil {
		log.Printf("printer settings: %v", err)
	}
	tr.step("reg.demo-register")
	ports := rt.Ports()
	owner := ownerMode{prefs: a.Preferences(),
		secret: secretFile{path: filepath.Join(dir, ownerCredentialFile), key: j.DeriveKey("owner hub credential")}}
	ports.Analytics, ports.Owner = newAnalytics(j), owner
	ports.Onboarding = onboarding{owner: owner, registers: registers} // the owner's cabinet, kept as the owner mode's sign-in
	ports.HubRestore = rt                                             // a new phone takes its register from the owner's hub (start page)
	ports.Catalogue, ports.PriceLists = catalogue{journal: j, access: rt, changed: catalogueChanged}, newPriceLists(j, rt)
	ports.DemoCode = DemoCode
	ports.ReceiptMail = mailer
	if demo != nil {
		ports.DemoReset = func() {
			if err := requestDemoReset(dir); err != nil {
				log.Printf("starting the demo over: %v", err)
				return
			}
			a.Quit()
		}
	}
	mobile := fyne.CurrentDevice().IsMobile()
	var u *ui.UI
	fyne.DoAndWait(func() {
		u = ui.New(a, ports, bundle, lang)
		u.Show(w)
		// On a phone, going to the background stops the sender and checkpoints the journal, and
		// the return locks the app (the code is asked again) and catches up at once. A desktop
		// window losing focus is not "the background". This replaces the hook ui.Show set, doing
		// its part.
		a.Lifecycle().SetOnExitedForeground(func() {
			if mobile {
				if err := rt.Pause(ctx); err != nil {
					log.Printf("pause: %v", err)
				}
			}
		})
		a.Lifecycle().SetOnEnteredForeground(func() {
			if mobile {
				u.Lock()
			}
			rt.Resume()
		})
	})
	cleanups = append(cleanups, u.Close)
	tr.step("reg.screen")
	if os.Getenv(ReadyMarkEnv) != "" {
		fmt.Fprintln(os.Stderr, ReadyMark)
	}
	return cleanups, nil
}

// ReadyMarkEnv, when set, makes the app write ReadyMark to standard error once the register's
// first screen is in the window: how ekassa-measure times the start to a usable screen beside the
// first frame.
const (
	ReadyMarkEnv = "EKASSA_READY_MARK"
	ReadyMark    = "ekassa: register ready"
)

// startLang is the language the UI starts in: on a fresh data folder the flag's (-lang), kept as
// the choice; otherwise the one chosen before, else the flag, else the phone's, else Kazakh. The
// preferences belong to the app, not to a data folder, so without the first rule a language
// chosen in another folder (or an earlier demo) would override -lang on a first start.
func startLang(a fyne.App, flagLang string, fresh bool) i18n.Lang {
	if l, ok := i18n.ParseLang(flagLang); ok && fresh {
		a.Preferences().SetString(ui.PrefLanguage, string(l))
		return l
	}
	if l, ok := i18n.ParseLang(a.Preferences().String(ui.PrefLanguage)); ok {
		return l
	}
	if l, ok := i18n.ParseLang(flagLang); ok {
		return l
	}
	if l, ok := i18n.ParseLang(os.Getenv("LANG")); ok {
		return l
	}
	return i18n.Kazakh
}

// showJournalProblem runs the app with only the start page of a journal that cannot be opened
// (ui.JournalProblem): held by another process, damaged or unreadable (then a backup can take its
// place, storage.ReplaceFromBackup), or anything else Open refused.
func showJournalProblem(a fyne.App, w fyne.Window, bundle *i18n.Bundle, lang i18n.Lang, path string, err error) {
	log.Printf("journal %s: %v", path, err)
	var restore ui.JournalRestore
	if errors.Is(err, storage.ErrJournalCorrupt) || errors.Is(err, storage.ErrJournalIO) ||
		errors.Is(err, storage.ErrKeyMissing) || errors.Is(err, storage.ErrKeyMismatch) {
		restore = func(ctx context.Context, backup, password string) (int64, string, error) {
			info, damaged, err := storage.ReplaceFromBackup(ctx, path, backup, password)
			return info.Documents, damaged, err
		}
	}
	fyne.Do(func() { ui.ShowJournalProblem(w, bundle, lang, err, restore, a.Quit) })
}
