package ui

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// formatUint writes a system ID or token as «Подключить кассу» reads it.
func formatUint(v uint32) string { return strconv.FormatUint(uint64(v), 10) }

// cabinetRegionIDs are Kazakhstan's regions and its three cities of republican significance, as
// the manual's «Область» list offers them (message IDs).
var cabinetRegionIDs = []string{
	"region.astana", "region.almaty_city", "region.shymkent",
	"region.abai", "region.akmola", "region.aktobe", "region.almaty", "region.atyrau", "region.east_kz",
	"region.zhambyl", "region.zhetisu", "region.west_kz", "region.karaganda", "region.kostanay",
	"region.kyzylorda", "region.mangystau", "region.pavlodar", "region.north_kz", "region.turkistan",
	"region.ulytau",
}

// tradePointScreen is «Добавить торговую точку» (step 4): the manual's fields, the apartment
// optional.
type tradePointScreen struct {
	parent *onboardingScreen
	tp     CabinetTradePoint
	region int // index into cabinetRegionIDs, -1 none
	errs   map[string]error
	busy   bool
}

func newTradePointScreen(parent *onboardingScreen) *tradePointScreen {
	return &tradePointScreen{parent: parent, region: -1, errs: map[string]error{}}
}

func (s *tradePointScreen) view() fyne.CanvasObject {
	u, l := s.parent.u, s.parent.u.loc
	f := func(id string, value *string, key string) fyne.CanvasObject {
		return fieldWithError(u, id, entry(value, ""), s.errs[key])
	}
	regions := make([]string, len(cabinetRegionIDs))
	for i, id := range cabinetRegionIDs {
		regions[i] = l.T(id)
	}
	region := widget.NewSelect(regions, nil)
	region.PlaceHolder = l.T("onboarding.tp.region.choose")
	if s.region >= 0 {
		region.SetSelectedIndex(s.region)
	}
	region.OnChanged = func(string) { s.region = region.SelectedIndex() }
	body := container.NewVBox(
		f("onboarding.tp.name", &s.tp.Name, "name"),
		fieldWithError(u, "onboarding.tp.region", region, s.errs["region"]),
		f("onboarding.tp.locality", &s.tp.Locality, "locality"),
		f("onboarding.tp.street", &s.tp.Street, "street"),
		f("onboarding.tp.house", &s.tp.House, "house"),
		f("onboarding.tp.apartment", &s.tp.Apartment, "apartment"),
		errorText(l.Error(s.errs[""])))
	add := primary(l.T("onboarding.add"), s.add)
	if s.busy {
		add.Disable()
		body.Add(widget.NewProgressBarInfinite())
	}
	return twoPass(page(u.header(l.T("onboarding.tp.add"), true), body, add))
}

// add checks the fields and adds the trading point; back on the list it is there.
func (s *tradePointScreen) add() {
	u := s.parent.u
	s.errs = map[string]error{}
	tp := s.tp
	for key, v := range map[string]*string{"name": &tp.Name, "locality": &tp.Locality, "street": &tp.Street, "house": &tp.House} {
		if *v = strings.TrimSpace(*v); *v == "" {
			s.errs[key] = ErrCabinetRequired
		}
	}
	tp.Apartment = strings.TrimSpace(tp.Apartment)
	if s.region < 0 {
		s.errs["region"] = ErrCabinetRequired
	} else {
		tp.Region = u.loc.T(cabinetRegionIDs[s.region])
	}
	if len(s.errs) > 0 {
		u.render()
		return
	}
	cab := s.parent.cab
	s.busy = true
	u.render()
	u.background(func(ctx context.Context) func() {
		added, err := cab.AddTradePoint(ctx, tp)
		return func() {
			s.busy = false
			if err != nil {
				s.errs[""] = err
				if u.current == s {
					u.render()
				}
				return
			}
			p := s.parent
			p.tps = append(p.tps, added)
			if u.current == s {
				u.back()
			}
		}
	})
}

// applyScreen is «Добавить кассу» (step 5): name, model, serial (ЗНМ), year, trading point, then
// the connection type and tariff; «Отправить заявку» applies at the OFD.
type applyScreen struct {
	parent                    *onboardingScreen
	name, model, serial, year string
	tp, tariff, connection    int // indexes; -1 none
	errs                      map[string]error
	busy                      bool
}

func newApplyScreen(parent *onboardingScreen) *applyScreen {
	s := &applyScreen{parent: parent, model: "E-kassa", year: strconv.Itoa(time.Now().Year()), tp: -1, tariff: -1,
		connection: 0, errs: map[string]error{}}
	if len(parent.tps) == 1 {
		s.tp = 0
	}
	return s
}

// choice is a select of labels bound to *index.
func choice(labels []string, index *int, placeholder string) *widget.Select {
	sel := widget.NewSelect(labels, nil)
	sel.PlaceHolder = placeholder
	if *index >= 0 && *index < len(labels) {
		sel.SetSelectedIndex(*index)
	}
	sel.OnChanged = func(string) { *index = sel.SelectedIndex() }
	return sel
}

func (s *applyScreen) view() fyne.CanvasObject {
	u, l := s.parent.u, s.parent.u.loc
	tps := make([]string, len(s.parent.tps))
	for i, tp := range s.parent.tps {
		tps[i] = tp.Name
	}
	tariffs := make([]string, len(CabinetTariffs))
	for i, t := range CabinetTariffs {
		tariffs[i] = l.T("onboarding.tariff." + t)
	}
	conns := make([]string, len(CabinetConnections))
	for i, c := range CabinetConnections {
		conns[i] = l.T("onboarding.connection." + c)
	}
	choose := l.T("onboarding.choose")
	body := container.NewVBox(
		fieldWithError(u, "onboarding.reg.name", entry(&s.name, l.T("onboarding.reg.name.hint")), s.errs["name"]),
		fieldWithError(u, "onboarding.reg.model", entry(&s.model, ""), s.errs["model"]),
		fieldWithError(u, "onboarding.reg.serial", entry(&s.serial, l.T("onboarding.reg.serial.hint")), s.errs["serial"]),
		fieldWithError(u, "onboarding.reg.year", wholeEntry(&s.year, ""), s.errs["year"]),
		fieldWithError(u, "onboarding.reg.trade_point", choice(tps, &s.tp, choose), s.errs["tp"]),
		fieldWithError(u, "onboarding.reg.connection", choice(conns, &s.connection, choose), s.errs["connection"]),
		fieldWithError(u, "onboarding.reg.tariff", choice(tariffs, &s.tariff, choose), s.errs["tariff"]),
		wrapped(l.T("onboarding.reg.responsibility")),
		errorText(l.Error(s.errs[""])))
	apply := primary(l.T("onboarding.reg.apply"), s.apply)
	if s.busy {
		apply.Disable()
		body.Add(widget.NewProgressBarInfinite())
	}
	return twoPass(page(u.header(l.T("onboarding.reg.add"), true), body, apply))
}

// apply checks the fields and applies; back on the list the register is there as «sent».
func (s *applyScreen) apply() {
	u := s.parent.u
	s.errs = map[string]error{}
	a := CabinetApplication{Name: strings.TrimSpace(s.name), Model: strings.TrimSpace(s.model),
		Serial: strings.TrimSpace(s.serial)}
	for key, v := range map[string]string{"name": a.Name, "model": a.Model, "serial": a.Serial} {
		if v == "" {
			s.errs[key] = ErrCabinetRequired
		}
	}
	year, err := strconv.Atoi(strings.TrimSpace(s.year))
	if err != nil || year < 2000 || year > time.Now().Year() {
		s.errs["year"] = ErrCabinetYear
	}
	a.Year = year
	if s.tp < 0 || s.tp >= len(s.parent.tps) {
		s.errs["tp"] = ErrCabinetRequired
	} else {
		a.TradePointID = s.parent.tps[s.tp].ID
	}
	if s.tariff < 0 {
		s.errs["tariff"] = ErrCabinetRequired
	} else {
		a.Tariff = CabinetTariffs[s.tariff]
	}
	if s.connection < 0 {
		s.errs["connection"] = ErrCabinetRequired
	} else {
		a.Connection = CabinetConnections[s.connection]
	}
	if len(s.errs) > 0 {
		u.render()
		return
	}
	cab := s.parent.cab
	s.busy = true
	u.render()
	u.background(func(ctx context.Context) func() {
		r, err := cab.Apply(ctx, a)
		return func() {
			s.busy = false
			if err != nil {
				s.errs[onboardingField(err)] = err
				if u.current == s {
					u.render()
				}
				return
			}
			p := s.parent
			p.regs = append(p.regs, r)
			if u.current == s {
				u.back()
				p.tick()
			}
		}
	})
}

// tokenScreen shows a registered register's OFD, system ID and token to type on another phone's
// «Подключить кассу», with a QR code of them (ConnectLink).
type tokenScreen struct {
	u   *UI
	reg CabinetRegister
}

// ConnectLink is what the token screen's QR code holds: the OFD's address, the system ID and the
// token of a register, for another phone's «Подключить кассу».
func ConnectLink(r CabinetRegister) string {
	v := url.Values{"ofd": {r.OFDAddress}, "id": {formatUint(r.SystemID)}, "token": {formatUint(r.Token)}}
	return "ekassa-connect:?" + v.Encode()
}

func (s *tokenScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	r := s.reg
	mono := func(t string) *widget.Label {
		lb := widget.NewLabelWithStyle(t, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		lb.Selectable = true
		return lb
	}
	body := container.NewVBox(bold(r.Name+" · "+r.Serial), wrapped(l.T("onboarding.token.intro")),
		field(l.T("connect.address"), mono(r.OFDAddress)),
		field(l.T("connect.system_id"), mono(formatUint(r.SystemID))),
		field(l.T("connect.token"), mono(formatUint(r.Token))),
		container.NewCenter(qrCanvas(ConnectLink(r), 512, 200)))
	copyAll := widget.NewButtonWithIcon(l.T("onboarding.token.copy"), theme.ContentCopyIcon(), func() {
		u.app.Clipboard().SetContent(l.T("onboarding.token.text", map[string]any{"OFD": r.OFDAddress,
			"SystemID": formatUint(r.SystemID), "Token": formatUint(r.Token)}))
	})
	return twoPass(page(u.header(l.T("onboarding.token.title"), true), body, copyAll))
}
