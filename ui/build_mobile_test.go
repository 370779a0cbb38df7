//go:build mobile

package ui

// phoneBuild tells the tests they run in Fyne's mobile simulation (make test-mobile), where the
// device is a phone: no desktop keyboard handlers, the lock screen's PIN pad is the way in.
const phoneBuild = true
