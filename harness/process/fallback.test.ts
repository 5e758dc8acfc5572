import { expect, test } from "bun:test";
import { ROOT } from "../paths.ts";
import { selfTests } from "../self-test.ts";

/**
 * Without cgroups (here: as a user who may not create one), programs run in
 * their process groups only, and the run says so once, whatever the number
 * of programs it starts. As root, the run is made as `nobody` through setpriv.
 */
selfTests("without cgroups", () => {
  test("a run that cannot make cgroups falls back to process groups and says so once", async () => {
    const root = process.getuid?.() === 0;
    const argv = ["bun", "test", `--cwd=${ROOT}`, "--stage-only=redis/2"];
    const cmd = root ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", "HOME=/tmp", ...argv] : argv;
    const env = root ? process.env : { ...process.env, SYSCRAFT_NO_CGROUP: "1" };
    const proc = Bun.spawn(cmd, { cwd: "/tmp", env, stdout: "pipe", stderr: "pipe" });
    const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    const all = out + err;
    expect(all.match(/programs run without a cgroup \(.*\): they are contained by their process group only, and no memory limit applies\./g)?.length).toBe(1);
    expect(all).toContain("✓ redis/2 Respond to PING: 3 cases passed");
    expect(code).toBe(0);
  }, 30000);
});
