// stage: 1
// Reading: "the reply's header is the query's with QR set": every flag bit of the query is kept (RD, but also TC, RA, Z).
import { runMain } from "../../../solutions/dns/main.ts";
import { decodeMessage, encodeMessage } from "../../../solutions/dns/message.ts";

let flags = 0;
await runMain(Bun.argv.slice(2), {
  steps: {
    decode: (bytes) => {
      flags = (bytes[2]! << 8) | bytes[3]!;
      return decodeMessage(bytes);
    },
    encode: (m) => {
      const out = encodeMessage(m);
      out[2] = out[2]! | ((flags >> 8) & 0x03); // TC and RD
      out[3] = out[3]! | (flags & 0xf0); // RA and Z
      return out;
    },
  },
});
