import { expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selfTests } from "../self-test.ts";
import { cgroupFallbackReason, cgroupParents, sweepCgroups } from "./cgroup.ts";
import { processAlive, processStartTime } from "./proc.ts";
import { sweepTempDirs } from "./tempdir.ts";

/** A pid and start time of a process that has exited: the owner of what a killed run left. */
async function deadOwner(): Promise<{ pid: number; start: number }> {
  const p = Bun.spawn(["sleep", "30"]);
  await Bun.sleep(20);
  const owner = { pid: p.pid, start: processStartTime(p.pid)! };
  p.kill("SIGKILL");
  await p.exited;
  return owner;
}

selfTests("sweeping what a killed run left", () => {
  test("a cgroup whose owner is dead is emptied (SIGKILL) and removed; a live owner's is kept (any run's sweep may do it: they run the same code)", async () => {
    if (cgroupFallbackReason()) throw new Error(`this machine gives programs no cgroup (${cgroupFallbackReason()})`);
    // The owner lives until the straggler is in its cgroup: no run's sweep touches the cgroup before.
    const owner = Bun.spawn(["sleep", "30"]);
    await Bun.sleep(20);
    const deadDirs = cgroupParents().map((p) => join(p, `syscraft-${owner.pid}-${processStartTime(owner.pid)}-1`));
    const liveDirs = cgroupParents().map((p) => join(p, `syscraft-${process.pid}-${processStartTime(process.pid)}-sweep-test`));
    for (const d of [...deadDirs, ...liveDirs]) mkdirSync(d);
    const straggler = Bun.spawn(["sh", "-c", `echo $$ > ${deadDirs[0]}/cgroup.procs && exec sleep 30`]);
    const joined = Date.now() + 3000;
    while (!readFileSync(join(deadDirs[0]!, "cgroup.procs"), "utf8").includes(String(straggler.pid)) && Date.now() < joined) await Bun.sleep(10);
    owner.kill("SIGKILL");
    await owner.exited;
    // Now any run's sweep (they run the same code) may remove it; this one does if none has.
    sweepCgroups();
    expect(await straggler.exited).toBe(128 + 9);
    for (const d of deadDirs) expect(existsSync(d)).toBe(false);
    for (const d of liveDirs) expect(existsSync(d)).toBe(true);
    sweepCgroups();
    for (const d of liveDirs) {
      expect(existsSync(d)).toBe(true);
      Bun.spawnSync(["rmdir", d]);
    }
  });

  test("a temp dir whose owner is dead is removed; a live owner's is kept", async () => {
    const dead = await deadOwner();
    const gone = mkdtempSync(join(tmpdir(), `syscraft-sweep-test-o${dead.pid}.${dead.start}-`));
    writeFileSync(join(gone, "left"), "x");
    const kept = mkdtempSync(join(tmpdir(), `syscraft-sweep-test-o${process.pid}.${processStartTime(process.pid)}-`));
    sweepTempDirs();
    expect(existsSync(gone)).toBe(false);
    expect(existsSync(kept)).toBe(true);
    Bun.spawnSync(["rm", "-rf", kept]);
  });
});
