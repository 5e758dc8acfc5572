// stage: 7
// Reading: "FORMERR with the query's ID": the reply keeps the query's QDCOUNT, with no question after the header.
import { runMain } from "../../../solutions/dns/main.ts";
import { decodeMessage, encodeMessage, RCODE } from "../../../solutions/dns/message.ts";

let qdcount = 0;
await runMain(Bun.argv.slice(2), {
  steps: {
    decode: (bytes) => {
      qdcount = bytes.length >= 6 ? (bytes[4]! << 8) | bytes[5]! : 0;
      return decodeMessage(bytes);
    },
    encode: (m) => {
      const out = encodeMessage(m);
      if (m.header.rcode === RCODE.FORMERR) out.set([qdcount >> 8, qdcount & 0xff], 4);
      return out;
    },
  },
});
