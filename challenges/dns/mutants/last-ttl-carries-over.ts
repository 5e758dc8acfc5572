// stage: 2
// Reading (RFC 1035's old rule): a record without a TTL gets the last TTL given on a line, $TTL only before any.
import { runMain } from "../../../solutions/dns/main.ts";

await runMain(Bun.argv.slice(2), {
  zoneText: (text) => {
    let last: string | undefined;
    let open = 0;
    return text
      .split("\n")
      .map((line) => {
        const continued = open > 0;
        open += (line.match(/\(/g) ?? []).length - (line.match(/\)/g) ?? []).length;
        if (continued || line.startsWith("$") || line.startsWith(";") || line.trim() === "") return line;
        const fields = line.split("\t");
        const rest = fields.slice(1, 3);
        const ttl = rest.find((f) => /^\d+$/.test(f));
        if (ttl) last = ttl;
        else if (last !== undefined) fields.splice(1, 0, last);
        return fields.join("\t");
      })
      .join("\n");
  },
});
