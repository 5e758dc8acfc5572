import { expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { loadChallenge } from "../challenge/load.ts";
import { redisCli } from "../../challenges/redis/clients/redis.ts";
import { ROOT } from "../paths.ts";
import { selfTests } from "../self-test.ts";
import { runCase } from "../stage/run-case.ts";
import type { StageDefinition } from "../stage/types.ts";
import { cgroupFallbackReason, listCgroups } from "./cgroup.ts";
import { overrideMemoryLimit } from "./limits.ts";
import { isListening } from "./listening.ts";
import { processStartTime } from "./proc.ts";

/**
 * Hostile programs (harness/process/hostile/) run as a learner's program
 * through a one-case stage with short limits: each must fail with a clear
 * message within its limit and leave no process, port, temp dir or cgroup.
 */
const HOSTILE = join(ROOT, "harness/process/hostile");
const CASE_LIMIT_S = 2;
const GRACE_MS = 2000;
const MEMORY_CAP = 128 * 1024 * 1024;

interface Hostile {
  script: string;
  /** What the failure report must say. */
  says: string[];
  /** Needs cgroups (the memory cap; escaping the process group). */
  needsCgroup?: boolean;
}

const MATRIX: Hostile[] = [
  { script: "never-listens", says: ["Your program did not listen on TCP port"] },
  { script: "exits-at-once", says: ["Your program exited with code 3 before listening", "starting, then giving up"] },
  { script: "hangs-mid-reply", says: [`This case did not finish within ${CASE_LIMIT_S} s.`] },
  { script: "floods-stdout", says: ["Your program did not listen on TCP port", "not shown)"] },
  { script: "child-ignores-term", says: [`This case did not finish within ${CASE_LIMIT_S} s.`] },
  { script: "double-forks", says: [`This case did not finish within ${CASE_LIMIT_S} s.`], needsCgroup: true },
  { script: "wrong-port", says: ["Your program did not listen on TCP port"] },
  { script: "eats-memory", says: ["Your program used more than 128 MiB of memory, and the kernel killed it"], needsCgroup: true },
  { script: "reads-stdin", says: ["Your program did not listen on TCP port"] },
];

/** This test process's cgroups still on the machine. */
function ownCgroups(): string[] {
  const tag = `syscraft-${process.pid}-${processStartTime(process.pid)}-`;
  return listCgroups().filter((d) => basename(d).startsWith(tag));
}

/** Running processes whose working directory is one of the case's (label) or whose command line carries the marker. */
function leftoverProcesses(label: string, marker: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const state = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
      if (state === "Z" || state === "X") continue;
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (cwd.includes(label) || argv.some((a) => a.split(/\s+/).includes(marker))) out.push(`${pid} ${argv.join(" ")} (in ${cwd})`);
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

function hostileCase(h: Hostile, marker: string): StageDefinition {
  const challenge = loadChallenge("redis");
  return {
    challenge,
    stage: { ...challenge.stages[0]!, id: `hostile-${marker}` },
    file: "(synthetic)",
    cases: [
      {
        name: `a program that ${h.script.replaceAll("-", " ")} fails clearly`,
        timeout: CASE_LIMIT_S,
        async run(t) {
          const program = await t.start({ readyTimeoutMs: 1000 });
          await redisCli(t, program).expect(["PING"], "PONG");
        },
      },
    ],
  };
}

selfTests("hostile programs fail clearly and leave nothing behind", () => {
  for (const h of MATRIX) {
    test(`${h.script}${h.needsCgroup ? " (needs a cgroup)" : ""}`, async () => {
      if (h.needsCgroup && cgroupFallbackReason()) throw new Error(`this machine gives programs no cgroup (${cgroupFallbackReason()}): ${h.script} cannot be contained`);
      const marker = String(1_000_000 + Math.floor(Math.random() * 8_000_000));
      const def = hostileCase(h, marker);
      const label = `syscraft-redis-hostile-${marker}-`;
      const restore = overrideMemoryLimit(MEMORY_CAP);
      const before = new Set(ownCgroups());
      const t0 = performance.now();
      let r;
      try {
        r = await runCase(def, def.cases[0]!, { command: join(HOSTILE, `${h.script}.sh ${marker}`), base: ROOT, source: "flag or SYSCRAFT_IMPL" });
      } finally {
        restore();
      }
      const took = performance.now() - t0;
      expect(r.ok).toBe(false);
      for (const s of h.says) expect(r.message).toContain(s);
      // Within the case limit, plus the clean-up's grace period, plus slack for a loaded machine.
      expect(took).toBeLessThan(CASE_LIMIT_S * 1000 + GRACE_MS + 2000);
      const port = Number(/--port (\d+)/.exec(r.message)?.[1]);
      expect(port).toBeGreaterThan(0);
      expect(leftoverProcesses(label, marker)).toEqual([]);
      expect(isListening(port, "tcp") || isListening(port + 1, "tcp")).toBe(false);
      expect(existsSync(join(tmpdir(), "syscraft-ports", String(port)))).toBe(false);
      expect(readdirSync(tmpdir()).filter((n) => n.startsWith(label))).toEqual([]);
      expect(ownCgroups().filter((d) => !before.has(d))).toEqual([]);
    }, 15000);
  }
});
