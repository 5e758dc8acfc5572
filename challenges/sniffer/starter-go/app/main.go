// Your packet sniffer. Stage 1 (stages/sniffer/01-open-a-capture.md) starts here:
// open syscall.Socket(syscall.AF_PACKET, syscall.SOCK_RAW, int(htons(0x0003))) (ETH_P_ALL),
// bind it to the interface named by -i (syscall.Bind with a *syscall.SockaddrLinklayer),
// and print one line per frame.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	iface := flag.String("i", "", "interface")
	flag.Bool("n", false, "no name resolution")
	flag.Bool("e", false, "print link-level headers")
	flag.Bool("l", false, "line-buffered output")
	flag.String("c", "", "stop after this many frames")
	flag.Parse()
	fmt.Fprintf(os.Stderr, "listening on %s (not yet: see stage 1)\n", *iface)
	os.Exit(1)
}
