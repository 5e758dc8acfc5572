import { HttpConnection, header } from "../../../harness/clients/http.ts";
import { HttpUpstream, requestFor, startProxy, viaProxy } from "../../../challenges/http/clients/http-upstream.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";
import { stage } from "../../../harness/stage/define.ts";

const ROUND_ROBIN = "`upstream <name> round-robin <addr> …`: each new request goes to the next address in turn, so N·k requests give each of N addresses k of them.";
const LEAST_CONN = "`upstream <name> least-conn <addr> …`: send each request to the address with the fewest requests in flight through the proxy right now (break ties in turn). A slow upstream keeps its requests in flight longer, so it gets fewer new ones.";
const HASH = "`upstream <name> hash header:<Name> <addr> …` (or `hash ip`): consistent hashing (Karger et al.): put many points per address (e.g. 100–200 hashes of \"<address>-<i>\") on a ring of 32-bit hashes; a request goes to the address owning the first point at or after the hash of its key. The same key always goes to the same address, and adding an address moves only the keys that land on its new points, about 1/(n+1) of them, all to the new address. Hashing modulo the number of addresses moves most keys.";

async function counts(t: CaseContext, proxy: Program, ups: HttpUpstream[], n: number): Promise<Map<string, number>> {
  for (let i = 1; i <= n; i++) await viaProxy(t, proxy, requestFor("GET", `/rr/${i}`, "app.test"), { message: `No response to request ${i} within 3 s.`, hint: ROUND_ROBIN });
  return new Map(ups.map((u) => [u.name, u.served.length]));
}

/** Which upstream each key's request went to (X-Upstream), on one keep-alive connection, quietly. */
async function assign(t: CaseContext, proxy: Program, keys: string[], label: string): Promise<Map<string, string>> {
  const conn = await HttpConnection.open(t, proxy, label, { quiet: true });
  const out = new Map<string, string>();
  t.log.output(`(${label}: ${keys.length} requests GET /k with X-User: ${keys[0]} … ${keys[keys.length - 1]} on one connection; bytes not shown)`);
  for (const key of keys) {
    await conn.send(requestFor("GET", "/k", "app.test", [["X-User", key]]));
    const res = await conn.response({ message: `${label}: no response for X-User: ${key} within 3 s.`, hint: HASH });
    out.set(key, header(res, "x-upstream") ?? `(status ${res.status})`);
  }
  conn.close();
  return out;
}

function tally(m: Map<string, string>): string {
  const c = new Map<string, number>();
  for (const v of m.values()) c.set(v, (c.get(v) ?? 0) + 1);
  return [...c.entries()].sort().map(([k, v]) => `${k}: ${v}`).join(", ");
}

const KEYS = 200;

export default stage(import.meta, [
  {
    name: "round-robin spreads 30 requests evenly over 3 upstreams",
    async run(t) {
      const ups = await Promise.all(["a", "b", "c"].map((n) => HttpUpstream.start(t, n)));
      const proxy = await startProxy(t, [`upstream pool round-robin ${ups.map((u) => u.address).join(" ")}`, "route * / pool"]);
      const got = await counts(t, proxy, ups, 30);
      const shown = [...got.entries()].map(([k, v]) => `${k}: ${v}`).join(", ");
      const even = [...got.values()].every((v) => v >= 9 && v <= 11);
      t.expectEqual(even ? "a: 10, b: 10, c: 10 (±1)" : shown, "a: 10, b: 10, c: 10 (±1)", { message: "30 requests one after another through a round-robin pool of 3 should give each upstream about 10.", hint: ROUND_ROBIN });
    },
  },
  {
    name: "least-connections sends fewer requests to a slow upstream",
    async run(t) {
      const slow = await HttpUpstream.start(t, "slow", { handler: () => ({ headers: [["X-Upstream", "slow"]], body: "slow\n", delayMs: 1500 }) });
      const fast = await HttpUpstream.start(t, "fast");
      const proxy = await startProxy(t, [`upstream pool least-conn ${slow.address} ${fast.address}`, "route * / pool"]);
      t.log.output("(upstream slow answers after 1.5 s, fast at once; the test sends 10 requests 50 ms apart, each on its own connection, without waiting for answers)");
      const pending = [];
      for (let i = 1; i <= 10; i++) {
        pending.push(viaProxy(t, proxy, requestFor("GET", `/lc/${i}`, "app.test"), { message: `No response to request ${i} within 4 s.`, hint: LEAST_CONN }, 4000));
        await Bun.sleep(50);
      }
      await Promise.all(pending);
      const shown = `slow: ${slow.served.length}, fast: ${fast.served.length}`;
      t.log.output(`(${shown})`);
      if (slow.served.length > 3) t.fail({ message: "The slow upstream got as many requests as round-robin would give it, though it had one in flight all along.", expected: "slow: at most 3 of 10", received: shown, hint: LEAST_CONN });
      if (slow.served.length + fast.served.length !== 10) t.fail({ message: "Not every request reached an upstream.", expected: "10 requests in all", received: shown, hint: LEAST_CONN });
    },
  },
  {
    name: `consistent hashing: a key sticks to its upstream, and adding a fifth moves about 1/5 of ${KEYS} keys, all to it`,
    async run(t) {
      const ups = await Promise.all(["u1", "u2", "u3", "u4", "u5"].map((n) => HttpUpstream.start(t, n)));
      for (const u of ups) u.quiet = true;
      const four = ups.slice(0, 4).map((u) => u.address).join(" ");
      const keys = Array.from({ length: KEYS }, (_, i) => `user-${t.rand.int(0, 1e9)}-${i}`);
      const proxy4 = await startProxy(t, [`upstream pool hash header:X-User ${four}`, "route * / pool"], "proxy-4.conf");
      const before = await assign(t, proxy4, keys, "4 upstreams");
      t.log.output(`(4 upstreams: ${tally(before)})`);
      // In the reverse order: a balancer that ignores the key and takes turns would give the same order the same picks.
      const repeated = keys.slice(0, 40).reverse();
      const again = await assign(t, proxy4, repeated, "the first 40 keys again, in reverse order");
      const changed = repeated.filter((k) => again.get(k) !== before.get(k));
      if (changed.length > 0) t.fail({ message: `${changed.length} of 40 keys went to a different upstream the second time.`, expected: `X-User: ${changed[0]} -> ${before.get(changed[0]!)}`, received: `X-User: ${changed[0]} -> ${again.get(changed[0]!)}`, hint: HASH });
      const restarted = await startProxy(t, [`upstream pool hash header:X-User ${four}`, "route * / pool"], "proxy-4-again.conf");
      const afterRestart = await assign(t, restarted, keys.slice(0, 40), "the first 40 keys through a second proxy started with the same config");
      const drifted = keys.slice(0, 40).filter((k) => afterRestart.get(k) !== before.get(k));
      if (drifted.length > 0) t.fail({ message: `A second proxy started with the same config sent ${drifted.length} of 40 keys to a different upstream: the mapping must depend only on the key and the addresses (no random seed, nothing that changes from one start to the next), so the same config gives the same assignments after a restart.`, expected: `X-User: ${drifted[0]} -> ${before.get(drifted[0]!)}`, received: `X-User: ${drifted[0]} -> ${afterRestart.get(drifted[0]!)}`, hint: HASH });
      for (const u of ups.slice(0, 4)) {
        const share = [...before.values()].filter((v) => v === u.name).length;
        if (share < KEYS * 0.1) t.fail({ message: `Upstream ${u.name} got ${share} of ${KEYS} keys: the ring spreads keys badly (use many points per address).`, expected: `each of 4 upstreams: at least ${KEYS * 0.1} keys (about ${KEYS / 4})`, received: tally(before), hint: HASH });
      }
      const proxy5 = await startProxy(t, [`upstream pool hash header:X-User ${four} ${ups[4]!.address}`, "route * / pool"], "proxy-5.conf");
      const after = await assign(t, proxy5, keys, "5 upstreams (u5 added)");
      t.log.output(`(5 upstreams: ${tally(after)})`);
      const moved = keys.filter((k) => after.get(k) !== before.get(k));
      const elsewhere = moved.filter((k) => after.get(k) !== "u5");
      const fraction = moved.length / KEYS;
      t.log.output(`(moved: ${moved.length} of ${KEYS} = ${(fraction * 100).toFixed(1)}%; theory: 1/5 = 20%)`);
      if (elsewhere.length > 0) t.fail({ message: `Adding u5 moved ${elsewhere.length} keys between the old upstreams: with consistent hashing a key only ever moves to the new address.`, expected: `X-User: ${elsewhere[0]} -> ${before.get(elsewhere[0]!)} (or u5)`, received: `X-User: ${elsewhere[0]} -> ${after.get(elsewhere[0]!)}`, hint: HASH });
      if (fraction > 0.35 || fraction < 0.07) t.fail({ message: `Adding a fifth upstream moved ${moved.length} of ${KEYS} keys (${(fraction * 100).toFixed(0)}%); consistent hashing moves about 1/5 (20%).`, expected: "between 7% and 35% of keys moved", received: `${(fraction * 100).toFixed(1)}% moved (before: ${tally(before)}; after: ${tally(after)})`, hint: HASH });
    },
  },
]);
