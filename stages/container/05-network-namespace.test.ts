import { readlinkSync } from "node:fs";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";
import { Bundle, findProcess } from "./bundle.ts";

const NETNS = "When linux.namespaces lists \"network\", unshare(CLONE_NEWNET) in the container's process (with the other namespaces it unshares): a new network namespace has its own interfaces, routes and ports, and nothing of the host's.";
const LOOPBACK = "A new network namespace has one interface, lo, and it is down: bring it up before execve, with ioctl(SIOCGIFFLAGS) then ioctl(SIOCSIFFLAGS) with IFF_UP on an AF_INET socket (netdevice(7)), or an RTM_NEWLINK message over rtnetlink. The kernel gives it 127.0.0.1 once it is up.";

/** sysfs at /sys, as `runc spec` writes it: in a new network namespace it shows that namespace's interfaces. */
const SYSFS = { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] };

function netBundle(t: CaseContext, args: string[]): Bundle {
  const b = new Bundle(t, args);
  b.config.linux.namespaces.push({ type: "network" });
  b.config.mounts.push(SYSFS);
  return b;
}

export default stage(import.meta, [
  {
    name: "the container has a network namespace of its own (seen from the host)",
    async run(t) {
      const sleep = ["/bin/sleep", `${t.rand.int(40, 90)}.${t.rand.int(100000, 999999)}`];
      const b = netBundle(t, sleep);
      const program = await b.start();
      const pid = await findProcess(sleep);
      if (pid === undefined) t.fail({ message: "The container's process did not appear on the host within 5 s.", hint: NETNS, detail: program.process.output.tail(10) });
      const inside = readlinkSync(`/proc/${pid}/ns/net`);
      const host = readlinkSync("/proc/self/ns/net");
      if (inside === host) t.fail({ message: `The container's process (host pid ${pid}) is in the host's network namespace (readlink /proc/${pid}/ns/net = ${inside}, the same as the host's).`, hint: NETNS });
    },
  },
  {
    name: "the container has only lo, it is up, and its loopback carries connections",
    async run(t) {
      const port = t.rand.int(20000, 40000);
      const token = `${t.rand.word()}-${t.rand.int(1000, 9999)}`;
      const script = [
        `echo "proc [$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\\n' ' ')]"`,
        `echo "sys [$(ls /sys/class/net | tr '\\n' ' ')]"`,
        `echo "flags $(ip -o link show lo | cut -d'<' -f2 | cut -d'>' -f1)"`,
        // A server on the container's own loopback, and a client that retries until it answers.
        `(echo ${token} | nc -l -p ${port} >/dev/null 2>&1 &)`,
        `i=0; while [ $i -lt 50 ]; do got=$(nc -w 2 127.0.0.1 ${port} </dev/null 2>/dev/null); [ -n "$got" ] && break; i=$((i+1)); sleep 0.1; done`,
        `echo "loopback [$got]"`,
      ].join("; ");
      const b = netBundle(t, ["/bin/sh", "-c", script]);
      const r = await b.run({ timeoutMs: 15000 });
      const line = (label: string) => r.stdout.split("\n").find((l) => l.startsWith(`${label} `)) ?? `(no line starting "${label} ")`;
      t.expectEqual(line("proc"), "proc [lo ]", { message: "/proc/net/dev inside the container should list one interface: lo.", hint: NETNS });
      t.expectEqual(line("sys"), "sys [lo ]", { message: "/sys/class/net inside the container (sysfs mounted at /sys) should list one interface: lo.", hint: NETNS });
      const flags = line("flags").slice("flags ".length).split(",");
      if (!flags.includes("UP")) t.fail({ message: "ip link show lo inside the container: lo is not UP.", expected: "flags including UP", received: flags.join(","), hint: LOOPBACK });
      t.expectEqual(line("loopback"), `loopback [${token}]`, { message: `Inside the container, nc to 127.0.0.1:${port} should reach the container's own nc -l on that port (the line it serves).`, hint: LOOPBACK });
    },
  },
  {
    name: "a server on the host's loopback is unreachable from inside the container",
    async run(t) {
      const port = await t.port();
      const token = `${t.rand.word()}-${t.rand.int(1000, 9999)}`;
      let connections = 0;
      const server = Bun.listen({
        hostname: "127.0.0.1",
        port,
        socket: {
          open(s) {
            connections++;
            s.end(`${token}\n`);
          },
          data() {},
        },
      });
      t.defer(() => server.stop(true));
      t.log.note(`a server on the host's 127.0.0.1:${port} answers "${token}" to every connection`);
      const b = netBundle(t, ["/bin/sh", "-c", `echo "got [$(nc -w 2 127.0.0.1 ${port} </dev/null 2>&1)]"`]);
      const r = await b.run();
      if (r.stdout.includes(token) || connections > 0) {
        t.fail({ message: `The container reached the host's server on 127.0.0.1:${port} (${connections} connection(s) from it): it shares the host's loopback.`, received: r.output, hint: NETNS });
      }
      if (!r.stdout.startsWith("got [")) t.fail({ message: "The container's shell printed nothing.", received: r.output, hint: NETNS });
    },
  },
]);
