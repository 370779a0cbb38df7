package ofdclient

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// Sentinel errors of the conversions between the register's values and their wire forms.
var (
	// ErrMoney: an amount that has no wire form (negative) or a wire amount that is not one
	// (coins over 99, more tenge than an int64 count of tiyn can hold, missing).
	ErrMoney = errors.New("ofdclient: invalid money")
	// ErrDateTime: a time that has no wire form, or a wire date and time that is not a real
	// moment (month 13, 30 February, 24:00, missing parts).
	ErrDateTime = errors.New("ofdclient: invalid date and time")
)

// tiynPerTenge is the number of tiyn in a tenge.
const tiynPerTenge = 100

// MoneyFromTiyn converts an amount in tiyn to its wire form: whole tenge (bills) and tiyn
// (coins, 0–99). Amounts on the wire are never negative: a negative amount is an error
// wrapping ErrMoney (the sign of a revenue travels in its own field).
func MoneyFromTiyn(tiyn int64) (*pb.Money, error) {
	if tiyn < 0 {
		return nil, fmt.Errorf("%w: %d tiyn is negative", ErrMoney, tiyn)
	}
	return &pb.Money{
		Bills: ptr(uint64(tiyn / tiynPerTenge)),
		Coins: ptr(uint32(tiyn % tiynPerTenge)),
	}, nil
}

// TiynFromMoney converts a wire amount to tiyn. It refuses (with an error wrapping ErrMoney)
// a nil amount, coins over 99 and an amount over math.MaxInt64 tiyn.
func TiynFromMoney(m *pb.Money) (int64, error) {
	if m == nil {
		return 0, fmt.Errorf("%w: no amount", ErrMoney)
	}
	bills, coins := m.GetBills(), m.GetCoins()
	if coins >= tiynPerTenge {
		return 0, fmt.Errorf("%w: %d coins, at most 99", ErrMoney, coins)
	}
	if bills > (math.MaxInt64-uint64(coins))/tiynPerTenge {
		return 0, fmt.Errorf("%w: %d tenge is too large", ErrMoney, bills)
	}
	return int64(bills)*tiynPerTenge + int64(coins), nil
}

// DateTimeFromTime converts a moment to its wire form. The wire has no time zone: the OFD
// stores the date and time as received, so pass the register's local wall clock
// (t.In(loc) for the register's location); the fields are read in t's own location and
// fractions of a second are dropped. Years outside 1–9999 are an error wrapping ErrDateTime.
func DateTimeFromTime(t time.Time) (*pb.DateTime, error) {
	year, month, day := t.Date()
	if year < 1 || year > 9999 {
		return nil, fmt.Errorf("%w: year %d", ErrDateTime, year)
	}
	hour, minute, second := t.Clock()
	return &pb.DateTime{
		Date: &pb.Date{Year: ptr(uint32(year)), Month: ptr(uint32(month)), Day: ptr(uint32(day))},
		Time: &pb.Time{Hour: ptr(uint32(hour)), Minute: ptr(uint32(minute)), Second: ptr(uint32(second))},
	}, nil
}

// TimeFromDateTime converts a wire date and time to a moment on the wall clock of loc (the
// register's location; nil means UTC). The optional second defaults to 0. A date or time
// that is missing or out of range, such as month 13, 30 February or hour 24, is an error
// wrapping ErrDateTime: it is never normalised into another day.
func TimeFromDateTime(dt *pb.DateTime, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	d, c := dt.GetDate(), dt.GetTime()
	if d == nil || c == nil || d.Year == nil || d.Month == nil || d.Day == nil || c.Hour == nil || c.Minute == nil {
		return time.Time{}, fmt.Errorf("%w: incomplete %v", ErrDateTime, dt)
	}
	year, month, day := d.GetYear(), d.GetMonth(), d.GetDay()
	hour, minute, second := c.GetHour(), c.GetMinute(), c.GetSecond()
	switch {
	case year < 1 || year > 9999, month < 1 || month > 12, day < 1 || day > 31,
		hour > 23, minute > 59, second > 59:
		return time.Time{}, fmt.Errorf("%w: %04d-%02d-%02d %02d:%02d:%02d out of range",
			ErrDateTime, year, month, day, hour, minute, second)
	}
	t := time.Date(int(year), time.Month(month), int(day), int(hour), int(minute), int(second), 0, loc)
	if t.Day() != int(day) {
		return time.Time{}, fmt.Errorf("%w: %04d-%02d-%02d is not a date", ErrDateTime, year, month, day)
	}
	return t, nil
}

// ptr returns a pointer to v, for the optional and required scalar fields of proto2 messages.
func ptr[T any](v T) *T { return &v }
