package ofdclient

import (
	"os"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
	"google.golang.org/protobuf/proto"
)

// FuzzAnswerHandling feeds arbitrary answer bodies to what the register does with an OFD's
// answer: the INFO interpretation (registration, the OFD's view of the shift) and the reading of
// a ZX report into the register's counters, then the shift reconciliation. Whatever a lying or
// broken OFD sends must end in a value or a typed error, never a panic.
func FuzzAnswerHandling(f *testing.F) {
	for _, name := range []string{"real_info_resp_202.payload", "ticket_resp.bin"} {
		if b, err := os.ReadFile("testdata/vectors/" + name); err == nil {
			f.Add(b)
		}
	}
	dt, err := DateTimeFromTime(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		f.Fatal(err)
	}
	x := &pb.Response{
		Command: pb.CommandTypeEnum_COMMAND_INFO.Enum(),
		Result:  &pb.Result{ResultCode: proto.Uint32(0)},
		Report: &pb.ReportResponse{Report: pb.ReportTypeEnum_REPORT_X.Enum(), ZxReport: &pb.ZXReport{
			ShiftNumber: proto.Uint32(7),
			DateTime:    dt,
			CashSum:     &pb.Money{Bills: proto.Uint64(1 << 62), Coins: proto.Uint32(99)},
		}},
	}
	if b, err := proto.Marshal(x); err == nil {
		f.Add(b)
	}
	f.Add([]byte{0x08, 0x05, 0x12, 0x02, 0x08, 0x00, 0x22, 0x00})
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		resp := &pb.Response{}
		if err := (proto.UnmarshalOptions{AllowPartial: true}).Unmarshal(body, resp); err != nil {
			return
		}
		c, err := connection(ConnectParams{SystemID: 123456}, Header{Token: 42}, resp)
		if err != nil {
			if _, ok := err.(*ResultError); !ok {
				t.Fatalf("INFO answer gave an untyped error %T: %v", err, err)
			}
			return
		}
		if _, _, err := Reconcile(kkm.State{}, c.Shift, 0, now); err != nil {
			if _, ok := err.(*ClockError); !ok {
				t.Fatalf("reconcile gave an untyped error %T: %v", err, err)
			}
		}
	})
}
