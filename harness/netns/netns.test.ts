/**
 * The namespaced-network helpers: each topology builds and carries traffic,
 * parallel builders never collide, and nothing is left behind after a case
 * that passed, failed or timed out, nor after a run that was killed (the next
 * run sweeps it).
 */
import { expect, test } from "bun:test";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadChallenge } from "../challenge/load.ts";
import { parseChallenge } from "../challenge/load.ts";
import { StageFailure } from "../report/failure.ts";
import { selfTests } from "../self-test.ts";
import { runCase } from "../stage/run-case.ts";
import type { StageCase, StageDefinition } from "../stage/types.ts";
import { backgroundIn, echoServerIn, relayIn, useNetwork } from "./case.ts";
import { arp, ethernet, ETHERTYPE } from "./frames.ts";
import { inNs } from "./ip.ts";
import { harnessNamespaces, sweepDeadOwners } from "./lease.ts";
import { WireListener } from "./listen.ts";
import { requireNeeds, unmet } from "./needs.ts";
import { sendFrames } from "./send.ts";
import { behindNat, routedChain, twoHosts, type Topology } from "./topology.ts";

const ours = () => harnessNamespaces().filter((n) => n.pid === process.pid);
/** This process's slot locks (under `bun test --parallel`, other workers hold slots of their own at the same time). */
const leaseLocks = () => {
  const root = join(tmpdir(), "syscraft-netns");
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((l) => {
    try {
      return readFileSync(join(root, l, "pid"), "utf8") === String(process.pid);
    } catch {
      return false;
    }
  });
};

function ping(topo: Topology, from: string, to: string): string {
  const r = Bun.spawnSync(inNs(topo.node(from).ns, ["ping", "-c", "1", "-W", "2", to]), { stdout: "pipe", stderr: "pipe" });
  return r.stdout.toString() + r.stderr.toString();
}

/** A case of a made-up stage, run by the real case runner (time limit `timeout` s). */
async function runOne(run: StageCase["run"], timeout = 5) {
  const challenge = loadChallenge("dns");
  const c: StageCase = { name: "netns self-test", timeout, run };
  const def: StageDefinition = { challenge, stage: challenge.stages[0]!, cases: [c], file: import.meta.path };
  return runCase(def, c, { command: "true", base: process.cwd(), source: "flag or SYSCRAFT_IMPL" });
}

selfTests("network namespaces for tests (harness/netns)", () => {
  test("two hosts on a veth pair reach each other, and an ARP frame crafted on one side arrives intact on the other", () => {
    const topo = twoHosts();
    try {
      const [a, b] = [topo.node("a"), topo.node("b")];
      expect(ping(topo, "a", b.ifaces[0]!.ip)).toContain("1 received");
      const listener = new WireListener(a.ns, "veth-a");
      try {
        const frame = ethernet("ff:ff:ff:ff:ff:ff", b.ifaces[0]!.mac, ETHERTYPE.arp, arp({ op: "request", senderMac: b.ifaces[0]!.mac, senderIp: "192.0.2.7", targetMac: "00:00:00:00:00:00", targetIp: "192.0.2.9" }));
        sendFrames(b.ns, "veth-b", [frame]);
        let got: Buffer | undefined;
        while ((got = listener.next(1000)) && got.readUInt16BE(12) !== ETHERTYPE.arp);
        expect(got?.toString("hex")).toBe(frame.toString("hex"));
      } finally {
        listener.close();
      }
    } finally {
      topo.teardown();
    }
    expect(ours()).toEqual([]);
  });

  test("a routed chain h1 – r1 – r2 – h2 forwards end to end (TTL 64 arrives as 62)", () => {
    const topo = routedChain();
    try {
      expect(ping(topo, "h1", topo.node("h2").ifaces[0]!.ip)).toContain("ttl=62");
    } finally {
      topo.teardown();
    }
  });

  test("a host behind a NAT router reaches the outside, which has no route back but through the NAT", () => {
    const topo = behindNat();
    try {
      expect(ping(topo, "in", topo.node("out").ifaces[0]!.ip)).toContain("1 received");
      const r = Bun.spawnSync(inNs(topo.node("nat").ns, ["iptables", "-t", "nat", "-S", "POSTROUTING"]), { stdout: "pipe" });
      expect(r.stdout.toString()).toContain("MASQUERADE");
    } finally {
      topo.teardown();
    }
  });

  test("topologies built at the same time by separate processes get distinct names and subnets, and all work", async () => {
    const script = `import { twoHosts } from ${JSON.stringify(join(import.meta.dir, "topology.ts"))};
const t = twoHosts(); const b = t.node("b").ifaces[0].ip;
const r = Bun.spawnSync(["ip", "netns", "exec", t.node("a").ns, "ping", "-c", "1", "-W", "2", b]);
console.log(JSON.stringify({ ns: t.namespaces, subnet: b.split(".").slice(0, 3).join("."), ok: r.exitCode === 0 }));
t.teardown();`;
    const runs = await Promise.all(
      [1, 2, 3, 4].map(async () => {
        const p = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
        const [out, err] = [await new Response(p.stdout).text(), await new Response(p.stderr).text()];
        await p.exited;
        if (p.exitCode !== 0) throw new Error(err);
        return JSON.parse(out) as { ns: string[]; subnet: string; ok: boolean };
      }),
    );
    expect(runs.every((r) => r.ok)).toBe(true);
    expect(new Set(runs.flatMap((r) => r.ns)).size).toBe(8);
    expect(new Set(runs.map((r) => r.subnet)).size).toBe(4);
  }, 30000);

  test("UDP and TCP echo servers answer from inside a namespace", async () => {
    const r = await runOne(async (t) => {
      const topo = useNetwork(t, twoHosts);
      const a = topo.node("a").ifaces[0]!.ip;
      await echoServerIn(t, topo.node("a").ns, "udp", 7007);
      await echoServerIn(t, topo.node("a").ns, "tcp", 7008);
      const udp = Bun.spawnSync(inNs(topo.node("b").ns, ["nc", "-u", "-w", "1", a, "7007"]), { stdin: Buffer.from("ping-udp\n"), stdout: "pipe" });
      const tcp = Bun.spawnSync(inNs(topo.node("b").ns, ["nc", "-N", "-w", "2", a, "7008"]), { stdin: Buffer.from("ping-tcp\n"), stdout: "pipe" });
      t.expectEqual(udp.stdout.toString() + tcp.stdout.toString(), "ping-udp\nping-tcp\n", { message: "echo" });
    });
    expect(r.message).toBe("");
    expect(r.ok).toBe(true);
  }, 20000);

  test("the UDP relay delays, drops, duplicates and swaps the datagrams its plan names, and nothing else", async () => {
    let received = "";
    const r = await runOne(async (t) => {
      const topo = useNetwork(t, twoHosts);
      const [a, b] = [topo.node("a"), topo.node("b")];
      await echoServerIn(t, a.ns, "udp", 7007);
      await relayIn(t, b.ns, { listen: `${b.ifaces[0]!.ip}:9000`, target: `${a.ifaces[0]!.ip}:7007`, delayMs: 40, drop: [2], duplicate: [3], swap: [4] });
      const client = `const got = []; const t0 = Date.now();
const s = await Bun.udpSocket({ socket: { data: (_s, d) => got.push(d.toString() + "@" + (Date.now() - t0)) } });
for (let i = 1; i <= 6; i++) { s.send("d" + i, 9000, ${JSON.stringify(b.ifaces[0]!.ip)}); await Bun.sleep(30); }
await Bun.sleep(300); console.log(got.join(" ")); process.exit(0);`;
      const out = await t.client("iproute2", inNs(b.ns, [process.execPath, "-e", client]), { timeoutMs: 5000 });
      received = out.stdout.trim();
    }, 10);
    expect(r.message).toBe("");
    // d2 dropped, d3 twice, d4 after d5; each reply at least two delays (80 ms) after its request went out.
    expect(received.split(" ").map((x) => x.split("@")[0])).toEqual(["d1", "d3", "d3", "d5", "d4", "d6"]);
    expect(Number(received.split(" ")[0]!.split("@")[1])).toBeGreaterThanOrEqual(80);
  }, 20000);

  for (const [outcome, run, timeout] of [
    ["passed", async () => {}, 5],
    ["failed", async () => { throw new StageFailure({ message: "deliberate failure" }); }, 5],
    ["timed out", () => new Promise<void>(() => {}), 1],
  ] as const) {
    test(`nothing is left after a case that ${outcome}: no namespace, no lease, no process inside`, async () => {
      const before = leaseLocks();
      let made: string[] = [];
      let sleeper = 0;
      const r = await runOne(async (t) => {
        const topo = useNetwork(t, routedChain);
        made = topo.namespaces;
        sleeper = backgroundIn(t, topo.node("h1").ns, "coreutils", ["sleep", "60"]).process.pid;
        await run();
      }, timeout);
      expect(r.ok).toBe(outcome === "passed");
      expect(made.length).toBe(4);
      expect(ours()).toEqual([]);
      expect(made.filter((ns) => existsSync(`/run/netns/${ns}`))).toEqual([]);
      expect(leaseLocks().filter((l) => !before.includes(l))).toEqual([]);
      const state = existsSync(`/proc/${sleeper}/stat`) ? readFileSync(`/proc/${sleeper}/stat`, "utf8").split(") ")[1]?.[0] : "gone";
      expect(state === "gone" || state === "Z").toBe(true);
    }, 20000);
  }

  test("a run killed outright leaves namespaces that the next run sweeps (their owner is dead)", async () => {
    const script = `import { twoHosts } from ${JSON.stringify(join(import.meta.dir, "topology.ts"))};
const t = twoHosts(); console.log(JSON.stringify(t.namespaces)); await Bun.sleep(60000);`;
    const p = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe" });
    const reader = p.stdout.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const left = JSON.parse(first) as string[];
    p.kill("SIGKILL");
    await p.exited;
    expect(left.filter((ns) => existsSync(`/run/netns/${ns}`))).toEqual(left);
    const swept = sweepDeadOwners();
    expect(swept).toEqual(expect.arrayContaining(left));
    expect(left.filter((ns) => existsSync(`/run/netns/${ns}`))).toEqual([]);
  }, 20000);

  test("needs: declared in challenge.yaml are validated, and an unmet one fails the case at once with what is missing", () => {
    const yaml = (needs: string) => `name: D\nsummary: d\nprogram: { kind: command, args: [], ready: none, reference: bun x.ts }\nclients: []\nstages:\n  - { number: 1, slug: s, name: S, difficulty: easy, needs: ${needs}, spec: [{ title: t, url: "https://example.org" }] }\n`;
    expect(parseChallenge(yaml("[root, netns, raw-socket]"), "f.yaml", "d").stages[0]!.needs).toEqual(["root", "netns", "raw-socket"]);
    expect(() => parseChallenge(yaml("[root, wings]"), "f.yaml", "d")).toThrow(`f.yaml: stages[0].needs[1]: must be one of root, netns, raw-socket, tun, fuse, cgroup (got "wings")`);
    // This machine (root) has them all.
    expect(() => requireNeeds(["root", "netns", "raw-socket"])).not.toThrow();
    expect(unmet("root")).toBeUndefined();
  });

  test("as a user without root, root, netns and raw-socket are each reported missing with how to get them", () => {
    const script = `import { unmet } from ${JSON.stringify(join(import.meta.dir, "needs.ts"))};
console.log(JSON.stringify(["root", "netns", "raw-socket"].map(unmet)));`;
    const r = Bun.spawnSync(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe", env: { ...process.env, HOME: "/tmp" } });
    if (r.exitCode !== 0) throw new Error(r.stderr.toString());
    const [root, netns, raw] = JSON.parse(r.stdout.toString()) as string[];
    expect(root).toContain("sudo bun test");
    expect(netns).toContain("needs root");
    expect(raw).toContain("CAP_NET_RAW");
  });

  test("a stage that needs root, run by a user without root, fails every case at once saying so (never skipped)", () => {
    const state = mkdtempSync(join(tmpdir(), "syscraft-nobody-"));
    chmodSync(state, 0o777);
    try {
      const r = Bun.spawnSync(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", process.execPath, "test", "--stage-only=sniffer/1"], {
        cwd: join(import.meta.dir, "../.."),
        stdout: "pipe",
        stderr: "pipe",
        env: { ...process.env, HOME: state, SYSCRAFT_STATE_DIR: state },
        timeout: 60000,
      });
      const out = r.stdout.toString() + r.stderr.toString();
      expect(r.exitCode).not.toBe(0);
      expect(out).toContain("This stage needs root: your program runs as root here, and the tests are not running as root");
      expect(out).toContain("4 of 4 cases failed");
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  }, 60000);
});
