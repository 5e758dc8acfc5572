/**
 * Small networks of network namespaces for tests: two hosts on a veth pair, a
 * routed chain h1 – r1 – r2 – h2, a host behind a NAT router. A topology is
 * built from a leased slot (namespace names and subnets no other test process
 * holds) and removed with teardown(): deleting a namespace removes its
 * interfaces, routes and iptables rules with it. IPv6 is off unless asked for,
 * so the kernel sends nothing by itself (no router solicitations, no MLD).
 */
import { shellLine } from "../report/show.ts";
import { sh, shQuiet } from "./ip.ts";
import { leaseSlot, type Lease } from "./lease.ts";

export interface Interface {
  /** Its name inside the node's namespace. */
  name: string;
  ip: string;
  prefixLength: number;
  mac: string;
}

export interface Node {
  role: string;
  /** The network namespace: run commands in it with `ip netns exec <ns> …`. */
  ns: string;
  ifaces: Interface[];
}

export interface TopologyOptions {
  /** Leave IPv6 on (the kernel then sends router solicitations and MLD reports by itself). Default off. */
  ipv6?: boolean;
}

const hex2 = (n: number) => (n & 255).toString(16).padStart(2, "0");

export class Topology {
  readonly nodes = new Map<string, Node>();
  /** Every command that built it, in order: one `$` line re-creates it. */
  readonly commands: string[][] = [];
  private readonly created: string[] = [];
  private links = 0;
  private removed = false;

  constructor(
    readonly lease: Lease,
    private readonly opts: TopologyOptions = {},
  ) {}

  node(role: string): Node {
    const n = this.nodes.get(role);
    if (!n) throw new Error(`this topology has no node "${role}" (it has ${[...this.nodes.keys()].join(", ")})`);
    return n;
  }

  /** The namespaces, in the order they were made. */
  get namespaces(): string[] {
    return [...this.created];
  }

  /** The shell line that rebuilds this topology by hand. */
  get script(): string {
    return this.commands.map(shellLine).join(" && ");
  }

  private run(argv: string[]): void {
    this.commands.push(argv);
    sh(argv);
  }

  addNode(role: string): Node {
    const ns = this.lease.ns(role);
    this.run(["ip", "netns", "add", ns]);
    this.created.push(ns);
    if (!this.opts.ipv6) {
      // Before any interface exists, so the veths are made without IPv6.
      this.run(["ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"]);
    }
    this.run(["ip", "-n", ns, "link", "set", "lo", "up"]);
    const node: Node = { role, ns, ifaces: [] };
    this.nodes.set(role, node);
    return node;
  }

  /** A veth pair between two nodes on subnet `subnet` of the lease, host parts `hostA` and `hostB`. */
  link(a: Node, nameA: string, hostA: number, b: Node, nameB: string, hostB: number, subnet: number): [Interface, Interface] {
    const net = this.lease.subnet(subnet);
    const l = this.links++;
    const mac = (side: number) => `02:5c:${hex2(this.lease.slot >> 8)}:${hex2(this.lease.slot)}:${hex2(l)}:${hex2(side)}`;
    const ia: Interface = { name: nameA, ip: `${net}.${hostA}`, prefixLength: 24, mac: mac(1) };
    const ib: Interface = { name: nameB, ip: `${net}.${hostB}`, prefixLength: 24, mac: mac(2) };
    this.run(["ip", "link", "add", "name", nameA, "address", ia.mac, "netns", a.ns, "type", "veth", "peer", "name", nameB, "address", ib.mac, "netns", b.ns]);
    for (const [node, i] of [[a, ia], [b, ib]] as const) {
      this.run(["ip", "-n", node.ns, "addr", "add", `${i.ip}/${i.prefixLength}`, "dev", i.name]);
      this.run(["ip", "-n", node.ns, "link", "set", i.name, "up"]);
      node.ifaces.push(i);
    }
    return [ia, ib];
  }

  route(n: Node, to: string, via: string): void {
    this.run(["ip", "-n", n.ns, "route", "add", to, "via", via]);
  }

  forwarding(n: Node): void {
    this.run(["ip", "netns", "exec", n.ns, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
  }

  iptables(n: Node, rule: string[]): void {
    this.run(["ip", "netns", "exec", n.ns, "iptables", ...rule]);
  }

  /** Removes every namespace (with its interfaces, routes and rules) and releases the lease. Never throws; idempotent. */
  teardown(): void {
    if (this.removed) return;
    this.removed = true;
    for (const ns of this.created.reverse()) shQuiet(["ip", "netns", "del", ns]);
    this.lease.release();
  }
}

/** Builds a topology, tearing down what was made if a step fails. */
function build(opts: TopologyOptions, steps: (t: Topology) => void): Topology {
  const topo = new Topology(leaseSlot(), opts);
  try {
    steps(topo);
  } catch (e) {
    topo.teardown();
    throw e;
  }
  return topo;
}

/** Two hosts on one veth pair: a (veth-a, .1) and b (veth-b, .2) on subnet 0. */
export function twoHosts(opts: TopologyOptions = {}): Topology {
  return build(opts, (t) => {
    t.link(t.addNode("a"), "veth-a", 1, t.addNode("b"), "veth-b", 2, 0);
  });
}

/**
 * A routed chain h1 – r1 – r2 – h2 with forwarding on in the routers:
 * h1 .1 / r1 .254 on subnet 0, r1 .1 / r2 .2 on subnet 1, r2 .254 / h2 .1 on subnet 2.
 */
export function routedChain(opts: TopologyOptions = {}): Topology {
  return build(opts, (t) => {
    const [h1, r1, r2, h2] = ["h1", "r1", "r2", "h2"].map((r) => t.addNode(r)) as [Node, Node, Node, Node];
    const [, r1a] = t.link(h1, "h1-r1", 1, r1, "r1-h1", 254, 0);
    const [r1b, r2a] = t.link(r1, "r1-r2", 1, r2, "r2-r1", 2, 1);
    const [r2b] = t.link(r2, "r2-h2", 254, h2, "h2-r2", 1, 2);
    t.forwarding(r1);
    t.forwarding(r2);
    t.route(h1, "default", r1a.ip);
    t.route(r1, `${t.lease.subnet(2)}.0/24`, r2a.ip);
    t.route(r2, `${t.lease.subnet(0)}.0/24`, r1b.ip);
    t.route(h2, "default", r2b.ip);
  });
}

/**
 * A host behind a NAT router: inside (in-r, .2 on subnet 0) – router (r-in .1 |
 * r-out .1 on subnet 1, MASQUERADE out of r-out) – outside (out-r, .2 on subnet 1).
 * The outside host has no route to subnet 0: only the NAT lets replies back.
 */
export function behindNat(opts: TopologyOptions = {}): Topology {
  return build(opts, (t) => {
    const [inside, router, outside] = ["in", "nat", "out"].map((r) => t.addNode(r)) as [Node, Node, Node];
    const [, rIn] = t.link(inside, "in-r", 2, router, "r-in", 1, 0);
    t.link(router, "r-out", 1, outside, "out-r", 2, 1);
    t.forwarding(router);
    t.route(inside, "default", rIn.ip);
    t.iptables(router, ["-t", "nat", "-A", "POSTROUTING", "-s", `${t.lease.subnet(0)}.0/24`, "-o", "r-out", "-j", "MASQUERADE"]);
  });
}
