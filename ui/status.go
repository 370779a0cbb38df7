package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// statusView is the status line every register screen shows on top: the shift and its time left,
// online or offline with the documents waiting and the offline time left, a block with its reason
// and the way out, and in demo mode the DEMO mark with the network switch.
func (u *UI) statusView(st Status) fyne.CanvasObject {
	l := u.loc
	var shift string
	if st.ShiftOpen {
		shift = l.T("status.shift_open", map[string]any{"Number": st.ShiftNumber, "Left": duration(l, st.ShiftLeft)})
	} else {
		shift = l.T("status.shift_closed")
	}
	shiftLabel := widget.NewLabel(shift)
	// One line: it has the width (the phone-fit test checks it at every text size); wrapped, its
	// height is unknown until laid out and the keypad below would be given too little.
	shiftLabel.Truncation = fyne.TextTruncateEllipsis

	var net *widget.Label
	if st.Online && st.Waiting == 0 {
		net = widget.NewLabel(l.T("status.online"))
		net.Importance = widget.SuccessImportance
	} else {
		net = widget.NewLabel(l.T("status.offline", map[string]any{
			"Count": st.Waiting, "Left": duration(l, st.OfflineLeft), "Since": dateTime(l, st.OfflineSince)}))
		net.Importance = widget.WarningImportance
		net.Wrapping = fyne.TextWrapWord
	}
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
				err := u.ports.Register.SetNetworkCut(on)
				st := u.ports.Register.Status()
				return func() {
					if err != nil {
						u.inform("dialog.error", u.loc.Error(err))
					}
					u.setStatus(st)
				}
			})
		}
		// Beside the demo mark and its switch the shift's line is cut on a 360 px phone; a row of
		// their own would cost the keypad a row of keys at 130 % text. Demo mode keeps them
		// together; a register in real use has the shift's line to itself.
		rows = append(rows, container.NewBorder(nil, nil, demo, cut, shiftLabel))
	} else {
		rows = append(rows, shiftLabel)
	}
	rows = append(rows, net)
	if st.ClockGap != 0 {
		minutes := int64((max(st.ClockGap, -st.ClockGap) + time.Minute - 1) / time.Minute)
		rows = append(rows, errorText(u.loc.T("status.clock_gap", map[string]any{"Minutes": minutes})))
	}
	if st.Block != BlockNone || st.OnlyZ {
		rows = append(rows, u.blockView(st))
	}
	return container.NewVBox(rows...)
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
		if u.ports.admin() == nil || st.Refused == nil {
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
		if u.ports.admin() == nil {
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
	adm := u.ports.admin()
	u.background(func(ctx context.Context) func() {
		err := adm.Retry(ctx)
		st := u.ports.Register.Status()
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
	adm := u.ports.admin()
	data := refusedData(u.loc, r)
	u.confirmText("set_aside.confirm.title", u.loc.T("set_aside.confirm.text", data), "set_aside.confirm.ok", func() {
		u.background(func(ctx context.Context) func() {
			err := adm.SetAside(ctx)
			st := u.ports.Register.Status()
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
