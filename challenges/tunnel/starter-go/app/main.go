// Your tunnel. syscraft starts it in two roles:
//
//	./your_program.sh server --control-port <port> --http-port <port> [--tcp-ports <port>,<port>] --token <token>
//	    (later stages add --https-port/--cert/--key, --keepalive-ms, --max-streams, --idle-timeout-ms, --max-bytes-per-sec, --tls-port)
//	./your_program.sh client --server 127.0.0.1:<port> --token <token> (--http <name> | --tcp <port>) --to 127.0.0.1:<port>
//	    (stage 9 adds --keepalive-ms; stage 12 adds --tls <name> in place of --http/--tcp)
//
// Read stages/tunnel/01-registration.md in your syscraft checkout first.
// Build the tunnel on TCP sockets (package net): no HTTP or tunnelling library.
package main

import (
	"fmt"
	"os"
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

func main() {
	mode, args := "", []string{}
	if len(os.Args) > 1 {
		mode, args = os.Args[1], os.Args[2:]
	}

	// Anything you print shows up in the test output when a stage fails.
	switch mode {
	case "server":
		fmt.Printf("server: control port %s, HTTP port %s\n", arg(args, "control-port"), arg(args, "http-port"))
		// Listen on --control-port for tunnel clients and on --http-port for public HTTP.
	case "client":
		fmt.Fprintf(os.Stderr, "client: would connect to %s and forward to %s\n", arg(args, "server"), arg(args, "to"))
		// Connect to --server, register, then print "tunnel ready …" once the server accepted.
	default:
		fmt.Fprintln(os.Stderr, "usage: your_program.sh server … | client …")
		os.Exit(2)
	}
}
