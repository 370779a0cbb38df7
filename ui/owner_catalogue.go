package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The owner's catalogue: the organization's one catalogue for all shops, at the hub, found,
// created, edited and archived on the register's own catalogue screens (catalogue.go) over the
// hub (OwnerCatalogue.Catalogue), a price list imported into it on the register's import screen
// (pricelist.go) over the hub (OwnerCatalogue.PriceLists), and the owner's rule whether the
// registers may change it. The registers pull every change from their version cursor.

// openOwnerCatalogue shows the hub's catalogue, reading the registers' rule in the background.
func (u *UI) openOwnerCatalogue(oc OwnerCatalogue) {
	s := newCatalogueScreenOf(u, oc.Catalogue(), oc)
	s.regsBusy = true
	u.open(s) // first: the job's answer draws it again (see starter, ui.go)
	u.background(func(ctx context.Context) func() {
		on, err := oc.RegistersEdit(ctx)
		return func() {
			s.regsBusy, s.regsEdit, s.regsErr = false, on, err
			if u.current == s {
				u.render()
			}
		}
	})
}

// ownerView is the hub catalogue's screen: the list, the registers' rule, the import and «Жаңа тауар».
func (s *catalogueScreen) ownerView(top *fyne.Container, bottom fyne.CanvasObject) fyne.CanvasObject {
	u, l := s.u, s.u.loc
	// A check whose text wraps: the rule's words are long in Kazakh.
	regs := newWrapCheck(l.T("hubowner.catalogue.registers_edit"), s.regsEdit, func(on bool) {
		if on == s.regsEdit || s.regsBusy {
			return
		}
		s.regsBusy = true
		u.render()
		u.background(func(ctx context.Context) func() {
			err := s.owner.SetRegistersEdit(ctx, on)
			return func() {
				s.regsBusy, s.regsErr = false, err
				if err == nil {
					s.regsEdit = on
				}
				u.render()
			}
		})
	})
	if s.regsBusy {
		regs.box.Disable()
	}
	top.Add(regs)
	if s.regsErr != nil {
		top.Add(errorText(l.Error(s.regsErr)))
	}
	if port := s.owner.PriceLists(); port != nil {
		// The register's import screen, into the hub's catalogue: what it imports is listed on return.
		prices := widget.NewButtonWithIcon("", theme.UploadIcon(), func() {
			s.stale = true
			u.open(&priceListScreen{u: u, port: port, update: true})
		})
		bottom = container.NewBorder(nil, nil, nil, prices, bottom)
	}
	return container.NewBorder(top, bottom, nil, nil, s.list.list)
}

// Settle waits until the background work started so far is done: for tests of other packages
// that drive the screens over real ports (app's owner catalogue over a real hub).
func (u *UI) Settle() { u.settle() }
