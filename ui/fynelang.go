package ui

import (
	"encoding/json"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/ekassa-go/ekassa/i18n"
)

// Fyne's own widgets have strings of their own: the text field's menu (Cut, Copy, Paste, Undo,
// …), the file dialogs' buttons and the calendar's day names. Fyne translates them with its lang
// package, which follows the phone's system language, has no Kazakh, and (in 2.7) offers no way
// to choose the language. What it does offer is lang.AddTranslationsForLocale, which replaces
// the messages of one language; so the app finds out which language Fyne's translator reads and
// loads the app's chosen language into it, under that language's name. The strings themselves
// are ours, in i18n/locales/fyne.*.json as "fyne.<Fyne's ID>", kept in step with the rest.
//
// Not covered, because Fyne 2.7 writes them without lang: the file dialog's places ("Home",
// "Computer", "Documents", "Desktop", "Downloads", "Music", "Pictures", "Videos", "App Files").

// fyneMessageIDs are the IDs Fyne 2.7 translates (lang/translations/base.en.json of the pinned
// version); TestFyneStringsFollowTheApp checks the list against Fyne's own file.
var fyneMessageIDs = []string{
	"Advanced", "Cancel", "Confirm", "Copy", "Create Folder", "Cut", "Enter filename", "Error",
	"Favourites", "File", "Folder", "New Folder", "No", "OK", "Open", "Paste", "Quit", "Redo", "Save",
	"Select all", "Show Hidden Files", "Undo", "Yes", "file.name", "file.parent",
	"monday", "monday.short", "tuesday", "tuesday.short", "wednesday", "wednesday.short",
	"thursday", "thursday.short", "friday", "friday.short", "saturday", "saturday.short",
	"sunday", "sunday.short",
}

// fyneProbeID is a message the app adds to every language Fyne's translator could read, each
// saying its own language's name, so that reading it tells which one is in use.
const fyneProbeID = "ekassa.fyne.language"

// fyneProbeLangs are the languages Fyne's translator can end up reading: Fyne 2.7's own
// translations, English (its fallback) and ours. Fyne picks among the languages it has messages
// for, so whatever the system's language, the pick is one of these once they all have the probe.
var fyneProbeLangs = []string{"cs", "de", "el", "en", "es", "fr", "pl", "pt", "ru", "sv", "ta", "uk", "zh", "kk"}

var (
	fyneLangOnce sync.Once
	fyneLangIn   string     // the language Fyne's translator reads
	fyneLangMu   sync.Mutex // Fyne's lang package is global: one switch at a time
)

// fyneReads returns the language Fyne's translator reads, found once with the probe.
func fyneReads() string {
	fyneLangOnce.Do(func() {
		for _, tag := range fyneProbeLangs {
			b, _ := json.Marshal(map[string]string{fyneProbeID: tag})
			if err := lang.AddTranslationsForLocale(b, fyne.Locale(tag)); err != nil {
				fyne.LogError("adding the language probe for "+tag, err)
			}
		}
		fyneLangIn = lang.X(fyneProbeID, "en")
	})
	return fyneLangIn
}

// setFyneLang makes Fyne's own strings speak loc's language.
func setFyneLang(loc *i18n.Localizer) {
	fyneLangMu.Lock()
	defer fyneLangMu.Unlock()
	in := fyneReads()
	table := make(map[string]string, len(fyneMessageIDs))
	for _, id := range fyneMessageIDs {
		table[id] = loc.T("fyne." + id)
	}
	b, err := json.Marshal(table)
	if err == nil {
		err = lang.AddTranslationsForLocale(b, fyne.Locale(in))
	}
	if err != nil {
		fyne.LogError("loading the app's language into Fyne", err)
	}
}
