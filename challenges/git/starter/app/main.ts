// Your Git. syscraft runs it like git:  ./your_program.sh <command> <arguments…>
// in a test repository. Read stages/git/01-init.md in your syscraft checkout first.
import { mkdirSync, writeFileSync } from "node:fs";

const [command, ...args] = Bun.argv.slice(2);

switch (command) {
  case "init":
    // Stage 1: make .git with HEAD, objects/ and refs/ — then print what git prints.
    mkdirSync(".git/objects", { recursive: true });
    writeFileSync(".git/HEAD", "ref: refs/heads/master\n");
    console.log("TODO: refs/heads and refs/tags, and the message git prints");
    break;
  default:
    // Anything you print to stderr shows up in the test output when a stage fails.
    console.error(`unknown command: ${command} ${args.join(" ")}`);
    process.exit(1);
}
