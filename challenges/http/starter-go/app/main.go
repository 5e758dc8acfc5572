// Your HTTP server. syscraft starts it as:  ./your_program.sh --port <port> --directory <dir>
// Read stages/http/01-status-line.md in your syscraft checkout first.
// Build HTTP yourself on TCP sockets: not net/http, a framework or another HTTP library.
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

var _ = net.Listen // the net package is what stage 1 uses

func main() {
	args := os.Args[1:]
	port, err := strconv.Atoi(arg(args, "port"))
	if err != nil {
		port = 4221
	}
	directory := arg(args, "directory")
	if directory == "" {
		directory = "."
	}

	// Anything you print shows up in the test output when a stage fails.
	fmt.Printf("Logs from your program will appear here (port %d, directory %s).\n", port, directory)

	// Uncomment the code below to accept TCP connections; stage 1 asks you to answer each request.
	//
	// listener, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	// if err != nil {
	// 	fmt.Fprintln(os.Stderr, err)
	// 	os.Exit(1)
	// }
	// for {
	// 	conn, err := listener.Accept()
	// 	if err != nil {
	// 		continue
	// 	}
	// 	request := make([]byte, 65536)
	// 	n, _ := conn.Read(request)
	// 	// … read the request in request[:n], then write a response (RFC 9112 §2.1) …
	// 	_ = n
	// 	conn.Write([]byte("HTTP/1.1 200 OK\r\n…"))
	// }
}
