// stage: 4
// Reading: "a length byte starts with 01 or 10": only 10 (0x80) is checked; 01 (0x40) is read as a length.
import { runMain } from "../../../solutions/dns/main.ts";
import { decodeMessage } from "../../../solutions/dns/message.ts";
import { Reader } from "../../../solutions/dns/wire.ts";

class Half extends Reader {
  protected override labelTypeKnown(lengthByte: number): boolean {
    return (lengthByte & 0xc0) === 0x40;
  }
}
await runMain(Bun.argv.slice(2), { steps: { decode: (bytes) => decodeMessage(bytes, new Half(bytes)) } });
