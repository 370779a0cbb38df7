package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

// module is the project's module path.
const module = "github.com/ekassa-go/ekassa"

// Packages outside the project the rules name.
const (
	fyne   = "fyne.io/fyne/v2"
	sqlite = "modernc.org/sqlite"
	pgx    = "github.com/jackc/pgx/v5"
)

// ours is a package of the project by its path inside the module.
func ours(p string) string { return module + "/" + p }

// rules says, per package (a path inside the module), which imports it must not reach, directly
// or through others: a dependency's path equal to or under one of these is refused. ourAny
// refuses every package of the project but the package itself.
var rules = []struct {
	pkg     string
	ourAny  bool     // nothing of the project at all
	refused []string // import paths (and everything under them)
	why     string
}{
	{pkg: "kkm", ourAny: true, refused: []string{fyne, sqlite, "database/sql"},
		why: "the domain is pure Go: every rule of the register in one place, testable alone"},
	{pkg: "ofdclient", refused: []string{ours("storage"), ours("delivery"), ours("app"), ours("ui"), sqlite, fyne},
		why: "the wire only: the emulator and the conformance tools stand alone"},
	{pkg: "cmd/ofdsim", refused: []string{sqlite, ours("storage"), ours("delivery"), fyne},
		why: "the standalone emulator links no journal"},
	{pkg: "ui", refused: []string{ours("escpos"), ours("storage"), ours("delivery"), ours("ofdclient"), ours("app"),
		ours("hub"), ours("hubsync"), ours("pricelist/journalimport"), sqlite, pgx},
		why: "screens over small ports: no SQL, no protocol, no printer dialled"},
	{pkg: "receipt", refused: []string{fyne, ours("ui"), ours("app"), ours("storage")},
		why: "drawing a receipt needs no GUI toolkit: the app hands it the font"},
	{pkg: "escpos", ourAny: true, refused: []string{fyne},
		why: "raster printing, apart from what it prints"},
	{pkg: "delivery", refused: []string{ours("app"), ours("ui"), ours("hub"), ours("hubsync"), fyne},
		why: "the sending policy knows the journal and the wire, not the screens"},
	{pkg: "storage", refused: []string{ours("ofdclient"), ours("delivery"), ours("ui"), ours("app"), ours("hub"), fyne,
		"encoding/csv"},
		why: "the journal: SQL only; it returns rows, the exporting layer writes CSV"},
	{pkg: "csvexport", refused: []string{ours("ui"), ours("app"), ours("delivery"), ours("ofdclient"), fyne},
		why: "formatting the journal's rows for a spreadsheet, apart from the screens"},
	{pkg: "barcode", refused: []string{ours("ui"), ours("app"), ours("storage"), fyne},
		why: "reading codes apart from any screen"},
	{pkg: "pricelist", refused: []string{ours("storage"), ours("ui"), ours("app"), ours("delivery"), ours("ofdclient"),
		sqlite, fyne},
		why: "a price list read and written apart from the journal (pricelist/journalimport writes it) and the screens"},
	{pkg: "hub", refused: []string{ours("storage"), ours("delivery"), ours("ui"), ours("app"), sqlite, fyne},
		why: "the owner's server over PostgreSQL, no register inside"},
	{pkg: "hubsync", refused: []string{ours("delivery"), ours("ui"), ours("app"), fyne},
		why: "the push to the hub runs apart from the OFD queue and the screens"},
	{pkg: "i18n", ourAny: true, refused: []string{fyne},
		why: "translations for every layer, depending on none"},
}

// deps lists the packages pkg depends on, without its tests.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "./"+pkg).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list %s: %v\n%s", pkg, err, ee.Stderr)
		}
		t.Fatalf("go list %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

// under reports whether path is prefix or a package under it.
func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// TestForbiddenImports fails for every dependency a package must not have, naming the rule.
func TestForbiddenImports(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go tool to list the packages")
	}
	for _, r := range rules {
		t.Run(r.pkg, func(t *testing.T) {
			t.Parallel()
			self := ours(r.pkg)
			list := deps(t, "../../"+r.pkg)
			if len(list) == 0 || list[len(list)-1] != self {
				t.Fatalf("go list gave %v, not the dependencies of %s", list, self)
			}
			for _, d := range list {
				if under(d, self) {
					continue
				}
				bad := r.ourAny && under(d, module)
				for _, f := range r.refused {
					bad = bad || under(d, f)
				}
				if bad {
					t.Errorf("%s imports %s: %s", r.pkg, d, r.why)
				}
			}
		})
	}
}

// TestRulesCatch checks the check itself: a package that does import what a rule names is caught
// (the app imports the journal and the screens; the delivery package imports the journal).
func TestRulesCatch(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go tool to list the packages")
	}
	for pkg, want := range map[string]string{"app": ours("storage"), "delivery": sqlite, "hubsync": ours("storage")} {
		found := false
		for _, d := range deps(t, "../../"+pkg) {
			found = found || under(d, want)
		}
		if !found {
			t.Errorf("%s does not depend on %s: the listing misses dependencies", pkg, want)
		}
	}
}

// TestEveryPackageHasADoc fails for a package of the project without a package doc comment.
func TestEveryPackageHasADoc(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go tool to list the packages")
	}
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}\t{{.Doc}}", "../../...").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, doc, _ := strings.Cut(line, "\t")
		if strings.TrimSpace(doc) == "" {
			t.Errorf("%s has no package doc comment", path)
		}
	}
}
