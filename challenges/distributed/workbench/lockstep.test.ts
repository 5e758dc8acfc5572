import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadChallenge } from "../../../harness/challenge/load.ts";
import { findStage } from "../../../harness/challenge/stages.ts";
import { makeTempDir, removeTempDir } from "../../../harness/process/tempdir.ts";
import { Random } from "../../../harness/random.ts";
import { selfTests } from "../../../harness/self-test.ts";
import { CaseContext } from "../../../harness/stage/context.ts";
import { Network } from "./network.ts";

/**
 * A node that, on "go", writes its own key in lin-kv, then reads its partner's (n1: x
 * then y, n2: y then x), one request at a time, and answers what it read; n2 first
 * waits for the test's "release" (a node slowed by the machine's load, for as long as
 * the test says). n3 answers "go" at once, asking no service.
 */
const NODE = `
let id = "";
let release;
const released = new Promise((resolve) => (release = resolve));
let next = 1;
const pending = new Map();
const out = (dest, body) => process.stdout.write(JSON.stringify({ src: id, dest, body }) + "\\n");
const ask = (body) => new Promise((resolve) => { const msg_id = next++; pending.set(msg_id, resolve); out("lin-kv", { ...body, msg_id }); });
for await (const line of console) {
  const m = JSON.parse(line);
  const b = m.body;
  if (b.in_reply_to !== undefined && pending.has(b.in_reply_to)) { pending.get(b.in_reply_to)(b); pending.delete(b.in_reply_to); continue; }
  if (b.type === "init") { id = b.node_id; out(m.src, { type: "init_ok", in_reply_to: b.msg_id }); continue; }
  if (b.type === "release") { release(); continue; }
  if (b.type === "go") {
    void (async () => {
      if (id === "n3") return out(m.src, { type: "go_ok", in_reply_to: b.msg_id, read: null });
      if (id === "n2") await released;
      const [mine, theirs] = id === "n1" ? ["x", "y"] : ["y", "x"];
      await ask({ type: "write", key: mine, value: id });
      const r = await ask({ type: "read", key: theirs });
      out(m.src, { type: "go_ok", in_reply_to: b.msg_id, read: r.type === "read_ok" ? r.value : null });
    })();
  }
}
`;

/** Runs `fn` with a network of three such nodes, then stops them. */
async function withNodes(fn: (net: Network) => Promise<void>): Promise<void> {
  const dir = makeTempDir("lockstep-test");
  const program = join(dir, "node.js");
  writeFileSync(program, NODE);
  const challenge = loadChallenge("distributed");
  const t = new CaseContext(challenge, findStage(challenge, "9")!, "lockstep", { command: `bun ${program}`, base: dir, source: "flag or SYSCRAFT_IMPL" }, new Random("1", "lockstep"), false);
  try {
    const net = new Network(t);
    await net.boot(3);
    await fn(net);
  } finally {
    await t.cleanup();
    removeTempDir(dir);
  }
}

const go = (net: Network, client: string, node: string) => net.rpc(client, node, { type: "go" }).then((r) => r.body.read);
/** Lets n2 go on (a message it does not answer). */
const release = (net: Network) => net.nodes.get("n2")!.write({ src: "c10", dest: "n2", body: { type: "release" } });

selfTests("distributed workbench: lockstep", () => {
  test("without lockstep, a node held back until the other has answered: n1 reads nothing of n2's write", async () => {
    await withNodes(async (net) => {
      const second = go(net, "c8", "n2");
      const r1 = await go(net, "c7", "n1");
      release(net);
      const r2 = await second;
      expect(r1).toBeNull();
      expect(r2).toBe("n1");
    });
  }, 20000);

  test("with lockstep, the same two nodes go in rounds (both writes, then both reads): each reads the other's write, n2 held back until n1's write is in", async () => {
    await withNodes(async (net) => {
      const [r1, r2] = await net.lockstep(["n1", "n2"], async (finished) => {
        const both = Promise.all([go(net, "c7", "n1").then((r) => (finished("n1"), r)), go(net, "c8", "n2").then((r) => (finished("n2"), r))]);
        // n1's write has reached the network (and is held): only now may n2 go on.
        for (let i = 0; i < 200 && net.serviceRequests === 0; i++) await Bun.sleep(10);
        expect(net.serviceRequests).toBe(1);
        release(net);
        return both;
      });
      expect(r1).toBe("n2");
      expect(r2).toBe("n1");
    });
  }, 20000);

  test("with lockstep, a node that asks no service is not waited for once it has answered", async () => {
    await withNodes(async (net) => {
      const [r1, r3] = await net.lockstep(["n1", "n3"], (finished) => Promise.all([go(net, "c7", "n1").then((r) => (finished("n1"), r)), go(net, "c9", "n3").then((r) => (finished("n3"), r))]));
      expect(r1).toBeNull();
      expect(r3).toBeNull();
    });
  }, 20000);
});
