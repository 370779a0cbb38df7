//go:build !mobile

package ui

// phoneBuild tells the tests they run in Fyne's mobile simulation (make test-mobile); here they
// do not.
const phoneBuild = false
