// Command ekassa is a cash register (ККМ) for Kazakhstan that lives in a phone: it records sales,
// returns, cash in/out, X and Z reports in a local journal and sends each fiscal document to the
// OFD over the KGD protocol 2.0.3. Run it with -demo to work against an embedded OFD emulator.
package main

import (
	"fmt"
	"os"

	"github.com/ekassa-go/ekassa/app"
)

func main() {
	if err := app.Main(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "ekassa:", err)
		os.Exit(1)
	}
}
