import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CommandResult } from "../../harness/clients/command.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";
import { Bundle } from "./bundle.ts";

const MOUNTS = "Mount each entry of config.json's mounts under the rootfs, before pivot_root: mount(source, <rootfs>/<destination>, type, flags, data), where the options that are mount(8) flag words (ro, nosuid, noexec, nodev…) become MS_* flags and the others (size=, mode=…) go, joined with commas, as the data string.";
const BIND = "A mount is a bind mount when its options hold \"bind\" or \"rbind\": mount(source, target, NULL, MS_BIND (|MS_REC for rbind), NULL). A relative source is relative to the bundle directory, not to the runtime's working directory.";
const BIND_FILE = "A bind mount's destination must exist to mount onto: when it does not, make it, with its missing parent directories (mkdir -p of its directory), as a directory when the source is one and as an empty file when the source is a file (a file can only be bound onto a file).";
const BIND_RO = "A bind mount ignores every flag but MS_BIND and MS_REC: to make it read-only (\"ro\"), remount it: mount(NULL, target, NULL, MS_REMOUNT|MS_BIND|MS_RDONLY, NULL).";
const DEVICES = "Create the default devices in the container's /dev (config-linux.md \"Default Devices\"): character devices null 1:3, zero 1:5, full 1:7, random 1:8, urandom 1:9, tty 5:0, mode 0666: mknod(path, S_IFCHR|0666, makedev(major, minor)), then chmod (mknod obeys the umask).";
const LINKS = "Create the symbolic links of runtime-linux.md \"Dev symbolic links\": /dev/fd -> /proc/self/fd, /dev/stdin -> /proc/self/fd/0, /dev/stdout -> /proc/self/fd/1, /dev/stderr -> /proc/self/fd/2.";
const PTY = "A pty is opened through /dev/ptmx, a default device (config-linux.md): make /dev/ptmx a symbolic link to pts/ptmx, so that it reaches the devpts config.json mounts at /dev/pts (newinstance, ptmxmode=0666): the container's first pty is then /dev/pts/0.";
const ORDER = "Mount config.json's mounts in the order listed (config.md \"Mounts\": the runtime MUST mount entries in the listed order): the tmpfs at /dev first, then /dev/pts and /dev/shm on it (make their directories in it).";
const SYSFS = "Mount a sysfs entry as a new sysfs (mount(\"sysfs\", <rootfs>/sys, \"sysfs\", flags, NULL)) after unsharing the network namespace: a new sysfs shows the network devices of the namespace that mounts it; a bind of the host's /sys shows the host's.";
const SYSFS_RO = "The sysfs at /sys is listed with \"ro\": mount it with MS_RDONLY (with nosuid, noexec, nodev), so that nothing in the container can write to the kernel's settings through it.";
const READONLY_ROOT = "When root.readonly is true, remount the new root read-only once everything is mounted: after pivot_root, mount(NULL, \"/\", NULL, MS_REMOUNT|MS_BIND|MS_RDONLY, NULL). Mounts on top of it (a tmpfs on /tmp) keep their own flags.";
const MASKED = "For each path of linux.maskedPaths that exists in the container (after pivot_root): bind-mount /dev/null over a file, mount an empty read-only tmpfs over a directory. Paths that do not exist are skipped.";
const READONLY_PATHS = "For each path of linux.readonlyPaths that exists in the container: bind-mount it onto itself (MS_BIND|MS_REC), then remount that bind read-only (MS_REMOUNT|MS_BIND|MS_RDONLY). Paths that do not exist are skipped.";

/** Runs the bundle and fails unless the container's shell exited 0. */
async function ran(t: CaseContext, b: Bundle, hint: string, cwd?: string): Promise<CommandResult> {
  const r = await b.run({ cwd });
  if (r.code !== 0) t.fail({ message: `The container's shell should exit 0; your runtime exited with status ${r.code}.`, expected: "exit status 0", received: `exit status ${r.code}`, hint, detail: r.output.slice(-2000) });
  return r;
}

/** A shell line that tries a write and prints "<label> written" or "<label> refused: <error>". */
function tryWrite(label: string, command: string): string {
  return `if out=$(${command} 2>&1); then echo "${label} written"; else echo "${label} refused: $out"; fi`;
}

/** The line of `out` that starts with `label `. */
function line(out: string, label: string): string {
  return out.split("\n").find((l) => l.startsWith(`${label} `)) ?? `(no line starting "${label} ")`;
}

function expectRefused(t: CaseContext, r: CommandResult, label: string, what: string, hint: string): void {
  const l = line(r.stdout, label);
  if (!/refused: .*Read-only file system/.test(l)) t.fail({ message: `${what} should fail with EROFS (Read-only file system).`, expected: `${label} refused: …: Read-only file system`, received: l, hint });
}

function expectWritten(t: CaseContext, r: CommandResult, label: string, what: string, hint: string): void {
  const l = line(r.stdout, label);
  if (l !== `${label} written`) t.fail({ message: `${what} should succeed.`, expected: `${label} written`, received: l, hint });
}

/** A host directory (in the case's temporary directory) holding one file with a random token. */
function hostDir(t: CaseContext, parent: string): { dir: string; file: string; token: string } {
  const dir = join(parent, `${t.rand.word()}-${t.rand.int(100, 999)}`);
  const file = `${t.rand.word()}.txt`;
  const token = `${t.rand.word()}-${t.rand.int(1000, 9999)}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), `${token}\n`);
  return { dir, file, token };
}

/** /dev as `runc spec` writes it: a tmpfs the runtime fills. */
const DEV_TMPFS = { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] };
/** The mounts `runc spec` puts on that /dev: devpts (a new instance) and a tmpfs for POSIX shared memory. */
const DEV_PTS = { destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"] };
const DEV_SHM = { destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] };
/** /sys as `runc spec` writes it. */
const SYS = { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] };

/** The file-system type of the mount at `path` inside the container (mountinfo: the field after " - "), as a shell command. */
const fsType = (path: string): string => `awk '$5 == "${path}" { for (i = 7; $i != "-"; i++); t = $(i + 1) } END { print t }' /proc/self/mountinfo`;

export default stage(import.meta, [
  {
    name: "a tmpfs mount gets the size and mode its options give",
    async run(t) {
      const dest = `/mnt/${t.rand.word()}-${t.rand.int(10, 99)}`;
      const kib = 64 * t.rand.int(4, 12);
      const mode = t.rand.pick(["700", "750", "711", "755", "770"]);
      const script = [
        `stat -c 'mode %a' ${dest}`,
        `dd if=/dev/zero of=${dest}/half bs=1024 count=${kib / 2} 2>/dev/null && echo "half fits" || echo "half refused"`,
        `dd if=/dev/zero of=${dest}/more bs=1024 count=${kib} 2>/dev/null && echo "more fits" || echo "more refused"`,
      ].join("; ");
      const b = new Bundle(t, ["/bin/sh", "-c", script]);
      b.config.mounts.push({ destination: dest, type: "tmpfs", source: "tmpfs", options: ["nosuid", `size=${kib}k`, `mode=${mode}`] });
      const r = await ran(t, b, MOUNTS);
      t.expectEqual(line(r.stdout, "mode"), `mode ${mode}`, { message: `The tmpfs at ${dest} was mounted with "mode=${mode}": stat should show that mode.`, hint: MOUNTS });
      t.expectEqual(line(r.stdout, "half"), "half fits", { message: `Writing ${kib / 2} KiB to the tmpfs at ${dest} (size=${kib}k) should succeed.`, hint: MOUNTS });
      t.expectEqual(line(r.stdout, "more"), "more refused", { message: `Writing ${kib} KiB more to the tmpfs at ${dest} should fail (No space left on device): its options say size=${kib}k.`, hint: MOUNTS });
    },
  },
  {
    name: "a tmpfs mount gets the flags its options give: noexec, nosuid, ro",
    async run(t) {
      const plain = `/mnt/${t.rand.word()}-${t.rand.int(10, 49)}`;
      const ro = `/mnt/${t.rand.word()}-${t.rand.int(50, 99)}`;
      const script = [
        `printf '#!/bin/sh\\necho ran\\n' > ${plain}/run.sh`,
        `chmod 755 ${plain}/run.sh`,
        "cp " + plain + "/run.sh /tmp/run.sh",
        `echo "rootfs $(/tmp/run.sh 2>&1)"`,
        `${plain}/run.sh >/dev/null 2>&1 && echo "tmpfs ran" || echo "tmpfs refused"`,
        `echo "options $(awk '$5 == "${plain}" { print $6 }' /proc/self/mountinfo)"`,
        tryWrite("ro", `touch ${ro}/file`),
      ].join("; ");
      const b = new Bundle(t, ["/bin/sh", "-c", script]);
      b.config.mounts.push({ destination: plain, type: "tmpfs", source: "tmpfs", options: ["nosuid", "noexec", "mode=755", "size=1m"] });
      b.config.mounts.push({ destination: ro, type: "tmpfs", source: "tmpfs", options: ["nosuid", "ro", "size=1m"] });
      const r = await ran(t, b, MOUNTS);
      t.expectEqual(line(r.stdout, "rootfs"), "rootfs ran", { message: "A script copied to /tmp (on the rootfs) should run.", hint: MOUNTS });
      t.expectEqual(line(r.stdout, "tmpfs"), "tmpfs refused", { message: `The tmpfs at ${plain} was mounted with "noexec": running a script from it should fail (Permission denied).`, hint: MOUNTS });
      const options = line(r.stdout, "options").slice("options ".length).split(",");
      for (const flag of ["nosuid", "noexec"]) {
        if (!options.includes(flag)) t.fail({ message: `The tmpfs at ${plain} was mounted with "${flag}": its mount options in /proc/self/mountinfo lack it.`, expected: `options including ${flag}`, received: options.join(","), hint: MOUNTS });
      }
      expectRefused(t, r, "ro", `The tmpfs at ${ro} was mounted with "ro": touch ${ro}/file`, MOUNTS);
    },
  },
  {
    name: "bind mounts show a host directory, read-write; a relative source is resolved from the bundle",
    async run(t) {
      const b = new Bundle(t, []);
      const abs = hostDir(t, join(t.dir, "host"));
      const rel = hostDir(t, b.dir);
      const relSource = rel.dir.slice(b.dir.length + 1);
      const absDest = `/mnt/${t.rand.word()}-a`;
      const relDest = `/srv/${t.rand.word()}-r`;
      const back = `${t.rand.word()}-${t.rand.int(1000, 9999)}`;
      b.config.process.args = ["/bin/sh", "-c", [`echo "abs $(cat ${absDest}/${abs.file})"`, `echo "rel $(cat ${relDest}/${rel.file})"`, `echo ${back} > ${absDest}/from-container`].join("; ")];
      b.config.mounts.push({ destination: absDest, type: "bind", source: abs.dir, options: ["rbind", "rw"] });
      b.config.mounts.push({ destination: relDest, type: "bind", source: relSource, options: ["rbind"] });
      t.log.note(`runs your runtime from ${t.dir}, not from the bundle: the relative source "${relSource}" is relative to the bundle (${b.dir})`);
      const r = await ran(t, b, BIND, t.dir);
      t.expectEqual(line(r.stdout, "abs"), `abs ${abs.token}`, { message: `${absDest} is a bind mount of the host's ${abs.dir}: its file ${abs.file} should be readable inside.`, hint: BIND });
      t.expectEqual(line(r.stdout, "rel"), `rel ${rel.token}`, { message: `${relDest} is a bind mount of "${relSource}", relative to the bundle: its file ${rel.file} should be readable inside.`, hint: BIND });
      const file = join(abs.dir, "from-container");
      const seen = existsSync(file) ? readFileSync(file, "utf8") : "(no such file)";
      t.expectEqual(seen, `${back}\n`, { message: `The container wrote ${absDest}/from-container: the host should see it in ${abs.dir}.`, hint: BIND });
    },
  },
  {
    name: "a file bound onto a path that does not exist: the file and its parent directories are made",
    async run(t) {
      const host = hostDir(t, join(t.dir, "host-file"));
      const dest = `/opt/${t.rand.word()}-${t.rand.int(10, 99)}/${t.rand.word()}/${t.rand.word()}.conf`;
      const b = new Bundle(t, ["/bin/sh", "-c", `echo "file $(cat ${dest})"`]);
      b.config.mounts.push({ destination: dest, type: "bind", source: join(host.dir, host.file), options: ["rbind", "ro"] });
      t.log.note(`${dest}: neither it nor its parent directories exist in the root file system`);
      const r = await ran(t, b, BIND_FILE);
      t.expectEqual(line(r.stdout, "file"), `file ${host.token}`, { message: `${dest} is a bind mount of the host's file ${join(host.dir, host.file)}: it should read the same inside.`, hint: BIND_FILE });
    },
  },
  {
    name: "a read-only bind mount refuses writes",
    async run(t) {
      const host = hostDir(t, join(t.dir, "host"));
      const dest = `/mnt/${t.rand.word()}-${t.rand.int(10, 99)}`;
      const script = [`echo "read $(cat ${dest}/${host.file})"`, tryWrite("new", `touch ${dest}/new`), tryWrite("old", `{ echo changed > ${dest}/${host.file}; }`)].join("; ");
      const b = new Bundle(t, ["/bin/sh", "-c", script]);
      b.config.mounts.push({ destination: dest, type: "bind", source: host.dir, options: ["rbind", "ro"] });
      const r = await ran(t, b, BIND_RO);
      t.expectEqual(line(r.stdout, "read"), `read ${host.token}`, { message: `${dest} is a read-only bind mount of ${host.dir}: its file should still be readable.`, hint: BIND });
      expectRefused(t, r, "new", `${dest} is a read-only bind mount: creating a file in it`, BIND_RO);
      expectRefused(t, r, "old", `${dest} is a read-only bind mount: writing to its file`, BIND_RO);
      const files = readdirSync(host.dir).sort().join(" ");
      t.expectEqual(files, host.file, { message: `The host directory ${host.dir} behind a read-only bind mount changed.`, hint: BIND_RO });
    },
  },
  {
    name: "/dev holds the default devices: null, zero, full, random, urandom, tty",
    async run(t) {
      const devices: [string, number, number][] = t.rand.shuffle([["null", 1, 3], ["zero", 1, 5], ["full", 1, 7], ["random", 1, 8], ["urandom", 1, 9], ["tty", 5, 0]]);
      const b = new Bundle(t, ["/bin/stat", "-c", "%n %F %a %t:%T", ...devices.map(([n]) => `/dev/${n}`)]);
      b.config.mounts.push(DEV_TMPFS);
      const r = await b.run();
      const want = devices.map(([n, major, minor]) => `/dev/${n} character special file 666 ${major.toString(16)}:${minor.toString(16)}\n`).join("");
      t.expectEqual(r.output, want, { message: "stat -c '%n %F %a %t:%T' on the default devices (name, type, mode, major:minor in hex) inside the container.", hint: DEVICES });
    },
  },
  {
    name: "/dev/fd, /dev/stdin, /dev/stdout and /dev/stderr link into /proc/self/fd",
    async run(t) {
      const token = `${t.rand.word()}-${t.rand.int(1000, 9999)}`;
      const b = new Bundle(t, ["/bin/sh", "-c", "for l in /dev/fd /dev/stdin /dev/stdout /dev/stderr; do echo \"$l -> $(readlink $l)\"; done; cat /dev/stdin"]);
      b.config.mounts.push(DEV_TMPFS);
      const r = await b.run({ stdin: `${token}\n` });
      const want = ["/dev/fd -> /proc/self/fd", "/dev/stdin -> /proc/self/fd/0", "/dev/stdout -> /proc/self/fd/1", "/dev/stderr -> /proc/self/fd/2", token].join("\n");
      t.expectEqual(r.output, `${want}\n`, { message: "Each link's target (readlink) inside the container, then cat /dev/stdin given a line on the runtime's standard input.", hint: LINKS });
    },
  },
  {
    name: "mounts go in the listed order: /dev/pts and /dev/shm on the /dev tmpfs",
    async run(t) {
      const name = `${t.rand.word()}-${t.rand.int(100, 999)}`;
      const script = ['echo "pts $(' + fsType("/dev/pts") + ')"', 'echo "shm $(' + fsType("/dev/shm") + ') $(stat -c %a /dev/shm)"', tryWrite("write", `{ echo x > /dev/shm/${name}; }`), 'echo "null $(stat -c %t:%T /dev/null)"'].join("; ");
      const b = new Bundle(t, ["/bin/sh", "-c", script]);
      b.config.mounts.push(DEV_TMPFS, DEV_PTS, DEV_SHM);
      const r = await ran(t, b, ORDER);
      t.expectEqual(line(r.stdout, "pts"), "pts devpts", { message: "config.json lists a tmpfs at /dev, then a devpts at /dev/pts: /dev/pts should be a devpts mount (mountinfo's type), visible on the /dev tmpfs.", hint: ORDER });
      t.expectEqual(line(r.stdout, "shm"), "shm tmpfs 1777", { message: "config.json lists a tmpfs at /dev, then a tmpfs at /dev/shm with mode=1777: /dev/shm should be that tmpfs (type, mode).", hint: ORDER });
      expectWritten(t, r, "write", `Writing /dev/shm/${name}`, ORDER);
    },
  },
  {
    name: "/dev/pts is the container's own devpts: a pty opened through /dev/ptmx is /dev/pts/0",
    async run(t) {
      const script = ["exec 3<>/dev/ptmx", 'echo "pts [$(echo $(ls /dev/pts))]"', 'echo "type $(' + fsType("/dev/pts") + ')"', 'echo "ptmx $(stat -c %a /dev/pts/ptmx)"'].join("; ");
      const b = new Bundle(t, ["/bin/sh", "-c", script]);
      b.config.mounts.push(DEV_TMPFS, DEV_PTS);
      const r = await ran(t, b, PTY);
      t.expectEqual(line(r.stdout, "type"), "type devpts", { message: "/dev/pts should be the devpts config.json mounts there.", hint: ORDER });
      t.expectEqual(line(r.stdout, "pts"), "pts [0 ptmx]", { message: "The shell opened /dev/ptmx (exec 3<>/dev/ptmx), then listed /dev/pts: the container's new devpts instance should hold its first pty, 0, and ptmx.", hint: PTY });
      t.expectEqual(line(r.stdout, "ptmx"), "ptmx 666", { message: "/dev/pts was mounted with ptmxmode=0666: stat -c %a /dev/pts/ptmx should show 666.", hint: PTY });
    },
  },
  {
    name: "/sys is a read-only sysfs of the container's network namespace",
    async run(t) {
      const name = `${t.rand.word()}-${t.rand.int(100, 999)}`;
      const script = ['echo "type $(' + fsType("/sys") + ')"', 'echo "net [$(echo $(ls /sys/class/net))]"', tryWrite("create", `touch /sys/${name}`), tryWrite("attr", "{ cat /sys/kernel/uevent_seqnum > /sys/kernel/uevent_seqnum; }")].join("; ");
      const b = new Bundle(t, ["/bin/sh", "-c", script]);
      b.config.linux.namespaces.push({ type: "network" });
      b.config.mounts.push(SYS);
      const r = await ran(t, b, SYSFS);
      t.expectEqual(line(r.stdout, "type"), "type sysfs", { message: "/sys should be the sysfs config.json mounts there.", hint: SYSFS });
      t.expectEqual(line(r.stdout, "net"), "net [lo]", { message: "The container has a network namespace of its own: ls /sys/class/net should list only its lo.", hint: SYSFS });
      expectRefused(t, r, "create", `/sys is mounted "ro": touch /sys/${name}`, SYSFS_RO);
      expectRefused(t, r, "attr", "/sys is mounted \"ro\": writing /sys/kernel/uevent_seqnum", SYSFS_RO);
    },
  },
  {
    name: "root.readonly: writes to the root fail with EROFS, a tmpfs mounted on it stays writable",
    async run(t) {
      const name = `${t.rand.word()}-${t.rand.int(100, 999)}`;
      const token = `${t.rand.word()}-${t.rand.int(1000, 9999)}`;
      const script = [`echo "read $(cat /etc/${name})"`, tryWrite("root", `touch /etc/${name}-new`), tryWrite("file", `{ echo x > /etc/${name}; }`), tryWrite("tmp", `touch /tmp/${name}`)].join("; ");
      const b = new Bundle(t, ["/bin/sh", "-c", script]);
      b.file(`etc/${name}`, `${token}\n`);
      b.config.root.readonly = true;
      b.config.mounts.push({ destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "size=1m"] });
      const r = await ran(t, b, READONLY_ROOT);
      t.expectEqual(line(r.stdout, "read"), `read ${token}`, { message: `/etc/${name} should be readable on a read-only root.`, hint: READONLY_ROOT });
      expectRefused(t, r, "root", `With root.readonly, touch /etc/${name}-new`, READONLY_ROOT);
      expectRefused(t, r, "file", `With root.readonly, writing to /etc/${name}`, READONLY_ROOT);
      expectWritten(t, r, "tmp", `With root.readonly, touch /tmp/${name} on the tmpfs mounted at /tmp`, READONLY_ROOT);
    },
  },
  {
    name: "linux.maskedPaths: a masked file reads empty, a masked directory is empty, a missing path is skipped",
    async run(t) {
      const w = `${t.rand.word()}-${t.rand.int(100, 999)}`;
      const tokens = [0, 1, 2].map(() => `${t.rand.word()}-${t.rand.int(1000, 9999)}`);
      const script = [`echo "file [$(cat /etc/${w}-secret)]"`, `echo "dir [$(ls -A /srv/${w})]"`, `echo "visible [$(cat /etc/${w}-visible)]"`].join("; ");
      const b = new Bundle(t, ["/bin/sh", "-c", script]);
      b.file(`etc/${w}-secret`, `${tokens[0]}\n`);
      b.file(`etc/${w}-visible`, `${tokens[1]}\n`);
      b.file(`srv/${w}/inner`, `${tokens[2]}\n`);
      b.config.linux.maskedPaths = t.rand.shuffle([`/etc/${w}-secret`, `/srv/${w}`, `/${w}-missing`]);
      const r = await ran(t, b, MASKED);
      t.expectEqual(line(r.stdout, "file"), "file []", { message: `/etc/${w}-secret is in linux.maskedPaths: it should read empty inside.`, hint: MASKED });
      t.expectEqual(line(r.stdout, "dir"), "dir []", { message: `/srv/${w} is in linux.maskedPaths: it should list empty inside.`, hint: MASKED });
      t.expectEqual(line(r.stdout, "visible"), `visible [${tokens[1]}]`, { message: `/etc/${w}-visible is not masked: it should read as in the rootfs.`, hint: MASKED });
    },
  },
  {
    name: "linux.readonlyPaths: writes below a read-only path fail, the rest stays writable",
    async run(t) {
      const w = `${t.rand.word()}-${t.rand.int(100, 999)}`;
      const token = `${t.rand.word()}-${t.rand.int(1000, 9999)}`;
      const script = [`echo "read $(cat /srv/${w}/f)"`, tryWrite("new", `touch /srv/${w}/new`), tryWrite("old", `{ echo x > /srv/${w}/f; }`), tryWrite("other", `touch /srv/${w}-other/new`)].join("; ");
      const b = new Bundle(t, ["/bin/sh", "-c", script]);
      b.file(`srv/${w}/f`, `${token}\n`);
      b.file(`srv/${w}-other/f`, "\n");
      b.config.linux.readonlyPaths = t.rand.shuffle([`/srv/${w}`, `/${w}-missing`]);
      const r = await ran(t, b, READONLY_PATHS);
      t.expectEqual(line(r.stdout, "read"), `read ${token}`, { message: `/srv/${w}/f should stay readable.`, hint: READONLY_PATHS });
      expectRefused(t, r, "new", `/srv/${w} is in linux.readonlyPaths: touch /srv/${w}/new`, READONLY_PATHS);
      expectRefused(t, r, "old", `/srv/${w} is in linux.readonlyPaths: writing to /srv/${w}/f`, READONLY_PATHS);
      expectWritten(t, r, "other", `/srv/${w}-other is not in linux.readonlyPaths: touch /srv/${w}-other/new`, READONLY_PATHS);
    },
  },
]);
