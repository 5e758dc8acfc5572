# Your Git. syscraft runs it like git:  ./your_program.sh <command> <arguments…>
# in a test repository. Read stages/git/01-init.md in your syscraft checkout first.
import os
import sys

command, args = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else (None, [])

if command == "init":
    # Stage 1: make .git with HEAD, objects/ and refs/ — then print what git prints.
    os.makedirs(".git/objects", exist_ok=True)
    with open(".git/HEAD", "w") as f:
        f.write("ref: refs/heads/master\n")
    print("TODO: refs/heads and refs/tags, and the message git prints")
else:
    # Anything you print to stderr shows up in the test output when a stage fails.
    print(f"unknown command: {command} {' '.join(args)}", file=sys.stderr)
    sys.exit(1)
