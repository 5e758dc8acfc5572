// stage: 2
// Reading (RFC 1035's old rule): a record without a TTL gets the last TTL given on a line, $TTL only before any.
import { mapRecordLines } from "../../../harness/fixtures/dns/zone-lines.ts";
import { runMain } from "../../../solutions/dns/main.ts";

let last: string | undefined;
await runMain(Bun.argv.slice(2), {
  zoneText: (text) =>
    mapRecordLines(text, (line) => {
      if (line.startsWith("$") || line.startsWith(";") || line.trim() === "") return line;
      const fields = line.split("\t");
      const ttl = fields.slice(1, 3).find((f) => /^\d+$/.test(f));
      if (ttl) last = ttl;
      else if (last !== undefined) fields.splice(1, 0, last);
      return fields.join("\t");
    }),
});
