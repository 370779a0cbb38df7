package storage

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// EachDocument streams the documents of one kind issued in the period, oldest first, each with
// its sequence number and the OFD's answer as the journal holds it; an open end reads to the
// last; fn's error stops it. (The CSV made of them is package csvexport's, tested there.)
func TestEachDocumentStreamsThePeriod(t *testing.T) {
	s, signs := historyShop(t)
	ctx := context.Background()
	for _, c := range []struct {
		from, to time.Time
		kind     kkm.DocumentKind
	}{
		{time.Date(2026, 3, 3, 0, 0, 0, 0, almaty), time.Date(2026, 3, 5, 0, 0, 0, 0, almaty), kkm.KindReceipt},
		{time.Date(2026, 3, 2, 0, 0, 0, 0, almaty), time.Time{}, kkm.KindReceipt},
		{time.Time{}, time.Time{}, kkm.KindZReport},
		{time.Date(2026, 3, 3, 12, 0, 0, 0, almaty), time.Date(2026, 3, 3, 13, 0, 0, 0, almaty), kkm.KindReceipt},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, almaty), time.Time{}, kkm.KindReceipt},
	} {
		var want []int
		for i, d := range s.docs {
			if d.Kind == c.kind && (c.from.IsZero() || !d.Time.Before(c.from)) && (c.to.IsZero() || d.Time.Before(c.to)) {
				want = append(want, i)
			}
		}
		var got []Entry
		if err := s.j.EachDocument(ctx, c.from, c.to, c.kind, func(e Entry) error {
			got = append(got, e)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%v–%v %s: %d documents, want %d", c.from, c.to, c.kind, len(got), len(want))
		}
		for k, e := range got {
			i := want[k]
			sign := ""
			if e.Fiscal != nil {
				sign = e.Fiscal.Sign
			}
			if e.Seq != s.seqs[i] || e.Document.Number != s.docs[i].Number || !e.Document.Time.Equal(s.docs[i].Time) ||
				sign != signs[s.seqs[i]] {
				t.Errorf("%s %d: seq %d number %d sign %q, want seq %d number %d sign %q", c.kind, k, e.Seq,
					e.Document.Number, sign, s.seqs[i], s.docs[i].Number, signs[s.seqs[i]])
			}
		}
	}
	stop := errors.New("enough")
	n := 0
	err := s.j.EachDocument(ctx, time.Time{}, time.Time{}, kkm.KindReceipt, func(Entry) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("fn's error: %v after %d documents", err, n)
	}
}
