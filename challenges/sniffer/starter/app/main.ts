// Your packet sniffer. Stage 1 (stages/sniffer/01-open-a-capture.md) starts here:
// open socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)) through bun:ffi, bind it to
// the interface named by -i, and print one line per frame.
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { i: { type: "string" }, n: { type: "boolean" }, e: { type: "boolean" }, l: { type: "boolean" }, c: { type: "string" } },
  strict: true,
});
console.error(`listening on ${values.i} (not yet: see stage 1)`);
process.exit(1);
