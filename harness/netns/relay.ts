/**
 * A UDP relay the harness controls, for the delay, loss, duplication and
 * reordering the kernel here cannot add (no netem). It listens on one
 * address, forwards each datagram to a target, and relays the target's
 * replies back to whoever sent the request. What happens to a datagram is set
 * by its number (1, 2, 3… in each direction), never by chance, so a test sees
 * the same network every run:
 *
 *   bun relay.ts '{"listen":"10.1.0.2:9000","target":"10.1.0.1:7007","delayMs":40,"drop":[3],"duplicate":[5],"swap":[7]}'
 *
 * `drop`, `duplicate` and `swap` number the datagrams towards the target:
 * dropped ones are not forwarded, duplicated ones are forwarded twice, a
 * swapped one is held back and forwarded after the next one. Both directions
 * get `delayMs`; replies are otherwise relayed as they come.
 * Start it inside a namespace with relayIn() (case.ts).
 */
export {};

export interface RelayPlan {
  listen: string;
  target: string;
  delayMs?: number;
  drop?: number[];
  duplicate?: number[];
  swap?: number[];
}

type Sock = Bun.udp.Socket<"buffer">;

function hostPort(s: string): [string, number] {
  const i = s.lastIndexOf(":");
  return [s.slice(0, i), Number(s.slice(i + 1))];
}

/** Applies the plan to one direction's datagrams, numbered from 1. */
function direction(plan: RelayPlan, send: (data: Uint8Array, to: [string, number]) => void) {
  let n = 0;
  let held: (() => void) | undefined;
  return (data: Uint8Array, to: [string, number]) => {
    const k = ++n;
    if (plan.drop?.includes(k)) return;
    const copy = Buffer.from(data);
    const go = () => {
      send(copy, to);
      if (plan.duplicate?.includes(k)) send(copy, to);
    };
    const later = (fn: () => void) => (plan.delayMs ? setTimeout(fn, plan.delayMs) : fn());
    // A datagram held back by `swap` goes out right after the next one.
    const previous = held;
    held = undefined;
    if (plan.swap?.includes(k)) {
      held = go;
      if (previous) later(previous);
    } else {
      later(() => {
        go();
        previous?.();
      });
    }
  };
}

if (import.meta.main) {
  const plan = JSON.parse(process.argv[2] ?? "{}") as RelayPlan;
  const [lhost, lport] = hostPort(plan.listen);
  const target = hostPort(plan.target);
  const upstreams = new Map<string, Sock>();
  let front: Sock;
  const back = direction({ listen: plan.listen, target: plan.target, delayMs: plan.delayMs }, (d, to) => void front.send(d, to[1], to[0]));
  const forth = direction(plan, (d, to) => void upstreams.get(`${to}`)?.send(d, target[1], target[0]));
  front = await Bun.udpSocket({
    hostname: lhost,
    port: lport,
    socket: {
      async data(_s, data, port, address) {
        const key = `${address},${port}`;
        if (!upstreams.has(key)) {
          // One socket towards the target per client, so replies find their way back.
          upstreams.set(key, await Bun.udpSocket({ socket: { data: (_u, reply) => back(reply, [address, port]) } }));
        }
        forth(data, [address, port]);
      },
    },
  });
  console.log(`relay ${plan.listen} -> ${plan.target} ready`);
}
