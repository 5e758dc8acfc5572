// Your Git. syscraft runs it like git:  ./your_program.sh <command> <arguments…>
// in a test repository. Read stages/git/01-init.md in your syscraft checkout first.
package main

import (
	"fmt"
	"os"
	"strings"
)

func main() {
	command, args := "", []string{}
	if len(os.Args) > 1 {
		command, args = os.Args[1], os.Args[2:]
	}

	switch command {
	case "init":
		// Stage 1: make .git with HEAD, objects/ and refs/ — then print what git prints.
		if err := os.MkdirAll(".git/objects", 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := os.WriteFile(".git/HEAD", []byte("ref: refs/heads/master\n"), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println("TODO: refs/heads and refs/tags, and the message git prints")
	default:
		// Anything you print to stderr shows up in the test output when a stage fails.
		fmt.Fprintf(os.Stderr, "unknown command: %s %s\n", command, strings.Join(args, " "))
		os.Exit(1)
	}
}
