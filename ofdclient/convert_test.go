package ofdclient

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

func TestMoneyFromTiyn(t *testing.T) {
	tests := []struct {
		tiyn    int64
		bills   uint64
		coins   uint32
		wantErr bool
	}{
		{tiyn: 0, bills: 0, coins: 0},
		{tiyn: 1, bills: 0, coins: 1},
		{tiyn: 99, bills: 0, coins: 99},
		{tiyn: 100, bills: 1, coins: 0},
		{tiyn: 58000, bills: 580, coins: 0},
		{tiyn: 1102250, bills: 11022, coins: 50},
		{tiyn: math.MaxInt64, bills: math.MaxInt64 / 100, coins: 7},
		{tiyn: -1, wantErr: true},
		{tiyn: math.MinInt64, wantErr: true},
	}
	for _, tt := range tests {
		m, err := MoneyFromTiyn(tt.tiyn)
		if tt.wantErr {
			if !errors.Is(err, ErrMoney) {
				t.Errorf("MoneyFromTiyn(%d) error = %v, want ErrMoney", tt.tiyn, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("MoneyFromTiyn(%d): %v", tt.tiyn, err)
		}
		if m.GetBills() != tt.bills || m.GetCoins() != tt.coins || m.Bills == nil || m.Coins == nil {
			t.Errorf("MoneyFromTiyn(%d) = %v, want bills %d coins %d", tt.tiyn, m, tt.bills, tt.coins)
		}
		back, err := TiynFromMoney(m)
		if err != nil || back != tt.tiyn {
			t.Errorf("TiynFromMoney(MoneyFromTiyn(%d)) = %d, %v", tt.tiyn, back, err)
		}
	}
}

func TestTiynFromMoneyRefuses(t *testing.T) {
	tests := []struct {
		name string
		m    *pb.Money
	}{
		{"nil", nil},
		{"coins 100", &pb.Money{Bills: ptr[uint64](1), Coins: ptr[uint32](100)}},
		{"coins max", &pb.Money{Bills: ptr[uint64](0), Coins: ptr[uint32](math.MaxUint32)}},
		{"bills over int64 tiyn", &pb.Money{Bills: ptr[uint64](math.MaxInt64/100 + 1), Coins: ptr[uint32](0)}},
		{"bills at the edge, coins over", &pb.Money{Bills: ptr[uint64](math.MaxInt64 / 100), Coins: ptr[uint32](8)}},
		{"bills max", &pb.Money{Bills: ptr[uint64](math.MaxUint64), Coins: ptr[uint32](0)}},
	}
	for _, tt := range tests {
		if got, err := TiynFromMoney(tt.m); !errors.Is(err, ErrMoney) {
			t.Errorf("%s: TiynFromMoney = %d, %v; want ErrMoney", tt.name, got, err)
		}
	}
}

func TestDateTimeRoundTrip(t *testing.T) {
	almaty := time.FixedZone("UTC+5", 5*3600)
	tests := []struct {
		name string
		t    time.Time
		want [6]uint32 // year month day hour minute second as sent
	}{
		{"sale time", time.Date(2026, 3, 1, 12, 34, 56, 0, almaty), [6]uint32{2026, 3, 1, 12, 34, 56}},
		{"midnight", time.Date(2026, 1, 1, 0, 0, 0, 0, almaty), [6]uint32{2026, 1, 1, 0, 0, 0}},
		{"leap day, last second", time.Date(2028, 2, 29, 23, 59, 59, 999_999_999, almaty), [6]uint32{2028, 2, 29, 23, 59, 59}},
		{"wall clock of its own zone, not UTC", time.Date(2026, 3, 1, 2, 0, 0, 0, almaty), [6]uint32{2026, 3, 1, 2, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dt, err := DateTimeFromTime(tt.t)
			if err != nil {
				t.Fatal(err)
			}
			got := [6]uint32{dt.GetDate().GetYear(), dt.GetDate().GetMonth(), dt.GetDate().GetDay(),
				dt.GetTime().GetHour(), dt.GetTime().GetMinute(), dt.GetTime().GetSecond()}
			if got != tt.want {
				t.Errorf("DateTimeFromTime = %v, want %v", got, tt.want)
			}
			back, err := TimeFromDateTime(dt, almaty)
			if err != nil {
				t.Fatal(err)
			}
			if want := tt.t.Truncate(time.Second); !back.Equal(want) {
				t.Errorf("TimeFromDateTime = %v, want %v", back, want)
			}
		})
	}
}

func TestDateTimeFromTimeRefusesYear(t *testing.T) {
	for _, year := range []int{0, -1, 10000} {
		if _, err := DateTimeFromTime(time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)); !errors.Is(err, ErrDateTime) {
			t.Errorf("year %d: err = %v, want ErrDateTime", year, err)
		}
	}
}

func TestTimeFromDateTimeRefuses(t *testing.T) {
	dt := func(y, mo, d, h, mi, s uint32) *pb.DateTime {
		return &pb.DateTime{
			Date: &pb.Date{Year: &y, Month: &mo, Day: &d},
			Time: &pb.Time{Hour: &h, Minute: &mi, Second: &s},
		}
	}
	tests := []struct {
		name string
		dt   *pb.DateTime
	}{
		{"nil", nil},
		{"no time", &pb.DateTime{Date: dt(2026, 1, 1, 0, 0, 0).Date}},
		{"no hour", &pb.DateTime{Date: dt(2026, 1, 1, 0, 0, 0).Date, Time: &pb.Time{Minute: ptr[uint32](0)}}},
		{"no day", &pb.DateTime{Date: &pb.Date{Year: ptr[uint32](2026), Month: ptr[uint32](1)}, Time: dt(2026, 1, 1, 0, 0, 0).Time}},
		{"year 0", dt(0, 1, 1, 0, 0, 0)},
		{"month 0", dt(2026, 0, 1, 0, 0, 0)},
		{"month 13", dt(2026, 13, 1, 0, 0, 0)},
		{"day 0", dt(2026, 1, 0, 0, 0, 0)},
		{"30 February", dt(2026, 2, 30, 0, 0, 0)},
		{"29 February of a common year", dt(2026, 2, 29, 0, 0, 0)},
		{"31 April", dt(2026, 4, 31, 0, 0, 0)},
		{"hour 24", dt(2026, 1, 1, 24, 0, 0)},
		{"minute 60", dt(2026, 1, 1, 0, 60, 0)},
		{"second 60", dt(2026, 1, 1, 0, 0, 60)},
	}
	for _, tt := range tests {
		if got, err := TimeFromDateTime(tt.dt, time.UTC); !errors.Is(err, ErrDateTime) {
			t.Errorf("%s: TimeFromDateTime = %v, %v; want ErrDateTime", tt.name, got, err)
		}
	}
}

func TestTimeFromDateTimeOptionalSecond(t *testing.T) {
	dt := &pb.DateTime{
		Date: &pb.Date{Year: ptr[uint32](2026), Month: ptr[uint32](3), Day: ptr[uint32](1)},
		Time: &pb.Time{Hour: ptr[uint32](10), Minute: ptr[uint32](5)},
	}
	got, err := TimeFromDateTime(dt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 1, 10, 5, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
