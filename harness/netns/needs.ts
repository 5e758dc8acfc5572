/**
 * What a stage needs from the machine (challenge.yaml `needs:`), checked
 * before each case: when something is missing the case fails at once with one
 * line naming it and how to get it. Never skipped.
 */
import { accessSync, constants, existsSync } from "node:fs";
import type { Need } from "../challenge/schema.ts";
import { StageFailure } from "../report/failure.ts";
import { AF_PACKET, libc, SOCK_RAW } from "./libc.ts";


const isRoot = () => process.getuid?.() === 0;
const rootHint = "run the tests as root (for example `sudo bun test …`) on a Linux machine";

/** Each check returns undefined when the need is met, or the one-line reason it is not. */
const checks: Record<Need, () => string | undefined> = {
  root: () => (isRoot() ? undefined : `your program runs as root here, and the tests are not running as root: ${rootHint}`),
  netns: () => {
    if (!Bun.which("ip")) return "network namespaces need ip(8), which is not installed: `apt-get install iproute2` (or `bun run setup`)";
    if (!isRoot()) return `creating network namespaces needs root: ${rootHint}`;
    return undefined;
  },
  "raw-socket": () => {
    const fd = libc.socket(AF_PACKET, SOCK_RAW, 0);
    if (fd < 0) return `cannot open a packet socket (AF_PACKET, SOCK_RAW): it needs root or CAP_NET_RAW: ${rootHint}`;
    libc.close(fd);
    return undefined;
  },
  tun: () => (existsSync("/dev/net/tun") ? undefined : "/dev/net/tun does not exist: load the module with `modprobe tun` (in a container, pass --device /dev/net/tun)"),
  fuse: () => (existsSync("/dev/fuse") && Bun.which("fusermount3") ? undefined : "FUSE needs /dev/fuse and fusermount3: `apt-get install fuse3` (in a container, pass --device /dev/fuse)"),
  cgroup: () => {
    try {
      accessSync("/sys/fs/cgroup", constants.W_OK);
      return undefined;
    } catch {
      return `cannot create cgroups under /sys/fs/cgroup: ${rootHint}`;
    }
  },
};

const known = new Map<Need, string | undefined>();

/** Why `need` is not met on this machine, or undefined when it is (checked once per process). */
export function unmet(need: Need): string | undefined {
  if (!known.has(need)) known.set(need, checks[need]());
  return known.get(need);
}

/** Fails the case at once, naming the first need the machine lacks and how to get it. */
export function requireNeeds(needs: readonly Need[]): void {
  for (const need of needs) {
    const why = unmet(need);
    if (why !== undefined) throw new StageFailure({ message: `This stage needs ${need}: ${why}.` });
  }
}
