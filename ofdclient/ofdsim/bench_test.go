package ofdsim

import (
	"testing"

	"github.com/ekassa-go/ekassa/ofdclient"
)

// BenchmarkTicketRoundTrip measures one receipt over loopback: connect, write the frame, the
// emulator validates and counts it and rotates the token, read the answer, close.
func BenchmarkTicketRoundTrip(b *testing.B) {
	s, _ := startSim(b)
	token := uint32(testToken)
	var reqNum uint16
	sale := cashSale()
	b.ReportAllocs()
	for b.Loop() {
		reqNum++
		frame, _, err := ofdclient.EncodeFrame(ofdclient.Header{SystemID: testID, Token: token, ReqNum: reqNum}, sale)
		if err != nil {
			b.Fatal(err)
		}
		f, err := roundTrip(s.Addr(), frame)
		if err != nil {
			b.Fatal(err)
		}
		token = f.Header.Token
	}
	v, _ := s.Ledger(testID)
	if len(v.Receipts) == 0 {
		b.Fatal("no receipt was counted")
	}
}
