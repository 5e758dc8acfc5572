/**
 * Networks in a stage case: build a topology for the case (removed when it
 * ends, whatever the outcome), run real clients and programs inside one of its
 * namespaces. The transcript shows the `ip netns exec <ns> …` form, so every
 * `$` line can be re-run by hand once the network is rebuilt with the first one.
 */
import { requireBinary } from "../clients/require.ts";
import type { CommandResult } from "../clients/command.ts";
import { absolutize } from "../impl.ts";
import { isListening } from "../process/listening.ts";
import { GroupProcess } from "../process/spawn.ts";
import { StageFailure } from "../report/failure.ts";
import { shellLine, shellQuote } from "../report/show.ts";
import type { CaseContext, ClientOptions } from "../stage/context.ts";
import { printable, shellArgv } from "../stage/program.ts";
import { inNs } from "./ip.ts";
import { insideNetns } from "./inside.ts";
import type { RelayPlan } from "./relay.ts";
import type { Topology } from "./topology.ts";

/** Builds a topology for this case; it is torn down when the case ends. */
export function useNetwork(t: CaseContext, make: () => Topology): Topology {
  const topo = make();
  t.defer(() => topo.teardown());
  const nodes = [...topo.nodes.values()].map((n) => `${n.ns} (${n.ifaces.map((i) => `${i.name} ${i.ip}/${i.prefixLength} ${i.mac}`).join(", ")})`);
  t.log.note(`network: ${nodes.join(" <-> ")}; rebuilt by:`);
  t.log.command(topo.script);
  return topo;
}

/** Runs a real client inside a namespace, bounded; fails naming the package if it is missing. */
export async function clientIn(t: CaseContext, ns: string, pkg: string, argv: string[], opts: ClientOptions = {}): Promise<CommandResult> {
  requireBinary(argv[0]!, pkg);
  return t.client("iproute2", inNs(ns, argv), opts);
}

/** A process running inside a namespace for the rest of the case. */
export interface NetnsProcess {
  readonly ns: string;
  /** As shown in the transcript: `ip netns exec <ns> …`. */
  readonly commandLine: string;
  readonly process: GroupProcess;
  stop(): Promise<void>;
}

function startArgv(t: CaseContext, ns: string, argv: string[], display: string, env?: Record<string, string>): NetnsProcess {
  const vars = env ? `${Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`).join(" ")} ` : "";
  const commandLine = `${vars}ip netns exec ${ns} ${display}`;
  t.log.command(`${commandLine} &`);
  const proc = new GroupProcess(inNs(ns, argv), { cwd: t.dir, env });
  const handle: NetnsProcess = { ns, commandLine, process: proc, stop: () => proc.stop() };
  t.defer(() => proc.stop());
  return handle;
}

/** Starts the program under test (the case's implementation) with `args`, inside a namespace, in the background, with `env` added to its environment. */
export function startProgramIn(t: CaseContext, ns: string, args: string[], env?: Record<string, string>): NetnsProcess {
  return startArgv(t, ns, shellArgv(absolutize(t.impl.command, t.impl.base), args), printable(t.impl.command, args), env);
}

/** Starts a real client or server inside a namespace in the background (stopped when the case ends). */
export function backgroundIn(t: CaseContext, ns: string, pkg: string, argv: string[]): NetnsProcess {
  requireBinary(argv[0]!, pkg);
  return startArgv(t, ns, argv, shellLine(argv));
}

const ECHO_SERVER = new URL("./echo-server.ts", import.meta.url).pathname;

/**
 * A small UDP or TCP echo server inside a namespace: it sends back every
 * datagram, or every byte of each connection. Waits (bounded) until it listens.
 */
export async function echoServerIn(t: CaseContext, ns: string, proto: "udp" | "tcp", port: number): Promise<NetnsProcess> {
  const p = startArgv(t, ns, [process.execPath, ECHO_SERVER, proto, String(port)], `bun ${ECHO_SERVER} ${proto} ${port}`);
  const deadline = Date.now() + 5000;
  while (!insideNetns(ns, () => isListening(port, proto))) {
    if (p.process.exitCode !== null || Date.now() > deadline) {
      throw new StageFailure({ message: `The harness's ${proto} echo server in ${ns} did not listen on port ${port}.`, detail: p.process.output.tail(10) });
    }
    await Bun.sleep(10);
  }
  return p;
}

const RELAY = new URL("./relay.ts", import.meta.url).pathname;

/**
 * Starts the harness's UDP relay inside a namespace (see relay.ts for the
 * plan: delay, and which datagrams to drop, duplicate or swap) and waits
 * (bounded) until it listens.
 */
export async function relayIn(t: CaseContext, ns: string, plan: RelayPlan): Promise<NetnsProcess> {
  const json = JSON.stringify(plan);
  const p = startArgv(t, ns, [process.execPath, RELAY, json], `bun ${RELAY} ${shellQuote(json)}`);
  const port = Number(plan.listen.slice(plan.listen.lastIndexOf(":") + 1));
  const deadline = Date.now() + 5000;
  while (!insideNetns(ns, () => isListening(port, "udp"))) {
    if (p.process.exitCode !== null || Date.now() > deadline) {
      throw new StageFailure({ message: `The harness's relay in ${ns} did not listen on ${plan.listen}.`, detail: p.process.output.tail(10) });
    }
    await Bun.sleep(10);
  }
  return p;
}
