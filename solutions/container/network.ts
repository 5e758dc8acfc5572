/**
 * Networking like Docker's bridge driver, for `run`: a bridge in the runtime's
 * network namespace (the "host"), holding the first address of the network's
 * CIDR; a veth pair from it into the container's network namespace, where the
 * end is eth0 with another address of the CIDR and a default route via the
 * bridge; outbound NAT (MASQUERADE) for the CIDR; and published ports (DNAT).
 * Interfaces and addresses go through rtnetlink (netlink.ts); NAT through
 * iptables, as Docker does. The rules are removed when the container ends
 * (run) or is deleted (create); the veth pair goes with the container's
 * network namespace.
 *
 * Addresses are leased, so that several containers share a bridge: a file
 * <root>/networks/<bridge>/<address> made with O_EXCL holds the id of the
 * container that has it (the lowest free address of the CIDR after the
 * bridge's), removed with the rules.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { check, CLONE, cstr, libc, O } from "./libc.ts";
import { ifindex, NetlinkError, Rtnetlink } from "./netlink.ts";
import type { Quirks } from "./quirks.ts";

export interface Publish {
  host: number;
  container: number;
}

export interface NetworkPlan {
  bridge: string;
  /** The network address and prefix length of the CIDR. */
  network: number;
  prefix: number;
  publish: Publish[];
}

const EEXIST = 17;

const toIp = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");

function port(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65535) throw new Error(`${what}: "${text}" is not a port (1-65535)`);
  return Number(text);
}

/** `--network=bridge:<bridge>,<cidr>` and each `--publish=<host port>:<container port>`. */
export function parseNetwork(spec: string, publish: string[]): NetworkPlan {
  const m = /^bridge:([A-Za-z0-9_.-]{1,15}),(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(spec);
  if (!m) throw new Error(`--network: "${spec}" is not bridge:<bridge name>,<a.b.c.d/prefix>`);
  const octets = m.slice(2, 6).map(Number);
  const prefix = Number(m[6]);
  if (octets.some((o) => o > 255) || prefix < 8 || prefix > 30) throw new Error(`--network: "${spec}": an IPv4 CIDR with a prefix of 8 to 30`);
  const mask = (0xffffffff << (32 - prefix)) >>> 0;
  const network = (octets.reduce((a, o) => a * 256 + o, 0) & mask) >>> 0;
  return {
    bridge: m[1]!,
    network,
    prefix,
    publish: publish.map((p) => {
      const [host, container, ...rest] = p.split(":");
      if (container === undefined || rest.length > 0) throw new Error(`--publish: "${p}" is not <host port>:<container port>`);
      return { host: port(host!, "--publish"), container: port(container, "--publish") };
    }),
  };
}

/** What attach did, kept in the container's state so that delete can undo it (detach). */
export interface NetworkRecord {
  /** The NAT rules added, chain first. */
  rules: string[][];
  /** The lease file of the container's address. */
  lease?: string;
}

/**
 * The container's address: the lowest host address of the CIDR after the bridge's (the first) that no other
 * container under this --root holds, leased with a file made with O_EXCL (two runtimes cannot both make it).
 */
function leaseAddress(root: string, plan: NetworkPlan, id: string, quirks: Quirks): { address: number; lease?: string } {
  if (quirks.networkAddressFixed) return { address: plan.network + 2 };
  const dir = join(root, "networks", plan.bridge);
  mkdirSync(dir, { recursive: true });
  const broadcast = plan.network + 2 ** (32 - plan.prefix) - 1;
  for (let address = plan.network + 2; address < broadcast; address++) {
    const lease = join(dir, toIp(address));
    try {
      writeFileSync(lease, id, { flag: "wx" });
      return { address, lease };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
  throw new Error(`--network: every address of ${toIp(plan.network)}/${plan.prefix} is in use`);
}

/** Runs an rtnetlink request that may find its object already there (the bridge and its address are shared by containers). */
function unlessExists(f: () => void): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof NetlinkError && e.errno === EEXIST)) throw e;
  }
}

function iptables(args: string[]): void {
  const r = Bun.spawnSync(["iptables", "-w", "5", ...args], { stdout: "ignore", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`iptables ${args.join(" ")}: ${r.stderr.toString().trim()}`);
}

/** Undoes attach: deletes the NAT rules it added and gives its address back. */
export function detach(record: NetworkRecord, quirks: Quirks): void {
  if (quirks.natRulesLeftBehind) return;
  for (const [chain, ...rule] of [...record.rules].reverse()) iptables(["-t", "nat", "-D", chain!, ...rule]);
  if (record.lease !== undefined) rmSync(record.lease, { force: true });
}

/**
 * Wires the container whose init is `pid` (already in its own network namespace, not yet running its program)
 * to the bridge. Returns what detach undoes: the NAT rules and the address's lease.
 */
export function attach(root: string, pid: number, id: string, plan: NetworkPlan, quirks: Quirks): NetworkRecord {
  const leased = leaseAddress(root, plan, id, quirks);
  const record: NetworkRecord = { rules: [], lease: leased.lease };
  try {
    // address-outside-cidr: the next network over, with a shorter prefix so that the gateway is still on the link.
    const outside = quirks.addressOutsideCidr === true;
    const address = toIp(outside ? plan.network + 2 ** (32 - plan.prefix) + 2 : leased.address);
    wire(pid, plan, quirks, address, outside ? plan.prefix - 8 : plan.prefix);
    const cidr = `${toIp(plan.network)}/${plan.prefix}`;
    const rules: string[][] = [];
    if (!quirks.noMasquerade) rules.push(["POSTROUTING", "-s", cidr, "!", "-o", plan.bridge, "-j", "MASQUERADE"]);
    if (!quirks.publishIgnored) {
      for (const p of plan.publish) rules.push(["PREROUTING", "-p", "tcp", "--dport", String(p.host), "-j", "DNAT", "--to-destination", `${address}:${p.container}`]);
    }
    for (const [chain, ...rule] of rules) iptables(["-t", "nat", "-A", chain!, ...rule]), record.rules.push([chain!, ...rule]);
  } catch (e) {
    detach(record, {});
    throw e;
  }
  return record;
}

/** The bridge, the veth pair, eth0's address and the default route. */
function wire(pid: number, plan: NetworkPlan, quirks: Quirks, address: string, prefix: number): void {
  const gateway = toIp(plan.network + 1);
  writeFileSync("/proc/sys/net/ipv4/ip_forward", "1");
  const host = new Rtnetlink();
  const containerNs = check(libc.open(cstr(`/proc/${pid}/ns/net`), O.CLOEXEC, 0), `open /proc/${pid}/ns/net`);
  const ownNs = check(libc.open(cstr("/proc/thread-self/ns/net"), O.CLOEXEC, 0), "open /proc/thread-self/ns/net");
  try {
    unlessExists(() => host.addBridge(plan.bridge));
    const bridge = ifindex(plan.bridge);
    if (!quirks.bridgeWithoutAddress) unlessExists(() => host.addAddress(bridge, gateway, plan.prefix, plan.bridge));
    host.up(bridge, plan.bridge);
    const hostEnd = `veth${pid.toString(16)}`;
    host.addVeth(hostEnd, bridge, "eth0", containerNs);
    host.up(ifindex(hostEnd), hostEnd);
    // Into the container's namespace for the other end (this thread only), and back.
    check(libc.setns(containerNs, CLONE.network), "setns into the container's network namespace");
    try {
      const inside = new Rtnetlink();
      try {
        const eth0 = ifindex("eth0");
        inside.addAddress(eth0, address, prefix, "eth0");
        inside.up(eth0, "eth0");
        if (!quirks.noDefaultRoute) inside.addDefaultRoute(eth0, gateway);
      } finally {
        inside.close();
      }
    } finally {
      check(libc.setns(ownNs, CLONE.network), "setns back to the runtime's network namespace");
    }
  } finally {
    host.close();
    libc.close(containerNs);
    libc.close(ownNs);
  }
}
