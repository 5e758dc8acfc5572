import type { CaseContext } from "../../../harness/stage/context.ts";
import { show, type Message } from "./message.ts";

/** Fails unless `reply` (already matched to its request by in_reply_to) has the type the workload says. */
export function checkReply(t: CaseContext, reply: Message, want: { node: string; client: string; type: string; hint: string }): void {
  if (reply.body.type === "error") {
    t.fail({ message: `${want.node} answered with an error instead of ${want.type}.`, expected: want.type, received: show(reply), hint: want.hint });
  }
  if (reply.body.type !== want.type) t.fail({ message: `${want.node}'s reply has the wrong type.`, expected: want.type, received: show(reply), hint: want.hint });
}
