package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// statusView is the status line every register screen shows on top: the shift and its time left,
// online or offline with the documents waiting and the offline time left, a block with its reason
// and the way out, and in demo mode the DEMO mark with the network switch.
//
// Its rows keep their height whatever they say (issue 12, walker S0 and S5): the shift's row is as
// high as its longest text for this shift wrapped at the window's width, the network's row as high
// as the longest offline text; so the link dropping or coming back never moves the keys below
// under the cashier's finger, and the time left is never cut off on a 360 px phone. The rows are
// text, not targets: they are drawn with little inner padding (statusTheme), so that reserving
// the room for the offline text costs the keypad no more than the line took before.
func (u *UI) statusView(st Status) fyne.CanvasObject {
	l := u.loc
	th := statusTheme{fyne.CurrentApp().Settings().Theme()}
	var shift string
	if st.ShiftOpen {
		shift = l.T("status.shift_open", map[string]any{"Number": st.ShiftNumber, "Left": duration(l, st.ShiftLeft)})
	} else {
		shift = l.T("status.shift_closed")
	}
	shiftLabel := wrapped(shift)
	// The longest the shift's row says until the shift is closed: its full time left, or the
	// next shift's number as it opens.
	longest := st.ShiftLeft
	if lim := st.ShiftLimit; lim > longest {
		longest = lim
	}
	shiftRow := reserved(th, shiftLabel,
		l.T("status.shift_closed"),
		l.T("status.shift_open", map[string]any{"Number": st.ShiftNumber + 1, "Left": duration(l, max(longest, 24*time.Hour))}))

	var net *msgLabel
	if st.Online && st.Waiting == 0 && st.ClockGap != 0 {
		// The clock's warning takes the network's row, in the room the row keeps for its longest
		// offline text (offlineSamples): appearing, it moves no key (it had a row of its own, and
		// the keys moved down). It is short so as to cost the keypad no room (a longer text took
		// a third line and cut the keypad's last row). The gap is found in the OFD's answers, so
		// it is news while online; offline, the row says what waits, and the warning comes back
		// with the link.
		net = wrapped(clockGapText(l, st.ClockGap))
		net.Importance = widget.WarningImportance
	} else if st.Online && st.Waiting == 0 {
		net = wrapped(l.T("status.online"))
		net.Importance = widget.SuccessImportance
	} else {
		net = wrapped(l.T("status.offline", map[string]any{
			"Count": st.Waiting, "Left": duration(l, st.OfflineLeft), "Since": dateTime(l, st.OfflineSince)}))
		net.Importance = widget.WarningImportance
	}
	netRow := reserved(th, net, offlineSamples(l, st)...)
	rows := []fyne.CanvasObject{}
	if st.Demo {
		demo := widget.NewLabelWithStyle(l.T("status.demo"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		demo.Importance = widget.DangerImportance
		cut := widget.NewCheck(l.T("status.network_cut"), nil)
		cut.SetChecked(st.NetworkCut)
		cut.OnChanged = func(on bool) {
			// The tap gave the box the keyboard; give it back, or the digits typed next for the
			// keypad go nowhere (a kept amount then became a receipt in the QA walk).
			if u.win != nil {
				u.win.Canvas().Unfocus()
			}
			u.background(func(_ context.Context) func() {
				err := u.ports.Status.SetNetworkCut(on)
				st := u.ports.Status.Status()
				return func() {
					if err != nil {
						u.inform("dialog.error", u.loc.Error(err))
					}
					u.setStatus(st)
				}
			})
		}
		// A row of their own: beside them the shift's line was cut on a 360 px phone (walker S5).
		// The spacer keeps the switch's text off the window's edge (the row's inner padding is cut).
		rows = append(rows, container.NewBorder(nil, nil, demo, container.NewHBox(cut, layout.NewSpacer())))
	}
	rows = append(rows, shiftRow, netRow)
	line := []fyne.CanvasObject{container.NewThemeOverride(container.NewVBox(rows...), th)}
	if st.Block != BlockNone || st.OnlyZ {
		line = append(line, u.blockView(st))
	}
	return container.NewVBox(line...)
}

// offlineSamples are the longest texts the network's row can say: offline with a count of every
// plural form up to a busy shop's day offline, and the whole offline time left (the limit, at
// most 72 h). (The Russian text names the count without a plural form, «не отправлено: 2», as
// the native readers proposed: with «2 документа не отправлены» it took a third line at 130 %,
// and the keypad lost its last row in demo mode.)
func offlineSamples(l *i18n.Localizer, st Status) []string {
	left := max(st.OfflineLeft, kkm.DefaultOfflineLimit-time.Minute)
	var out []string
	for _, n := range []int{1, 2, 5, 11, 21, 22, 25, 1234} {
		out = append(out, l.T("status.offline", map[string]any{"Count": n, "Left": duration(l, left),
			"Since": dateTime(l, st.OfflineSince)}))
	}
	// The clock's warning, a gap of over two months in minutes at its widest.
	return append(out, clockGapText(l, 99999*time.Minute))
}

// clockGapText warns that the device's clock is gap away from the OFD's, in whole minutes.
func clockGapText(l *i18n.Localizer, gap time.Duration) string {
	minutes := int64((max(gap, -gap) + time.Minute - 1) / time.Minute)
	return l.T("status.clock_gap.short", map[string]any{"Minutes": minutes})
}

// statusTheme is the app's theme with the inner padding of text cut down, for the status line's
// rows of text.
type statusTheme struct{ fyne.Theme }

func (t statusTheme) Size(n fyne.ThemeSizeName) float32 {
	if n == theme.SizeNameInnerPadding {
		return 2
	}
	return t.Theme.Size(n)
}

// reserved is obj over the whole of a place as high as the tallest of obj and the texts samples
// would be, wrapped at the same width in theme th: a row that keeps its height when its text
// changes to any of them.
func reserved(th fyne.Theme, obj fyne.CanvasObject, samples ...string) fyne.CanvasObject {
	r := &reserveLayout{}
	for _, s := range samples {
		r.samples = append(r.samples, container.NewThemeOverride(wrapped(s), th))
	}
	return container.New(r, obj)
}

// reserveLayout lays its objects over each other on the whole of its size, and is as high as the
// tallest of them and of its samples laid out at the same width. The samples are measured, never
// drawn. A wrapped text knows its height only once it has a width: the layout gives the samples
// its width, and the next pass (render lays the frame out twice) has their heights.
type reserveLayout struct{ samples []fyne.CanvasObject }

func (r *reserveLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		if o.Visible() {
			s = s.Max(o.MinSize())
		}
	}
	for _, o := range r.samples {
		s.Height = max(s.Height, o.MinSize().Height)
	}
	return s
}

func (r *reserveLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range r.samples {
		o.Resize(fyne.NewSize(size.Width, o.MinSize().Height))
	}
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// blockView explains a block and offers the way out.
func (u *UI) blockView(st Status) fyne.CanvasObject {
	l := u.loc
	b := st.Block
	if b == BlockNone && st.OnlyZ {
		b = BlockShiftExpired
	}
	text := l.T("status.block."+string(b), map[string]any{"Text": st.BlockText})
	switch {
	case b == BlockJournal:
		text = l.Error(st.Fault)
	case b == BlockRefused && st.Refused != nil:
		text = l.T("status.block.refused", refusedData(l, st.Refused)) + "\n" + l.T("status.block.refused.way_out")
	case b == BlockShiftExpired && st.Refused != nil:
		data := refusedData(l, st.Refused)
		data["Hours"] = hours(st.ShiftLimit)
		text = l.T("status.refused.shift_limit", data)
	case b == BlockShiftExpired && st.ShiftLimit > 0 && st.ShiftLimit != kkm.DefaultShiftLimit:
		text = l.T("status.block.shift_expired.hours", map[string]any{"Hours": hours(st.ShiftLimit)})
	}
	msg := errorText(text)
	var action *widget.Button
	switch b {
	case BlockJournal:
		// The backup (and restore) are in the settings' journal section.
		action = primary(l.T("status.action.journal"), func() {
			u.allowThen(kkm.ActionSettings, func() { u.open(newSettingsScreen(u, false)) })
		})
	case BlockRefused:
		if u.ports.Recovery == nil || st.Refused == nil {
			return msg
		}
		setAside := primary(l.T("status.action.set_aside"), func() { u.setAside(st.Refused) })
		return container.NewVBox(msg, setAside, widget.NewButton(l.T("status.action.retry"), u.retry))
	case BlockToken:
		action = primary(l.T("status.action.token"), func() {
			u.allowThen(kkm.ActionChangeToken, func() { u.open(newSettingsScreen(u, true)) })
		})
	case BlockShiftExpired:
		action = primary(l.T("status.action.close_shift"), func() { u.closeShift() })
	case BlockProtocol:
		if u.ports.Recovery == nil {
			return msg
		}
		action = primary(l.T("status.action.retry"), u.retry)
	default:
		return msg
	}
	return container.NewVBox(msg, action)
}

// retry leaves a protocol block once its cause is fixed: the register sends the waiting document
// again. A refusal is shown; the status line follows what the register says.
func (u *UI) retry() {
	recovery := u.ports.Recovery
	u.background(func(ctx context.Context) func() {
		err := recovery.Retry(ctx)
		st := u.ports.Status.Status()
		return func() {
			u.setStatus(st)
			if err != nil {
				u.inform("dialog.error", u.loc.Error(err))
			}
		}
	})
}

// refusedData is the template data naming a refused document and why: Document (its title, such
// as «Продажа №5, смена 3») and Reason (the OFD's refusal in the cashier's language).
func refusedData(l *i18n.Localizer, r *RefusedDocument) map[string]any {
	return map[string]any{"Document": documentTitle(l, r.Document), "Reason": l.Error(r.Reason)}
}

// hours is a shift limit in whole hours (at least 1), as the messages give it.
func hours(d time.Duration) int64 { return max(int64(d/time.Hour), 1) }

// setAside asks the cashier to confirm, then marks the refused document refused: it leaves the
// shift's counters and the queue, and the register goes on. The cashier is told to issue a
// corrected one.
func (u *UI) setAside(r *RefusedDocument) {
	recovery := u.ports.Recovery
	data := refusedData(u.loc, r)
	u.confirmText("set_aside.confirm.title", u.loc.T("set_aside.confirm.text", data), "set_aside.confirm.ok", func() {
		u.background(func(ctx context.Context) func() {
			err := recovery.SetAside(ctx)
			st := u.ports.Status.Status()
			return func() {
				u.setStatus(st)
				if err != nil {
					u.inform("dialog.error", u.loc.Error(err))
					return
				}
				u.inform("set_aside.confirm.title", u.loc.T("set_aside.done", data))
			}
		})
	})
}
