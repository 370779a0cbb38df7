package ofdsim

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// maxBills bounds every amount the emulator accepts (10¹² tenge), so that sums of amounts
// counted in tiyn can never overflow an int64.
const maxBills = 1_000_000_000_000

// tiyn converts a wire amount to tiyn. The caller has checked it with checkMoney.
func tiyn(m *pb.Money) int64 {
	return int64(m.GetBills())*100 + int64(m.GetCoins())
}

// checkMoney reports a wire amount the emulator refuses: coins above 99, or an absurd sum.
func checkMoney(what string, m *pb.Money) error {
	if m == nil {
		return fmt.Errorf("%s is missing", what)
	}
	if m.GetCoins() > 99 {
		return fmt.Errorf("%s has %d coins, at most 99 are allowed", what, m.GetCoins())
	}
	if m.GetBills() > maxBills {
		return fmt.Errorf("%s of %d tenge is beyond any register's range", what, m.GetBills())
	}
	return nil
}

// wireMoney converts tiyn to a wire amount. Negative amounts travel as their magnitude; the
// only signed amount of the protocol, revenue, carries its sign beside it.
func wireMoney(t int64) *pb.Money {
	if t < 0 {
		t = -t
	}
	return &pb.Money{Bills: proto.Uint64(uint64(t / 100)), Coins: proto.Uint32(uint32(t % 100))}
}

// formatTiyn renders tiyn as tenge with two decimals, as the QR link and error texts show them.
func formatTiyn(t int64) string {
	sign := ""
	if t < 0 {
		sign, t = "-", -t
	}
	return fmt.Sprintf("%s%d.%02d", sign, t/100, t%100)
}

// wallTime converts a wire date and time to a time.Time in UTC. The protocol carries no zone
// ([SPEC202] §4.1): the emulator keeps the register's wall clock reading as it came.
func wallTime(what string, dt *pb.DateTime) (time.Time, error) {
	if dt == nil {
		return time.Time{}, fmt.Errorf("%s is missing", what)
	}
	d, tm := dt.GetDate(), dt.GetTime()
	y, mo, day := int(d.GetYear()), int(d.GetMonth()), int(d.GetDay())
	h, mi, s := int(tm.GetHour()), int(tm.GetMinute()), int(tm.GetSecond())
	t := time.Date(y, time.Month(mo), day, h, mi, s, 0, time.UTC)
	if y < 2000 || y > 9999 || t.Year() != y || int(t.Month()) != mo || t.Day() != day ||
		h > 23 || mi > 59 || s > 59 {
		return time.Time{}, fmt.Errorf("%s %04d-%02d-%02d %02d:%02d:%02d is not a valid date and time",
			what, y, mo, day, h, mi, s)
	}
	return t, nil
}

// wireTime converts a wall-clock reading to a wire date and time.
func wireTime(t time.Time) *pb.DateTime {
	return &pb.DateTime{
		Date: &pb.Date{Year: proto.Uint32(uint32(t.Year())), Month: proto.Uint32(uint32(t.Month())), Day: proto.Uint32(uint32(t.Day()))},
		Time: &pb.Time{Hour: proto.Uint32(uint32(t.Hour())), Minute: proto.Uint32(uint32(t.Minute())), Second: proto.Uint32(uint32(t.Second()))},
	}
}

// wallClock drops the zone of a time read from the emulator's clock, keeping its wall reading,
// so it compares with the zone-less times registers send.
func wallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
}

// QRLink builds the receipt-check link in Kazakhtelecom's format (fact sheet §6.4):
// base?i=<fiscal sign>&f=<RNM>&s=<total with 2 decimals>&t=<yyyyMMddTHHmmss>.
func QRLink(base, fiscalSign, rnm string, total int64, at time.Time) string {
	return fmt.Sprintf("%s?i=%s&f=%s&s=%s&t=%s", base, fiscalSign, rnm, formatTiyn(total), at.Format("20060102T150405"))
}
