import type { CommandResult } from "../../harness/clients/command.ts";
import { inNs, sh } from "../../harness/netns/ip.ts";
import { clientIn, useNetwork } from "../../harness/netns/case.ts";
import { insideNetns } from "../../harness/netns/inside.ts";
import { twoHosts, type Node } from "../../harness/netns/topology.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";
import { Bundle } from "./bundle.ts";

const VETH = "Make a veth pair over rtnetlink (RTM_NEWLINK, IFLA_LINKINFO kind \"veth\", the peer's IFLA_NET_NS_FD an fd of /proc/<init pid>/ns/net), the host end enslaved to the bridge (IFLA_MASTER) and up; in the container's namespace (setns), give eth0 an address of the network (RTM_NEWADDR) and set it up, all before the program runs.";
const ROUTE = "Add the container's default route via the bridge's address (RTM_NEWROUTE, RTA_GATEWAY = the first address of the network, RTA_OIF = eth0), in the container's namespace, before the program runs.";
const NAT = "Masquerade what leaves the network for elsewhere, in the host's namespace: iptables -t nat -A POSTROUTING -s <cidr> ! -o <bridge> -j MASQUERADE (and net.ipv4.ip_forward = 1), so that replies come back to the host and are translated back to the container.";
const PUBLISH = "For --publish=<host port>:<container port>, redirect TCP to the host's port to the container: iptables -t nat -A PREROUTING -p tcp --dport <host port> -j DNAT --to-destination <container address>:<container port>.";
const CLEANUP = "When the container ends, delete the rules you added (iptables -t nat -D with the same rule), as Docker does when a container stops.";
const CREATE = "create takes --network and --publish too: wire the container (bridge, veth pair, eth0's address and default route, the NAT rules) while its first process waits for start, so that eth0 is up with its address by the time create returns; keep what you added in the container's state, for delete.";
const LEASE = "Several containers share one bridge: give each an address no other container holds (lease it, for example with a file per address under --root made with O_CREAT|O_EXCL, removed when the container ends or is deleted), so that they reach each other by address across the bridge.";
const DELETE = "For a container made with create --network, delete removes the rules its create added (iptables -t nat -D), and gives its address back.";

interface Net {
  /** The host: the runtime runs in its namespace, the bridge is made there. */
  host: Node;
  /** Another machine, on a link to the host only. */
  outside: Node;
  hostIp: string;
  outsideIp: string;
  bridge: string;
  /** The network's first three octets: the CIDR is <net>.0/24. */
  net: string;
  cidr: string;
}

function network(t: CaseContext): Net {
  const topo = useNetwork(t, () => twoHosts());
  const host = topo.node("a");
  const outside = topo.node("b");
  const net = topo.lease.subnet(1);
  return { host, outside, hostIp: host.ifaces[0]!.ip, outsideIp: outside.ifaces[0]!.ip, bridge: `ctbr${t.rand.int(0, 9999)}`, net, cidr: `${net}.0/24` };
}

function netBundle(t: CaseContext, script: string): Bundle {
  const b = new Bundle(t, ["/bin/sh", "-c", script]);
  b.config.linux.namespaces.push({ type: "network" });
  return b;
}

/**
 * `--root <state> run -b <bundle> --network=bridge:<bridge>,<cidr> [--publish=…] <id>`, in the host's network namespace:
 * entered with nsenter, not `ip netns exec`, which mounts a new /sys and so hides the cgroup file systems.
 */
function runArgv(b: Bundle, n: Net, publish?: string): { args: string[]; wrap: string[] } {
  const args = b.runArgs();
  const flags = [`--network=bridge:${n.bridge},${n.cidr}`, ...(publish ? [`--publish=${publish}`] : [])];
  return { args: [...args.slice(0, -1), ...flags, args.at(-1)!], wrap: ["nsenter", `--net=/run/netns/${n.host.ns}`, ...b.sandbox()] };
}

async function runIn(t: CaseContext, b: Bundle, n: Net): Promise<CommandResult> {
  b.write();
  const { args, wrap } = runArgv(b, n);
  return t.run(args, { timeoutMs: 15000, cwd: b.dir, wrap });
}

const line = (r: CommandResult, label: string) => r.stdout.split("\n").find((l) => l.startsWith(`${label} [`))?.slice(label.length + 2, -1) ?? `(no line "${label} […]")`;

function ranOk(t: CaseContext, r: CommandResult, hint: string): void {
  if (r.code !== 0) t.fail({ message: `Your runtime exited with status ${r.code} (the container's shell exits 0).`, received: r.output, hint });
}

const natRules = (n: Net) => sh(inNs(n.host.ns, ["iptables", "-w", "5", "-t", "nat", "-S"])).trim();

export default stage(import.meta, [
  {
    name: "eth0 in the container has an address of the network and a default route via the bridge",
    async run(t) {
      const n = network(t);
      const gateway = `${n.net}.1`;
      const script = [
        `echo "addr [$(ip -o -4 addr show dev eth0 | sed -n 's/.* inet \\([0-9.\\/]*\\).*/\\1/p')]"`,
        `echo "route [$(ip route | grep '^default' | sed 's/ *$//')]"`,
        `if ping -c 1 -W 3 ${gateway} >/dev/null 2>&1; then echo "ping [ok]"; else echo "ping [no answer]"; fi`,
      ].join("; ");
      const r = await runIn(t, netBundle(t, script), n);
      ranOk(t, r, VETH);
      const addr = line(r, "addr");
      const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(addr);
      if (!m) return t.fail({ message: "ip -o -4 addr show dev eth0 inside the container shows no IPv4 address.", expected: `an address of ${n.cidr}`, received: r.output, hint: VETH });
      const ip = addr.split("/")[0]!;
      const last = Number(m[4]);
      if (!ip.startsWith(`${n.net}.`) || m[5] !== "24") {
        t.fail({ message: `eth0's address ${addr} is outside the network ${n.cidr} given with --network.`, expected: `${n.net}.2 to ${n.net}.254, prefix length 24`, received: addr, hint: VETH });
      }
      if (last === 0 || last === 1 || last === 255) t.fail({ message: `eth0's address ${addr} is the network's ${last === 1 ? "first address (the bridge's)" : last === 0 ? "network address" : "broadcast address"}.`, expected: `${n.net}.2 to ${n.net}.254`, received: addr, hint: VETH });
      t.expectEqual(line(r, "route"), `default via ${gateway} dev eth0`, { message: "ip route inside the container: the default route should go via the bridge's address (the network's first).", hint: ROUTE });
      const bridgeAddr = sh(["ip", "-n", n.host.ns, "-o", "-4", "addr", "show", "dev", n.bridge]);
      if (!bridgeAddr.includes(` ${gateway}/24 `)) t.fail({ message: `In the host's namespace, the bridge ${n.bridge} should hold ${gateway}/24.`, received: bridgeAddr, hint: "Make the bridge (RTM_NEWLINK, kind \"bridge\") if it is missing, give it the network's first address (RTM_NEWADDR) and set it up." });
      t.expectEqual(line(r, "ping"), "ok", { message: `ping ${gateway} (the bridge, in the host's namespace) from inside the container got no answer.`, hint: VETH });
    },
  },
  {
    name: "outbound connections reach another machine, masqueraded as the host",
    async run(t) {
      const n = network(t);
      const port = t.rand.int(20000, 40000);
      const peers: string[] = [];
      // A server on the outside machine that tells each client the address it sees it connect from.
      const server = insideNetns(n.outside.ns, () =>
        Bun.listen({
          hostname: n.outsideIp,
          port,
          socket: {
            open(s) {
              peers.push(s.remoteAddress);
              s.end(`peer ${s.remoteAddress}\n`);
            },
            data() {},
          },
        }),
      );
      t.defer(() => server.stop(true));
      t.log.note(`in ${n.outside.ns}, a server on ${n.outsideIp}:${port} answers "peer <the client's address>" to every connection; the outside machine has no route to ${n.cidr}`);
      const r = await runIn(t, netBundle(t, `echo "got [$(nc -w 5 ${n.outsideIp} ${port} </dev/null 2>&1)]"`), n);
      ranOk(t, r, NAT);
      t.expectEqual(line(r, "got"), `peer ${n.hostIp}`, {
        message: `nc ${n.outsideIp} ${port} inside the container should reach the outside machine, which should see the connection come from the host's address ${n.hostIp}${peers.length ? ` (it saw: ${peers.join(", ")})` : " (it saw no connection)"}.`,
        hint: peers.length === 0 ? `${ROUTE} ${NAT}` : NAT,
      });
    },
  },
  {
    name: "a published port of the host reaches the container's port; the rules are gone when it ends",
    async run(t) {
      const n = network(t);
      const before = natRules(n);
      const ctrPort = t.rand.int(1000, 9999);
      const hostPort = t.rand.int(20000, 40000);
      const token = `${t.rand.word()}-${t.rand.int(1000, 9999)}`;
      const body = `${token}\n`;
      const b = netBundle(t, `printf 'HTTP/1.0 200 OK\\r\\nContent-Length: ${body.length}\\r\\nConnection: close\\r\\n\\r\\n${token}\\n' | nc -l -p ${ctrPort} >/dev/null; echo served`);
      b.write();
      const { args, wrap } = runArgv(b, n, `${hostPort}:${ctrPort}`);
      const program = await t.start({ args, ready: "none", wrap, exitExpected: true });
      const url = `http://${n.hostIp}:${hostPort}/`;
      let got: CommandResult | undefined;
      const deadline = Date.now() + 10000;
      while (Date.now() < deadline && program.process.exitCode === null) {
        got = await clientIn(t, n.outside.ns, "curl", ["curl", "-s", "-S", "--max-time", "2", url], { timeoutMs: 4000, quietStderr: true });
        if (got.code === 0) break;
        await Bun.sleep(250);
      }
      if (got?.code !== 0 || got.stdout !== body) {
        t.fail({ message: `curl ${url} from the outside machine should reach the container's server on port ${ctrPort} (published as ${hostPort}:${ctrPort}) and get its body.`, expected: body, received: got ? got.output || "(nothing)" : "(your runtime exited before curl could try)", detail: program.process.output.tail(10), hint: PUBLISH });
      }
      const code = await program.process.waitExit(10000);
      if (code !== 0) t.fail({ message: `Your runtime should exit 0 once the container's server has answered (status ${code}).`, received: program.process.output.tail(10), hint: PUBLISH });
      t.expectEqual(natRules(n), before, { message: `iptables -t nat -S in the host's namespace after the container ended: the rules your runtime added should be gone.`, hint: CLEANUP });
    },
  },
  {
    name: "create --network wires the container before start; a second container on the bridge gets another address and reaches the first; delete removes the rules",
    async run(t) {
      const n = network(t);
      const before = natRules(n);
      const port = t.rand.int(1000, 9999);
      const token = `${t.rand.word()}-${t.rand.int(1000, 9999)}`;
      const addrLine = `echo "addr [$(ip -o -4 addr show dev eth0 | sed -n 's/.* inet \\([0-9.]*\\)\\/.*/\\1/p')]"`;
      const first = netBundle(t, `${addrLine}; echo ${token} | nc -l -p ${port}; echo served`);
      first.write();
      const wrap = ["nsenter", `--net=/run/netns/${n.host.ns}`, ...first.sandbox()];
      const flag = `--network=bridge:${n.bridge},${n.cidr}`;
      const created = await t.start({ args: ["--root", first.stateRoot, "create", "-b", first.dir, flag, first.id], ready: "none", env: { BUN_FEATURE_FLAG_NO_ORPHANS: "0" }, wrap, exitExpected: true });
      const code = await created.process.waitExit(15000);
      if (code !== 0) t.fail({ message: code === null ? `create ${flag} did not return within 15 s.` : `create ${flag} exited with status ${code}.`, expected: "exit status 0", received: created.process.output.tail(10), hint: CREATE });
      const state = await t.run(["--root", first.stateRoot, "state", first.id], { timeoutMs: 8000, cwd: first.dir, wrap });
      let pid = 0;
      try {
        pid = Number(JSON.parse(state.stdout).pid);
      } catch {
        t.fail({ message: `state ${first.id} after create should print the container's state as JSON.`, received: state.output, hint: CREATE });
      }
      const look = ["nsenter", `--net=/proc/${pid}/ns/net`, "ip", "-o", "-4", "addr", "show", "dev", "eth0"];
      const eth0 = Bun.spawnSync(look, { stdout: "pipe", stderr: "pipe" });
      t.log.note(`$ ${look.join(" ")}\n${eth0.stdout.toString()}${eth0.stderr.toString()}`);
      const created0 = / inet ([0-9.]+)\/24 /.exec(eth0.stdout.toString())?.[1];
      if (created0 === undefined || !created0.startsWith(`${n.net}.`)) t.fail({ message: `After create ${flag} (before start), eth0 in the container's network namespace (host pid ${pid}) should have an address of ${n.cidr}.`, expected: `inet ${n.net}.x/24`, received: `${eth0.stdout}${eth0.stderr}`.trim() || "(nothing)", hint: CREATE });
      const started = await t.run(["--root", first.stateRoot, "start", first.id], { timeoutMs: 8000, cwd: first.dir, wrap });
      if (started.code !== 0) t.fail({ message: `start ${first.id} exited with status ${started.code}.`, received: started.output, hint: CREATE });
      const script = `${addrLine}; i=0; while [ $i -lt 50 ]; do if out=$(nc -w 2 ${created0} ${port} </dev/null 2>/dev/null) && [ -n "$out" ]; then echo "got [$out]"; exit 0; fi; i=$((i+1)); sleep 0.2; done; echo "got [nothing]"`;
      const second = await runIn(t, netBundle(t, script), n);
      ranOk(t, second, LEASE);
      const addr = line(second, "addr");
      if (addr === created0) t.fail({ message: `The second container on the bridge ${n.bridge} got ${addr}, the address the first one holds.`, expected: `another address of ${n.cidr}`, received: addr, hint: LEASE });
      t.expectEqual(line(second, "got"), token, { message: `nc ${created0} ${port} from the second container should reach the first one's server across the bridge and get its line`, hint: LEASE });
      const del = await t.run(["--root", first.stateRoot, "delete", "-f", first.id], { timeoutMs: 8000, cwd: first.dir, wrap });
      if (del.code !== 0) t.fail({ message: `delete ${first.id} exited with status ${del.code}.`, received: del.output, hint: DELETE });
      t.expectEqual(natRules(n), before, { message: `iptables -t nat -S in the host's namespace after delete ${first.id}: the rules create added should be gone.`, hint: DELETE });
    },
  },
]);
