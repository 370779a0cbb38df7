package kkm

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestAllow(t *testing.T) {
	s := DefaultSettings()
	s.Permissions = Permissions{ActionReturn: RoleSeniorCashier}
	cases := []struct {
		action Action
		role   Role
		ok     bool
	}{
		{ActionReturn, RoleCashier, false},
		{ActionReturn, RoleSeniorCashier, true},
		{ActionReturn, RoleAdministrator, true},
		{ActionCloseShift, RoleCashier, true}, // not named: the default, every cashier
		{ActionSettings, RoleSeniorCashier, false},
		{ActionSettings, RoleAdministrator, true},
		{ActionChangeToken, RoleCashier, false},
		{ActionCashiers, RoleAdministrator, true},
	}
	for _, c := range cases {
		err := s.Allow(c.action, c.role)
		if (err == nil) != c.ok {
			t.Errorf("Allow(%s, %d) = %v, want ok=%v", c.action, c.role, err, c.ok)
		}
		var re *RoleError
		if err != nil && (!errors.As(err, &re) || re.MessageID() != "err.role."+string(c.action)) {
			t.Errorf("refusal %v has no per-action message", err)
		}
	}
}

func TestSettingsValidatePermissionsAndAutoLock(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Settings)
		want Code
	}{
		{"unknown action", func(s *Settings) { s.Permissions = Permissions{"annul": RoleCashier} }, ErrSettingsPermissions},
		{"role out of range", func(s *Settings) { s.Permissions = Permissions{ActionSettings: 9} }, ErrSettingsPermissions},
		{"negative auto-lock", func(s *Settings) { s.AutoLockAfter = -time.Minute }, ErrSettingsAutoLock},
		{"auto-lock too long", func(s *Settings) { s.AutoLockAfter = 9 * time.Hour }, ErrSettingsAutoLock},
		{"valid", func(s *Settings) {
			s.Permissions = Permissions{ActionCloseShift: RoleSeniorCashier}
			s.AutoLockAfter = 5 * time.Minute
		}, ""},
	}
	for _, c := range cases {
		s := DefaultSettings()
		c.edit(&s)
		err := s.Validate()
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}
}

// Settings saved before permissions existed read back with the defaults.
func TestPermissionsJSON(t *testing.T) {
	var s Settings
	if err := json.Unmarshal([]byte(`{"offline_limit":259200000000000,"shift_limit":86400000000000}`), &s); err != nil {
		t.Fatal(err)
	}
	if s.Permissions.Least(ActionSettings) != RoleAdministrator || s.Permissions.Least(ActionReturn) != RoleCashier {
		t.Fatalf("defaults not applied: %v", s.Permissions)
	}
	s.Permissions = Permissions{ActionReturn: RoleSeniorCashier}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Settings
	if err := json.Unmarshal(b, &back); err != nil || back.Permissions.Least(ActionReturn) != RoleSeniorCashier {
		t.Fatalf("round trip: %v %v", back.Permissions, err)
	}
}
