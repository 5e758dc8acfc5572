// Your DNS server. syscraft starts it as:  ./your_program.sh --port <port> --zone <zone file>
// Read stages/dns/01-reply-header.md in your syscraft checkout first.
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
)

// arg returns the value after `--<name>` on the command line.
func arg(args []string, name string) string {
	for i, a := range args {
		if a == "--"+name && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

var _ = net.ListenUDP // the net package is what stage 1 uses

func main() {
	args := os.Args[1:]
	port, err := strconv.Atoi(arg(args, "port"))
	if err != nil {
		port = 5353
	}
	zoneFile := arg(args, "zone")

	// Anything you print shows up in the test output when a stage fails.
	fmt.Printf("Logs from your program will appear here (port %d, zone %s).\n", port, zoneFile)

	// Uncomment the code below to receive queries on UDP; stage 1 asks you to reply to each.
	//
	// conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	// if err != nil {
	// 	fmt.Fprintln(os.Stderr, err)
	// 	os.Exit(1)
	// }
	// query := make([]byte, 65535)
	// for {
	// 	n, sender, err := conn.ReadFromUDP(query)
	// 	if err != nil {
	// 		continue
	// 	}
	// 	reply := make([]byte, 12)
	// 	// … fill in the header from query[:n] (RFC 1035 §4.1.1) …
	// 	_ = n
	// 	conn.WriteToUDP(reply, sender)
	// }
}
