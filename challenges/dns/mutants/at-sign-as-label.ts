// stage: 2
// Reading: "@" is an owner like any other: it becomes the label "@" under the origin, not the origin itself.
import { runMain } from "../../../solutions/dns/main.ts";

await runMain(Bun.argv.slice(2), { zoneText: (text) => text.replace(/^@(?=[ \t])/gm, "\\@") });
