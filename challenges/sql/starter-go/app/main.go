// Your SQLite. syscraft runs it like sqlite3:  ./your_program.sh <file.db> "<SQL or dot-command>"
// Read stages/sql/01-dbinfo.md in your syscraft checkout first.
package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: your_program.sh <file.db> <SQL or dot-command>")
		os.Exit(1)
	}
	file, command := os.Args[1], os.Args[2]

	// The first 100 bytes of the file are the database header.
	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	header := make([]byte, 100)
	if _, err := io.ReadFull(f, header); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}

	switch command {
	case ".dbinfo":
		// Stage 1: the page size is the 2-byte big-endian number at offset 16.
		pageSize := binary.BigEndian.Uint16(header[16:18])
		fmt.Printf("%-20s %d\n", "database page size:", pageSize)
		fmt.Println("TODO: number of tables:")
	default:
		// Anything you print to stderr shows up in the test output when a stage fails.
		fmt.Fprintf(os.Stderr, "not supported yet: %s\n", command)
		os.Exit(1)
	}
}
