// Your Redis server. syscraft starts it as:  ./your_program.sh --port <port>
// Read stages/redis/01-bind-to-port.md in your syscraft checkout first.
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// parsePort returns the port after `--port` (or in `--port=N`); 6379 when none is given.
func parsePort(args []string) int {
	value := ""
	for i, arg := range args {
		if arg == "--port" && i+1 < len(args) {
			value = args[i+1]
		} else if strings.HasPrefix(arg, "--port=") {
			value = strings.TrimPrefix(arg, "--port=")
		}
	}
	if value == "" {
		return 6379
	}
	port, err := strconv.Atoi(value)
	if err != nil || port < 1 || port > 65535 {
		fmt.Fprintf(os.Stderr, "invalid --port: %s\n", value)
		os.Exit(2)
	}
	return port
}

var _ = net.Listen // the net package is what stage 1 uses

func main() {
	port := parsePort(os.Args[1:])

	// Anything you print shows up in the test output when a stage fails.
	fmt.Printf("Logs from your program will appear here (port %d).\n", port)

	listening := false

	// Uncomment the code below to pass stage 1.
	//
	// listener, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	// if err != nil {
	// 	fmt.Fprintln(os.Stderr, err)
	// 	os.Exit(1)
	// }
	// listening = true
	// fmt.Printf("Listening on 127.0.0.1:%d\n", port)
	// for {
	// 	conn, err := listener.Accept() // A client connected.
	// 	if err != nil {
	// 		continue
	// 	}
	// 	// conn.Read(buf) reads the bytes this client sent (stage 2 on);
	// 	// reply with conn.Write(...). Serve each client in its own
	// 	// goroutine (go handle(conn)) to serve several at once (stage 4).
	// 	_ = conn
	// }

	if !listening {
		fmt.Fprintln(os.Stderr, "Not listening yet: uncomment the net.Listen code in app/main.go to pass stage 1.")
		os.Exit(1)
	}
}
