package i18n

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"testing"
)

// latinAllowed are the Latin words a Kazakh or Russian text may carry: names of keys, apps,
// formats, protocols and commands the cashier meets as they are written (a keyboard's «Ctrl»,
// «WhatsApp», «CSV», «ekassa-hub org»), not English words in place of the language's own.
var latinAllowed = map[string]bool{
	"QR": true, "ID": true, "Ctrl": true, "Enter": true, "Backspace": true, "Esc": true, "Tab": true,
	"WhatsApp": true, "Telegram": true, "CSV": true, "XLSX": true, "Excel": true, "https": true,
	"PEM": true, "DataMatrix": true, "ekassa-hub": true, "org": true, "register": true, "help": true,
	"oofd": true, "kz": true, "consumer": true, "example": true, "name": true, "E-kassa": true,
	"Beeline": true, "ESC": true, "POS": true, "GS1": true, "EAN": true, "UPC": true, "Code": true,
	"GTIN": true, "PIN": true, "TLS": true, "PKCS": true, "RSA": true, "IP": true, "NTIN": true,
	"p12": true, "csv": true, "xlsx": true, "txt": true, "png": true, "jpg": true, "e-mail": true,
	"UTF-8": true, "EAN-13": true, "PLU": true, "KOFD": true, "Wi-Fi": true, "Windows-1251": true,
}

// A Kazakh or Russian text has no English word where its own belongs: walker S4 W15 found «DEMO»
// on the status line in both.
func TestNoEnglishWordsInKazakhOrRussian(t *testing.T) {
	word := regexp.MustCompile(`[A-Za-z][A-Za-z0-9\-]*`)
	placeholder := regexp.MustCompile(`\{\{[^}]*\}\}`)
	for _, l := range []Lang{Kazakh, Russian} {
		files, err := fs.Glob(locales, "locales/*."+string(l)+".json")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			raw, err := locales.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var msgs map[string]any
			if err := json.Unmarshal(raw, &msgs); err != nil {
				t.Fatal(err)
			}
			for id, m := range msgs {
				texts := []string{}
				switch v := m.(type) {
				case string:
					texts = append(texts, v)
				case map[string]any:
					for _, p := range v {
						if s, ok := p.(string); ok {
							texts = append(texts, s)
						}
					}
				}
				for _, s := range texts {
					for _, w := range word.FindAllString(placeholder.ReplaceAllString(s, ""), -1) {
						// «X-есеп», «Z-есеп»: the report's letter, as printed.
						if w = trimHyphen(w); len(w) > 1 && !latinAllowed[w] {
							t.Errorf("%s %s: %q in %q", f, id, w, s)
						}
					}
				}
			}
		}
	}
}

// trimHyphen drops a Kazakh suffix's hyphen left on a Latin name («WhatsApp-қа» reads «WhatsApp-»).
func trimHyphen(w string) string {
	for len(w) > 0 && w[len(w)-1] == '-' {
		w = w[:len(w)-1]
	}
	return w
}
