package kkm

// Unit is a unit of measure from the ИС ЭСФ catalogue (the classifier of units used by
// Kazakhstan's e-invoicing system, based on ОКЕИ): its code goes on the wire as
// measure_unit_code, its short names are printed on receipts.
type Unit struct {
	Code       string `json:"code"`       // ИС ЭСФ code, e.g. "796"
	NameRU     string `json:"name_ru"`    // short name in Russian, e.g. "шт"
	NameKK     string `json:"name_kk"`    // short name in Kazakh, e.g. "дана"
	Fractional bool   `json:"fractional"` // whether a fraction of the unit may be sold (2,5 кг)
}

// The codes of the units the register uses by default.
const (
	UnitPiece   = "796"  // штука: the unit of simple mode and of lines that name none
	UnitService = "5114" // услуга
)

// units is the built-in list of common units, most common first.
var units = []Unit{
	{Code: "796", NameRU: "шт", NameKK: "дана"},
	{Code: "166", NameRU: "кг", NameKK: "кг", Fractional: true},
	{Code: "163", NameRU: "г", NameKK: "г", Fractional: true},
	{Code: "168", NameRU: "т", NameKK: "т", Fractional: true},
	{Code: "112", NameRU: "л", NameKK: "л", Fractional: true},
	{Code: "111", NameRU: "мл", NameKK: "мл", Fractional: true},
	{Code: "006", NameRU: "м", NameKK: "м", Fractional: true},
	{Code: "004", NameRU: "см", NameKK: "см", Fractional: true},
	{Code: "055", NameRU: "м²", NameKK: "м²", Fractional: true},
	{Code: "113", NameRU: "м³", NameKK: "м³", Fractional: true},
	{Code: "778", NameRU: "упак", NameKK: "қаптама"},
	{Code: "839", NameRU: "компл", NameKK: "жиынтық"},
	{Code: "715", NameRU: "пара", NameKK: "жұп"},
	{Code: "736", NameRU: "рулон", NameKK: "орам"},
	{Code: "868", NameRU: "бут", NameKK: "бөтелке"},
	{Code: "5114", NameRU: "услуга", NameKK: "қызмет"},
	{Code: "356", NameRU: "час", NameKK: "сағат", Fractional: true},
	{Code: "355", NameRU: "мин", NameKK: "мин"},
	{Code: "359", NameRU: "сут", NameKK: "тәулік"},
	{Code: "245", NameRU: "кВт·ч", NameKK: "кВт·сағ", Fractional: true},
}

// Units returns the built-in list of common units, most common first. The list is a fresh copy.
func Units() []Unit { return append([]Unit(nil), units...) }

// UnitByCode returns the built-in unit with the given ИС ЭСФ code.
func UnitByCode(code string) (Unit, bool) {
	// The list itself, not a copy: every line of every receipt looks its unit up (compute.go).
	for _, u := range units {
		if u.Code == code {
			return u, true
		}
	}
	return Unit{}, false
}
