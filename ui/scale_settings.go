package ui

import (
	"slices"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/kkm"
)

// scaleValues are what a scale label may carry after the item's code, as the settings offer them.
var scaleValues = []struct {
	id      string
	value   kkm.ScaleValue
	sumUnit kkm.Money
}{
	{"scale.value.weight", kkm.ScaleWeight, 0},
	{"scale.value.sum_tiyn", kkm.ScaleSum, 1},
	{"scale.value.sum_tenge", kkm.ScaleSum, 100},
}

// scaleView is the settings' «Весовые этикетки»: each layout of the shop's scale labels (which
// prefixes, how many digits the item's code takes, and whether a weight or a sum follows), kept
// in the journal's settings (kkm.Settings.ScaleLabels) and read by kkm.ScaleFormats. With none
// set the default layout shows (DefaultScaleFormat, every prefix 20–29); changing it keeps it.
func (s *settingsScreen) scaleView() fyne.CanvasObject {
	l := s.u.loc
	title := bold(l.T("scale.title"))
	title.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(title, wrapped(l.T("scale.hint")))
	formats := s.set.ScaleLabels.Effective()
	prefixes := make([]string, 0, 10)
	for p := 20; p <= 29; p++ {
		prefixes = append(prefixes, strconv.Itoa(p))
	}
	digits := []string{"4", "5", "6"}
	values := make([]string, len(scaleValues))
	for i, v := range scaleValues {
		values[i] = l.T(v.id)
	}
	for i, f := range formats {
		if i > 0 {
			box.Add(widget.NewSeparator())
		}
		from := widget.NewSelect(prefixes, nil)
		from.SetSelectedIndex(f.PrefixFrom - 20)
		from.OnChanged = func(string) { s.editScale(i, func(f *kkm.ScaleFormat) { f.PrefixFrom = 20 + from.SelectedIndex() }) }
		to := widget.NewSelect(prefixes, nil)
		to.SetSelectedIndex(f.PrefixTo - 20)
		to.OnChanged = func(string) { s.editScale(i, func(f *kkm.ScaleFormat) { f.PrefixTo = 20 + to.SelectedIndex() }) }
		box.Add(container.NewGridWithColumns(2, field(l.T("scale.prefix_from"), from), field(l.T("scale.prefix_to"), to)))
		code := widget.NewSelect(digits, nil)
		code.SetSelectedIndex(f.CodeDigits - 4)
		code.OnChanged = func(string) { s.editScale(i, func(f *kkm.ScaleFormat) { f.CodeDigits = 4 + code.SelectedIndex() }) }
		box.Add(field(l.T("scale.code_digits"), code))
		value := widget.NewSelect(values, nil)
		for k, v := range scaleValues {
			if v.value == f.Value && (v.value == kkm.ScaleWeight || v.sumUnit == f.SumUnit) {
				value.SetSelectedIndex(k)
			}
		}
		value.OnChanged = func(string) {
			v := scaleValues[value.SelectedIndex()]
			s.editScale(i, func(f *kkm.ScaleFormat) { f.Value, f.SumUnit = v.value, v.sumUnit })
		}
		box.Add(field(l.T("scale.value"), value))
		if len(formats) > 1 {
			box.Add(widget.NewButtonWithIcon(l.T("scale.remove"), theme.DeleteIcon(), func() {
				s.set.ScaleLabels = slices.Delete(slices.Clone(formats), i, i+1)
				s.u.render()
			}))
		}
	}
	box.Add(widget.NewButtonWithIcon(l.T("scale.add"), theme.ContentAddIcon(), s.addScale))
	return box
}

// editScale changes layout i of the settings' copy (the default made explicit first).
func (s *settingsScreen) editScale(i int, change func(*kkm.ScaleFormat)) {
	fs := slices.Clone(s.set.ScaleLabels.Effective())
	change(&fs[i])
	s.set.ScaleLabels = fs
}

// addScale adds a layout of sums in tenge for the first prefix no layout has; when every prefix
// is taken, the last layout gives up its last prefix to it.
func (s *settingsScreen) addScale() {
	fs := slices.Clone(s.set.ScaleLabels.Effective())
	var taken [30]bool
	for _, f := range fs {
		for p := f.PrefixFrom; p <= f.PrefixTo && p < 30; p++ {
			taken[p] = true
		}
	}
	free := 0
	for p := 20; p <= 29 && free == 0; p++ {
		if !taken[p] {
			free = p
		}
	}
	if last := &fs[len(fs)-1]; free == 0 && last.PrefixTo > last.PrefixFrom {
		free = last.PrefixTo
		last.PrefixTo--
	}
	if free == 0 || len(fs) >= kkm.MaxScaleFormats {
		return
	}
	fs = append(fs, kkm.ScaleFormat{PrefixFrom: free, PrefixTo: free, CodeDigits: 5, Value: kkm.ScaleSum, SumUnit: 100})
	s.set.ScaleLabels = fs
	s.u.render()
}
