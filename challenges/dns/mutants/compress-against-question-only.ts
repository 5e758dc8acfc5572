// stage: 4
// Reading: "owner names point at the question": only names already in the question section are pointed at.
import { runMain } from "../../../solutions/dns/main.ts";
import { encodeMessage } from "../../../solutions/dns/message.ts";
import { Writer, type Name } from "../../../solutions/dns/wire.ts";

class QuestionOnly extends Writer {
  private names = 0;
  protected override key(labels: Name): string {
    // Offsets are remembered for the first name written (the question's) only.
    return this.names <= 1 ? labels.join(".").toLowerCase() : `#${this.names}:${labels.join(".").toLowerCase()}`;
  }
  override name(name: Name, compressible = true): void {
    this.names++;
    super.name(name, compressible);
  }
}
await runMain(Bun.argv.slice(2), { steps: { encode: (m) => encodeMessage(m, true, new QuestionOnly()) } });
