// Your distributed system node. Stage 1 (stages/distributed/01-echo.md) starts here:
// read one JSON message per line on stdin; answer init with init_ok and echo with
// echo_ok, each as one line of JSON on stdout, in_reply_to the request's msg_id.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 1<<24)
	for scanner.Scan() {
		var message struct {
			Body struct {
				Type string `json:"type"`
			} `json:"body"`
		}
		if err := json.Unmarshal(scanner.Bytes(), &message); err != nil {
			fmt.Fprintf(os.Stderr, "not JSON: %s\n", scanner.Text())
			continue
		}
		fmt.Fprintf(os.Stderr, "got %s: not answering yet (see stage 1)\n", message.Body.Type)
	}
}
