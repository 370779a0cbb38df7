package main

import "testing"

func TestParseRegister(t *testing.T) {
	cases := []struct {
		in      string
		wantErr bool
		id      uint32
		token   uint32
		rnm     string
	}{
		{"123456:987654321", false, 123456, 987654321, "000000123456"},
		{"200773:4000000001:281948271821:KTCD1117737127791", false, 200773, 4000000001, "281948271821"},
		{"200773", true, 0, 0, ""},
		{"x:1", true, 0, 0, ""},
		{"1:5000000000", true, 0, 0, ""},
		{"1:2:3", true, 0, 0, ""},
	}
	for _, c := range cases {
		cfg, err := parseRegister(c.in)
		if (err != nil) != c.wantErr {
			t.Errorf("%q: error %v, want error %v", c.in, err, c.wantErr)
			continue
		}
		if !c.wantErr && (cfg.ID != c.id || cfg.Token != c.token || cfg.RNM != c.rnm) {
			t.Errorf("%q: %+v", c.in, cfg)
		}
	}
}

func TestRunNeedsARegister(t *testing.T) {
	if err := run([]string{"-listen", "127.0.0.1:0"}); err == nil {
		t.Error("run without -register succeeded")
	}
}
