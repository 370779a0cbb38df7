package kkm

import (
	"testing"
	"time"
)

func TestQRLink(t *testing.T) {
	at := time.Date(2023, 11, 9, 20, 32, 26, 0, time.UTC)
	cases := []struct {
		site, sign, rnm string
		total           Money
		want            string
	}{
		// The real-world example of the fact sheet §6.4.
		{KazakhtelecomCheckSite, "3937088095", "620300144467", 1102200,
			"http://consumer.oofd.kz?i=3937088095&f=620300144467&s=11022.00&t=20231109T203226"},
		{KazakhtelecomTestCheckSite, "1001", "010101012345", 5,
			"http://dev.consumer.oofd.kz?i=1001&f=010101012345&s=0.05&t=20231109T203226"},
	}
	for _, c := range cases {
		if got := QRLink(c.site, c.sign, c.rnm, c.total, at); got != c.want {
			t.Errorf("QRLink = %s\nwant    %s", got, c.want)
		}
	}
}

func TestCheckSite(t *testing.T) {
	s := DefaultSettings()
	if got := s.CheckSite(); got != KazakhtelecomCheckSite {
		t.Errorf("default check site %s", got)
	}
	s.OFDAddress = "37.150.215.187:7777"
	if got := s.CheckSite(); got != KazakhtelecomTestCheckSite {
		t.Errorf("test server check site %s", got)
	}
	s.Reg.OFDCheckURL = "https://ofd1.kz/t/"
	if got := s.CheckSite(); got != "https://ofd1.kz/t/" {
		t.Errorf("registered check site %s, want its trailing slash kept", got)
	}
}
