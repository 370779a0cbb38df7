package ui

import (
	"reflect"
	"testing"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// The owner says how the shop's scales print their labels: a layout for sums is added beside the
// default one, a prefix in two layouts is refused before saving, and a layout removed is gone;
// what is saved is what kkm reads labels with.
func TestScaleLabelSettings(t *testing.T) {
	for _, lang := range i18n.Langs() {
		t.Run(string(lang), func(t *testing.T) {
			h := newHarness(t, true, true, lang)
			h.unlock()
			h.openSettings()
			h.see(h.T("scale.title"), h.T("scale.value.weight"))
			h.tap(h.T("scale.add"))
			h.choose(h.T("scale.value.sum_tenge"), h.T("scale.value.sum_tiyn"))
			h.fits("the settings with two scale label layouts")
			h.tap(h.T("settings.save"))
			want := kkm.ScaleFormats{
				{PrefixFrom: 20, PrefixTo: 28, CodeDigits: 5, Value: kkm.ScaleWeight},
				{PrefixFrom: 29, PrefixTo: 29, CodeDigits: 5, Value: kkm.ScaleSum, SumUnit: 1},
			}
			if got := h.reg.Settings().ScaleLabels; !reflect.DeepEqual(got, want) {
				t.Fatalf("saved %+v, want %+v", got, want)
			}
			if l, ok, err := h.reg.Settings().ScaleLabels.ReadScaleLabel("2900123012349"); err != nil || !ok || l.Sum != 1234 {
				t.Fatalf("a price label read with the saved layouts: %+v %v %v", l, ok, err)
			}

			h.choose("28", "29") // the weight layout now reaches 29 too
			h.tap(h.T("settings.save"))
			h.see(h.u.loc.Error(&kkm.Error{Code: kkm.ErrScaleOverlap, Data: map[string]any{"Prefix": 29}}))
			if got := h.reg.Settings().ScaleLabels; !reflect.DeepEqual(got, want) {
				t.Fatalf("a refused layout was saved: %+v", got)
			}

			h.tap(h.T("scale.remove")) // the last one, the sums
			h.tap(h.T("settings.save"))
			want = kkm.ScaleFormats{{PrefixFrom: 20, PrefixTo: 29, CodeDigits: 5, Value: kkm.ScaleWeight}}
			if got := h.reg.Settings().ScaleLabels; !reflect.DeepEqual(got, want) {
				t.Fatalf("after the removal %+v, want %+v", got, want)
			}
		})
	}
}
