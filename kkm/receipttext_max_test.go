package kkm

import (
	"math"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// maxCounters sets every count of v to MaxCount and every sum to the largest Money, recursively.
func maxCounters(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				maxCounters(v.Field(i))
			}
		}
	case reflect.Array, reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			maxCounters(v.Index(i))
		}
	case reflect.Uint32:
		v.SetUint(MaxCount)
	case reflect.Int64:
		if v.Type() == reflect.TypeOf(Money(0)) {
			v.SetInt(math.MaxInt64)
		}
	}
}

// An X and a Z report with every count and sum at its largest keep a space between count and
// sum at every paper width (the QA walk read count 4 and sum 2 000 000 007 245,56 as one
// number), and every sum is printed whole.
func TestReportTextMaxCountersGolden(t *testing.T) {
	var x, z rtCase
	for _, c := range rtShift(t) {
		switch c.name {
		case "x_report":
			x = c
		case "z_report":
			z = c
		}
	}
	sum := Money(math.MaxInt64).String()
	glued := regexp.MustCompile(`2147483647[^ \n]`)
	for name, c := range map[string]rtCase{"x": x, "z": z} {
		doc := c.doc
		r := *doc.Report
		maxCounters(reflect.ValueOf(&r.ShiftCounters).Elem())
		r.NonNullable, r.CashInDrawer, r.Revenue = [4]Money{math.MaxInt64, math.MaxInt64, math.MaxInt64, math.MaxInt64}, math.MaxInt64, math.MaxInt64
		doc.Report = &r
		for _, w := range ReceiptColumns() {
			got := ReceiptText(doc, c.s, FiscalMark{}, w)
			checkLayout(t, got, w)
			if m := glued.FindString(got); m != "" {
				t.Errorf("%s report at %d columns: the count runs into the sum: %q", name, w, m)
			}
			if n := strings.Count(got, sum); n < 20 {
				t.Errorf("%s report at %d columns: the largest sum printed whole %d times", name, w, n)
			}
			checkGolden(t, "report_max_"+name+"_"+itoaTest(w)+".txt", got)
		}
	}
}
