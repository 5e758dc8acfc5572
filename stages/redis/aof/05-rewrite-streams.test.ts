import type { RedisCli } from "../../../challenges/redis/clients/redis.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { stage } from "../../../harness/stage/define.ts";
import { startRealRedis } from "../rdb/shared.ts";
import { AOF_DIR, aofArgs, kill9, manifestFiles, MANIFEST, startWith } from "./shared.ts";

const STREAMS =
  "A rewrite must keep every key, streams included, with their consumer groups and pending entries. If your base file format has no streams (an RDB writer without them), rebuild each stream after the base with commands, as Redis does when it writes the base as commands (aof-use-rdb-preamble no): XADD key <id> field value ... for each entry, XSETID key <last-id> ENTRIESADDED <n> MAXDELETEDID <id>, XGROUP CREATE key <group> <last-delivered-id> ENTRIESREAD <n>, and for each pending entry XCLAIM key <group> <consumer> 0 <id> TIME <delivery ms> RETRYCOUNT <deliveries> JUSTID FORCE — at the start of the new incremental file, before any later write.";

/** XPENDING's extended form with the idle times (which keep growing) masked. */
function maskIdle(out: string): string {
  return out.replace(/(3\) \(integer\) )\d+/g, "$1<idle>");
}

/** The entry IDs in a redis-cli reply, in order. */
function ids(out: string): string[] {
  return [...out.matchAll(/"(\d+-\d+)"/g)].map((m) => m[1]!);
}

interface Keys {
  stream: string;
  emptied: string;
  expiring: string;
}

/** What must read the same before and after: the entries and both groups' pending lists. */
async function snapshot(cli: RedisCli, k: Keys): Promise<Array<[string[], string]>> {
  const out: Array<[string[], string]> = [];
  for (const args of [["XRANGE", k.stream, "-", "+"], ["XPENDING", k.stream, "workers", "-", "+", "10"], ["XPENDING", k.stream, "late", "-", "+", "10"]]) {
    out.push([args, maskIdle(await cli.run(args))]);
  }
  return out;
}

async function expectSame(cli: RedisCli, before: Array<[string[], string]>, when: string, hint: string): Promise<void> {
  for (const [args, expected] of before) {
    await cli.expectThat(args, (got) => maskIdle(got) === expected, { expected, message: `${args.join(" ")} ${when} should read as it did before (idle times aside).`, hint });
  }
}

/** The emptied stream is still a stream whose last ID is kept; the expiring one keeps its time to live. */
async function expectSmallStreams(cli: RedisCli, k: Keys, emptiedId: string, hint: string): Promise<void> {
  await cli.steps([
    [["TYPE", k.emptied], "stream", `A stream whose entries were all deleted still exists (XDEL does not delete the key). ${hint}`],
    [["XLEN", k.emptied], "(integer) 0", hint],
    [["XADD", k.emptied, emptiedId, "f", "v"], "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item", `The emptied stream must keep its last ID (${emptiedId}), so XADD with that ID is still refused. ${hint}`],
    [["XLEN", k.expiring], "(integer) 1", hint],
  ]);
  await cli.expectThat(["TTL", k.expiring], (out) => /^\(integer\) (\d+)$/.test(out) && Number(out.slice(10)) > 900 && Number(out.slice(10)) <= 1000, {
    expected: "(integer) between 901 and 1000",
    message: `${k.expiring} had EXPIRE 1000 before the rewrite.`,
    hint: `A stream's time to live survives a rewrite too: after rebuilding the stream, write PEXPIREAT key <absolute ms>. ${hint}`,
  });
}

async function rewriteAndWait(t: CaseContext, cli: RedisCli): Promise<void> {
  const base = () => manifestFiles(t.dir).find(([, type]) => type === "b")?.[0];
  const before = base();
  await cli.expect(["BGREWRITEAOF"], "Background append only file rewriting started");
  const deadline = Date.now() + 5000;
  for (;;) {
    const info = await cli.run(["INFO", "persistence"]);
    if (info.includes("aof_rewrite_in_progress:0") && !info.includes("aof_rewrite_scheduled:1") && base() !== before) return;
    if (Date.now() > deadline) {
      t.fail({ message: `BGREWRITEAOF did not finish within 5 s: ${AOF_DIR}/${MANIFEST} still lists the base file ${before}.`, hint: "The rewrite writes a new base file and points the manifest at it." });
    }
    await Bun.sleep(20);
  }
}

export default stage(import.meta, [
  {
    name: "streams, their consumer groups and pending entries survive BGREWRITEAOF and a restart",
    async run(t) {
      const args = aofArgs(t.dir, "always");
      const first = await startWith(t, args, STREAMS);
      const k: Keys = { stream: t.rand.key("jobs"), emptied: t.rand.key("emptied"), expiring: t.rand.key("expiring") };
      const [alice, carol, dave] = t.rand.shuffle(["alice", "carol", "dave", "erin"]);
      // Entries with explicit, increasing IDs; one in the middle is deleted.
      let ms = t.rand.int(1000, 999_999);
      const entries: string[] = [];
      for (let i = 0; i < t.rand.int(5, 8); i++) {
        ms += t.rand.int(1, 1000);
        const id = `${ms}-${t.rand.int(0, 3)}`;
        const fields = t.rand.int(1, 2) === 1 ? ["job", t.rand.word()] : ["job", t.rand.word(), "by", t.rand.word()];
        await first.cli.expect(["XADD", k.stream, id, ...fields], `"${id}"`);
        entries.push(id);
      }
      const deleted = entries[entries.length - 2]!;
      await first.cli.steps([
        [["XDEL", k.stream, deleted], "(integer) 1"],
        [["XGROUP", "CREATE", k.stream, "workers", "0"], "OK"],
      ]);
      await first.cli.run(["XREADGROUP", "GROUP", "workers", alice!, "COUNT", "2", "STREAMS", k.stream, ">"]);
      // carol takes over the second one: delivered twice now.
      await first.cli.expectThat(["XCLAIM", k.stream, "workers", carol!, "0", entries[1]!], (out) => ids(out).join(" ") === entries[1], { expected: `the entry ${entries[1]}` });
      await first.cli.expect(["XGROUP", "CREATE", k.stream, "late", "$"], "OK");
      const emptiedId = `${t.rand.int(1, 999)}-${t.rand.int(1, 9)}`;
      await first.cli.steps([
        [["XADD", k.emptied, emptiedId, "f", "v"], `"${emptiedId}"`],
        [["XDEL", k.emptied, emptiedId], "(integer) 1"],
        [["XADD", k.expiring, "1-1", "f", "v"], '"1-1"'],
        [["EXPIRE", k.expiring, "1000"], "(integer) 1"],
      ]);

      await rewriteAndWait(t, first.cli);
      // Writes after the rewrite go after the rebuilt streams in the new incremental file.
      ms += t.rand.int(1, 1000);
      const later = `${ms}-0`;
      await first.cli.expect(["XADD", k.stream, later, "job", "after the rewrite"], `"${later}"`);
      const before = await snapshot(first.cli, k);
      await kill9(t, first.redis);

      const second = await startWith(t, args, `The program must start again on the rewritten AOF. ${STREAMS}`);
      await expectSame(second.cli, before, "after BGREWRITEAOF and a restart", STREAMS);
      await expectSmallStreams(second.cli, k, emptiedId, STREAMS);
      // Each group's last delivered ID survived: > gives only what it had not delivered yet.
      const undelivered = [...entries.slice(2).filter((id) => id !== deleted), later];
      const groupHint = `Each consumer group keeps its last delivered ID: XGROUP CREATE key <group> <last-delivered-id> when rebuilding it. ${STREAMS}`;
      await second.cli.expectThat(["XREADGROUP", "GROUP", "workers", alice!, "COUNT", "100", "STREAMS", k.stream, ">"], (out) => ids(out).join(" ") === undelivered.join(" "), {
        expected: `the entries after ${entries[1]}: ${undelivered.join(", ")}`,
        message: `The group "workers" had delivered ${entries[0]} and ${entries[1]} before the rewrite.`,
        hint: groupHint,
      });
      await second.cli.expectThat(["XREADGROUP", "GROUP", "late", dave!, "COUNT", "100", "STREAMS", k.stream, ">"], (out) => ids(out).join(" ") === later, {
        expected: `only ${later}, added after the rewrite`,
        message: `The group "late" was created at $ (the last entry) before the rewrite.`,
        hint: groupHint,
      });
      const after = await snapshot(second.cli, k);
      await kill9(t, second.redis);

      const real = await startRealRedis(t, ["--dir", t.dir, "--appendonly", "yes"]);
      const realHint = `redis-server must load the rewritten AOF directory and find the same streams. ${STREAMS}`;
      await expectSame(real.cli, after, "on redis-server started on the rewritten directory", realHint);
      await expectSmallStreams(real.cli, k, emptiedId, realHint);
    },
  },
]);
