import { statSync } from "node:fs";
import { join } from "node:path";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";
import { Bundle } from "./bundle.ts";

const USER = "Just before execve, as root still: setgroups(2) with process.user.additionalGids, setgid(2) with process.user.gid, then setuid(2) with process.user.uid (in that order: after setuid, the process may no longer change its groups).";
const CAPS = "Before setuid, drop from the bounding set every capability process.capabilities.bounding leaves out (prctl(PR_CAPBSET_DROP) for each, while CAP_SETPCAP is still there), and set PR_SET_KEEPCAPS so that setuid keeps the permitted set; after setuid, capset(2) the effective, permitted and inheritable sets, then raise each ambient one (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE)). After execve of a program without file capabilities, a non-root process is left with permitted = effective = ambient (capabilities(7), \"Transformation of capabilities during execve()\").";
const ROOT = "For root, execve makes the permitted and effective sets the bounding set (plus the inheritable one; capabilities(7)): a capability left in the bounding set is a capability the container has. Drop every capability process.capabilities.bounding leaves out with prctl(PR_CAPBSET_DROP) before execve.";
const NNP = "When process.noNewPrivileges is true, call prctl(PR_SET_NO_NEW_PRIVS, 1) before execve (it is inherited and cannot be unset).";

/** Capabilities runc knows and a container can be given (capabilities(7)). */
const POOL = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SYS_CHROOT", "CAP_MKNOD", "CAP_AUDIT_WRITE", "CAP_SETFCAP", "CAP_SYS_NICE"];
const NUMBER: Record<string, number> = {
  CAP_CHOWN: 0, CAP_DAC_OVERRIDE: 1, CAP_FOWNER: 3, CAP_FSETID: 4, CAP_KILL: 5, CAP_SETGID: 6, CAP_SETUID: 7, CAP_NET_BIND_SERVICE: 10,
  CAP_NET_RAW: 13, CAP_SYS_CHROOT: 18, CAP_MKNOD: 27, CAP_AUDIT_WRITE: 29, CAP_SETFCAP: 31, CAP_SYS_NICE: 23,
};

/** /proc/<pid>/status's capability masks are 16 hex digits (proc(5)). */
function hex(names: string[]): string {
  return names.reduce((m, n) => m | (1n << BigInt(NUMBER[n]!)), 0n).toString(16).padStart(16, "0");
}

/** Named fields of /proc/self/status as printed inside the container. */
function statusFields(stdout: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const m = /^(\w+):\s*(.*?)\s*$/.exec(line);
    if (m) fields.set(m[1]!, m[2]!);
  }
  return fields;
}

async function status(t: CaseContext, b: Bundle, hint: string): Promise<Map<string, string>> {
  b.config.process.args = ["/bin/cat", "/proc/self/status"];
  const r = await b.run();
  if (r.code !== 0) t.fail({ message: `cat /proc/self/status in the container: your runtime exited with status ${r.code}.`, expected: "exit status 0", received: `exit status ${r.code}`, hint, detail: r.output });
  return statusFields(r.stdout);
}

function expectField(t: CaseContext, fields: Map<string, string>, name: string, expected: string, what: string, hint: string): void {
  t.expectEqual(fields.get(name) ?? "(no such line)", expected, { message: `${name} in the container's /proc/self/status: ${what}.`, hint });
}

const randomId = (t: CaseContext): number => t.rand.int(1000, 60000);

export default stage(import.meta, [
  {
    name: "process.user: the process runs with config.json's uid, gid and additional groups",
    async run(t) {
      const uid = randomId(t);
      const gid = randomId(t);
      const extra = [...new Set([randomId(t), randomId(t), randomId(t)])].filter((g) => g !== gid);
      const b = new Bundle(t, []);
      b.config.process.user = { uid, gid, additionalGids: extra };
      const fields = await status(t, b, USER);
      expectField(t, fields, "Uid", [uid, uid, uid, uid].join("\t"), "real, effective, saved and file-system uid should all be process.user.uid", USER);
      expectField(t, fields, "Gid", [gid, gid, gid, gid].join("\t"), "real, effective, saved and file-system gid should all be process.user.gid", USER);
      // The kernel keeps the supplementary groups sorted.
      expectField(t, fields, "Groups", [...extra].sort((x, y) => x - y).join(" "), "the supplementary groups should be exactly process.user.additionalGids", USER);
    },
  },
  {
    name: "process.capabilities: bounding, inheritable and ambient sets of a non-root process, and what execve leaves of the others",
    async run(t) {
      const bounding = t.rand.shuffle(POOL).slice(0, t.rand.int(5, 8));
      const [a, i, p] = bounding as [string, string, string];
      const b = new Bundle(t, []);
      b.config.process.user = { uid: randomId(t), gid: randomId(t) };
      const caps = { bounding, effective: [a, p], permitted: [a, p], inheritable: [a, i], ambient: [a] };
      b.config.process.capabilities = caps;
      const fields = await status(t, b, CAPS);
      expectField(t, fields, "CapBnd", hex(bounding), `the bounding set should be process.capabilities.bounding (${bounding.join(", ")})`, CAPS);
      expectField(t, fields, "CapInh", hex(caps.inheritable), `the inheritable set should be process.capabilities.inheritable (${caps.inheritable.join(", ")})`, CAPS);
      expectField(t, fields, "CapAmb", hex(caps.ambient), `the ambient set should be process.capabilities.ambient (${a})`, CAPS);
      expectField(t, fields, "CapPrm", hex(caps.ambient), `after execve, a non-root process's permitted set is its ambient set (${a})`, CAPS);
      expectField(t, fields, "CapEff", hex(caps.ambient), `after execve, a non-root process's effective set is its ambient set (${a})`, CAPS);
    },
  },
  {
    name: "root without CAP_CHOWN cannot chown(2) a file; root with it can",
    async run(t) {
      const others = t.rand.shuffle(POOL.filter((c) => c !== "CAP_CHOWN")).slice(0, t.rand.int(2, 5));
      const owner = randomId(t);
      for (const withChown of [false, true]) {
        const set = withChown ? [...others, "CAP_CHOWN"] : others;
        const b = new Bundle(t, []);
        b.file("/owned", t.rand.word());
        b.config.process.capabilities = { bounding: set, effective: set, permitted: set, inheritable: set };
        b.config.process.args = ["/bin/sh", "-c", `grep -E '^Cap(Eff|Bnd)' /proc/self/status; chown ${owner}:${owner} /owned; echo "chown exit $?"`];
        const r = await b.run();
        if (r.code !== 0) t.fail({ message: `Your runtime exited with status ${r.code}.`, expected: "exit status 0", received: `exit status ${r.code}`, hint: CAPS, detail: r.output });
        const fields = statusFields(r.stdout);
        const uid = statSync(join(b.rootfs, "owned")).uid;
        const what = `process.capabilities (every set) is ${set.join(", ")}`;
        if (withChown && uid !== owner) t.fail({ message: `${what}, yet chown ${owner} /owned as root in the container did not change its owner.`, received: r.output, hint: CAPS });
        if (!withChown && uid === owner) t.fail({ message: `${what} (no CAP_CHOWN), yet chown ${owner} /owned as root in the container changed its owner: the process kept capabilities config.json did not give it.`, received: r.output, hint: ROOT });
        expectField(t, fields, "CapBnd", hex(set), `the bounding set should be ${set.join(", ")}`, ROOT);
        expectField(t, fields, "CapEff", hex(set), `root's effective set should be ${set.join(", ")}`, ROOT);
      }
    },
  },
  {
    name: "process.noNewPrivileges: the process has no_new_privs set",
    async run(t) {
      const b = new Bundle(t, []);
      b.config.process.user = { uid: randomId(t), gid: randomId(t) };
      b.config.process.noNewPrivileges = true;
      const fields = await status(t, b, NNP);
      expectField(t, fields, "NoNewPrivs", "1", "process.noNewPrivileges is true", NNP);
    },
  },
]);
