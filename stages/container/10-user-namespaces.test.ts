import { chmodSync, chownSync, lchownSync, lstatSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CommandResult } from "../../harness/clients/command.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";
import { Bundle } from "./bundle.ts";

const USERNS = "With a user namespace in linux.namespaces, start the container's first process in a new user namespace (clone(2) with CLONE_NEWUSER, together with CLONE_NEWPID so that its root owns the PID namespace and may mount /proc); from the runtime, write /proc/<pid>/uid_map from linux.uidMappings and gid_map from linux.gidMappings (a \"containerID hostID size\" line per mapping, all of a file's lines in one write: the kernel takes only one) before the process goes on; it then becomes uid and gid 0 of the namespace. mknod(2) is refused in a user namespace: bind-mount the host's /dev/null, /dev/zero… onto empty files instead.";
const MAPS = "uid_map takes linux.uidMappings and gid_map linux.gidMappings, each line \"containerID hostID size\" in that order: container id containerID + n is host id hostID + n.";
const OWNER = "Files the container makes on the host's file system belong to the host ids its ids map to: uid u in the container is hostID + (u - containerID) of linux.uidMappings outside (and the same for gids with linux.gidMappings).";
const UNPRIVILEGED = "Root in a user namespace has capabilities only over what that namespace owns: not over host files whose owner has no mapping in it (they look owned by 65534), nor to make device nodes. Without a user namespace, root in the container is the host's root.";

const SIZE = 65536;

/** A random base for a range of SIZE host ids above the usual users' ids. */
const hostBase = (t: CaseContext): number => SIZE * t.rand.int(2, 200);

/** chown -R -h: the root file system belongs to the user namespace's root, as an image unpacked for it does. */
function chownTree(path: string, uid: number, gid: number): void {
  lchownSync(path, uid, gid);
  if (!lstatSync(path).isDirectory()) return;
  for (const name of readdirSync(path)) chownTree(join(path, name), uid, gid);
}

interface Mapping {
  containerID: number;
  hostID: number;
  size: number;
}
const one = (hostID: number): Mapping[] => [{ containerID: 0, hostID, size: SIZE }];

/** A bundle whose container has a user namespace with these mappings; its root file system belongs to the container's root. */
function usernsBundle(t: CaseContext, uids: Mapping[], gids: Mapping[], script: string): Bundle {
  const b = new Bundle(t, ["/bin/sh", "-c", script]);
  chownTree(b.rootfs, uids[0]!.hostID, gids[0]!.hostID);
  // The case's directory (mkdtemp: 0700) must let the namespace's root, another host user, reach the bundle.
  chmodSync(t.dir, 0o711);
  b.config.linux.namespaces.push({ type: "user" });
  b.config.linux.uidMappings = uids;
  b.config.linux.gidMappings = gids;
  return b;
}

function expectRan(t: CaseContext, r: CommandResult): void {
  if (r.code !== 0) t.fail({ message: `Your runtime exited with status ${r.code}; the container's shell script ends with exit 0.`, expected: "exit status 0", received: `exit status ${r.code}`, hint: USERNS, detail: r.output });
}

/** The value printed on the script's line "<label> <value>". */
function line(r: CommandResult, label: string): string {
  return new RegExp(`^${label} (.*)$`, "m").exec(r.stdout)?.[1]?.trim() ?? "(no such line)";
}

export default stage(import.meta, [
  {
    name: "linux.uidMappings and gidMappings: inside, the process is uid 0 and gid 0 of a user namespace mapped as config.json says",
    async run(t) {
      const uid = hostBase(t);
      let gid = hostBase(t);
      if (gid === uid) gid += SIZE;
      const b = usernsBundle(t, one(uid), one(gid), 'echo "uid $(id -u)"; echo "gid $(id -g)"; echo "uidmap $(cat /proc/self/uid_map)"; echo "gidmap $(cat /proc/self/gid_map)"');
      const r = await b.run();
      expectRan(t, r);
      const fields = (s: string) => s.split(/\s+/).join(" ");
      if (fields(line(r, "uidmap")) === "0 0 4294967295") t.fail({ message: "The container is in the host's user namespace (/proc/self/uid_map maps every id to itself): linux.namespaces asks for a user namespace.", expected: `0 ${uid} ${SIZE}`, received: line(r, "uidmap"), hint: USERNS });
      t.expectEqual(fields(line(r, "uidmap")), `0 ${uid} ${SIZE}`, { message: "/proc/self/uid_map in the container should be linux.uidMappings", hint: MAPS });
      t.expectEqual(fields(line(r, "gidmap")), `0 ${gid} ${SIZE}`, { message: "/proc/self/gid_map in the container should be linux.gidMappings", hint: MAPS });
      t.expectEqual(line(r, "uid"), "0", { message: "id -u in the container: process.user.uid is 0, root of the user namespace", hint: USERNS });
      t.expectEqual(line(r, "gid"), "0", { message: "id -g in the container: process.user.gid is 0", hint: USERNS });
    },
  },
  {
    name: "files the container makes on a bind mount belong outside to the host ids its uid and gid map to",
    async run(t) {
      // Two mappings each: root alone, then ids 1 and up from another base (uid_map and gid_map take them in one write).
      const [root, uid, groot, gid] = t.rand.shuffle([2, 3, 4, 5, 6, 7, 8, 9].map((n) => n * SIZE)) as [number, number, number, number];
      const inUid = t.rand.int(1000, 60000);
      const inGid = t.rand.int(1000, 60000);
      const name = t.rand.word();
      const two = (zero: number, rest: number): Mapping[] => [{ containerID: 0, hostID: zero, size: 1 }, { containerID: 1, hostID: rest, size: SIZE - 1 }];
      const b = usernsBundle(t, two(root, uid), two(groot, gid), `touch /shared/${name}; echo "touch $?"`);
      const shared = join(t.dir, `shared-${name}`);
      mkdirSync(shared);
      chmodSync(shared, 0o1777);
      b.config.mounts.push({ destination: "/shared", type: "bind", source: shared, options: ["rbind"] });
      b.config.process.user = { uid: inUid, gid: inGid };
      const r = await b.run();
      expectRan(t, r);
      t.expectEqual(line(r, "touch"), "0", { message: `touch /shared/${name} (a world-writable directory of the host, bound in) should succeed`, hint: USERNS, detail: r.output });
      const st = statSync(join(shared, name));
      t.expectEqual(`${st.uid}:${st.gid}`, `${uid + inUid - 1}:${gid + inGid - 1}`, {
        message: `the file made by uid ${inUid} gid ${inGid} in the container, seen from the host, should belong to ${uid} + ${inUid} - 1 : ${gid} + ${inGid} - 1 (the mappings for container ids 1 and up: ${JSON.stringify(b.config.linux.uidMappings[1])}, ${JSON.stringify(b.config.linux.gidMappings[1])})`,
        hint: OWNER,
      });
    },
  },
  {
    name: "root in the container is not root outside: a host file only the host's root may read stays unreadable; mknod is refused; the default devices work",
    async run(t) {
      const uid = hostBase(t);
      const secret = join(t.dir, `secret-${t.rand.int(1000, 9999)}`);
      writeFileSync(secret, `${t.rand.word()}\n`, { mode: 0o600 });
      chownSync(secret, 0, 0);
      const b = usernsBundle(t, one(uid), one(uid + SIZE), 'cat /secret; echo "cat $?"; mknod /tmp/null c 1 3; echo "mknod $?"; echo "zero $(head -c 5 /dev/zero | wc -c)"; echo x > /dev/null; echo "null $?"');
      b.config.mounts.push({ destination: "/secret", type: "bind", source: secret, options: ["bind"] });
      const r = await b.run();
      expectRan(t, r);
      t.expectEqual(line(r, "zero"), "5", { message: "head -c 5 /dev/zero | wc -c in the container: the default devices must work in a user namespace too", hint: USERNS, detail: r.output });
      t.expectEqual(line(r, "null"), "0", { message: "echo x > /dev/null in the container: the default devices must work in a user namespace too", hint: USERNS, detail: r.output });
      t.expectEqual(line(r, "cat"), "1", { message: "cat of a host file owned by the host's root with mode 0600, bound into the container, should fail: root in the container is not the host's root", hint: UNPRIVILEGED, detail: r.output });
      t.expectEqual(line(r, "mknod"), "1", { message: "mknod of a device in the container should fail: root of a user namespace may not make device nodes", hint: UNPRIVILEGED, detail: r.output });
    },
  },
]);
