import { readlinkSync } from "node:fs";
import { hostname } from "node:os";
import { stage } from "../../harness/stage/define.ts";
import { Bundle, findProcess } from "./bundle.ts";

const UTS = "When linux.namespaces lists \"uts\", unshare(CLONE_NEWUTS) in the container's process, then sethostname(2) with config.json's hostname: the host's own name must not change.";
const IPC = "When linux.namespaces lists \"ipc\", unshare(CLONE_NEWIPC) in the container's process: System V IPC objects (shared memory, semaphores, message queues) of the host are then invisible inside, and the container's are invisible outside.";

export default stage(import.meta, [
  {
    name: "the container's hostname is config.json's hostname, and the host keeps its own",
    async run(t) {
      const before = hostname();
      t.defer(() => {
        // A runtime that called sethostname(2) without a UTS namespace renamed the machine: put its name back.
        if (hostname() !== before) Bun.spawnSync(["hostname", before]);
      });
      const name = `${t.rand.word()}-${t.rand.int(100, 999)}`;
      const b = new Bundle(t, ["/bin/hostname"]);
      b.config.hostname = name;
      b.config.linux.namespaces.push({ type: "uts" });
      const r = await b.run();
      if (r.code !== 0) t.fail({ message: `hostname inside the container exited ${r.code}.`, hint: UTS });
      t.expectEqual(r.stdout.trim(), name, { message: "The container's hostname is not config.json's hostname.", hint: UTS });
      const after = hostname();
      if (after !== before) t.fail({ message: `The host's own hostname changed from ${before} to ${after}.`, hint: UTS });
    },
  },
  {
    name: "the container has UTS and IPC namespaces of its own (seen from the host)",
    async run(t) {
      const sleep = ["sleep", `${t.rand.int(40, 90)}.${t.rand.int(100000, 999999)}`];
      const b = new Bundle(t, ["/bin/" + sleep[0], sleep[1]!]);
      b.config.hostname = t.rand.word();
      b.config.linux.namespaces.push({ type: "uts" }, { type: "ipc" });
      const program = await b.start();
      const pid = await findProcess(["/bin/" + sleep[0], sleep[1]!]);
      if (pid === undefined) t.fail({ message: "The container's process did not appear on the host.", detail: program.process.output.tail(10) });
      for (const [ns, hint] of [["uts", UTS], ["ipc", IPC]] as const) {
        if (readlinkSync(`/proc/${pid}/ns/${ns}`) === readlinkSync(`/proc/self/ns/${ns}`)) t.fail({ message: `The container's process (host pid ${pid}) is in the host's ${ns.toUpperCase()} namespace.`, hint });
      }
    },
  },
  {
    name: "a System V shared memory segment made on the host is invisible inside the container",
    async run(t) {
      const made = await t.client("util-linux", ["ipcmk", "-M", String(t.rand.int(1, 64) * 4096)]);
      const id = /(\d+)\s*$/.exec(made.stdout.trim())?.[1];
      if (id === undefined) throw new Error(`ipcmk printed no id: ${made.output}`);
      t.defer(() => Bun.spawnSync(["ipcrm", "-m", id]));
      const b = new Bundle(t, ["/bin/sh", "-c", "cat /proc/sysvipc/shm"]);
      b.config.linux.namespaces.push({ type: "ipc" });
      const r = await b.run();
      const segments = r.stdout.split("\n").slice(1).filter((l) => l.trim() !== "");
      const ids = segments.map((l) => l.trim().split(/\s+/)[1]);
      if (ids.includes(id)) t.fail({ message: `The container sees the host's shared memory segment ${id} in /proc/sysvipc/shm.`, received: r.stdout, hint: IPC });
      if (segments.length > 0) t.fail({ message: "A new IPC namespace starts empty, but /proc/sysvipc/shm inside the container lists segments.", received: r.stdout, hint: IPC });
    },
  },
]);
