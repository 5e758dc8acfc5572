/**
 * A TCP relay the test puts between a program and its server, so that it can
 * cut the connection on demand (both halves closed, as a dropped network path
 * looks once the kernel gives up), freeze it (nothing forwarded and nothing
 * closed: a path that died silently), and refuse new ones for a while (a
 * server that is down). Counts the connections it accepted. Stops when the
 * case ends.
 */
import net from "node:net";
import type { CaseContext } from "../../../harness/stage/context.ts";

export class TcpProxy {
  private readonly live = new Set<net.Socket>();
  private readonly pairs: [net.Socket, net.Socket][] = [];
  /** Connections accepted so far (refused ones included). */
  accepted = 0;
  /** When each of them was accepted (Date.now()). */
  readonly acceptedAt: number[] = [];
  private refusing = false;
  /** Connections whose client → server bytes are held back, and how to let them go. */
  private readonly held = new Map<net.Socket, () => void>();

  private constructor(
    private readonly t: CaseContext,
    readonly port: number,
    readonly target: number,
  ) {}

  static async start(t: CaseContext, target: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(t, await t.port(), target);
    const server = net.createServer((inbound) => proxy.onConnection(inbound));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(proxy.port, "127.0.0.1", () => resolve());
    });
    t.log.output(`(a TCP relay the test runs: 127.0.0.1:${proxy.port} → 127.0.0.1:${target})`);
    t.defer(() => {
      proxy.cutQuietly();
      server.close();
    });
    return proxy;
  }

  private onConnection(inbound: net.Socket): void {
    this.accepted++;
    this.acceptedAt.push(Date.now());
    inbound.on("error", () => {});
    if (this.refusing) {
      inbound.destroy();
      return;
    }
    const outbound = net.connect({ host: "127.0.0.1", port: this.target });
    outbound.on("error", () => inbound.destroy());
    inbound.on("error", () => outbound.destroy());
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    inbound.on("close", () => outbound.destroy());
    outbound.on("close", () => inbound.destroy());
    this.live.add(inbound).add(outbound);
    this.pairs.push([inbound, outbound]);
    inbound.on("close", () => this.live.delete(inbound));
    outbound.on("close", () => this.live.delete(outbound));
  }

  /** Connections being relayed now. */
  get open(): number {
    return this.live.size / 2;
  }

  /** Closes every relayed connection, both sides. */
  cut(): void {
    this.t.log.note(`the test cuts the connection(s) through its relay (127.0.0.1:${this.port})`);
    this.cutQuietly();
  }

  private cutQuietly(): void {
    for (const s of this.live) s.destroy();
    this.live.clear();
  }

  /**
   * Stops forwarding on every relayed connection without closing anything:
   * bytes sent into it vanish (the kernel still acknowledges them), as on a
   * path that died silently. New connections are relayed as usual.
   */
  freeze(): void {
    this.t.log.note(`the test freezes the connection(s) through its relay (127.0.0.1:${this.port}): nothing more is forwarded, nothing is closed`);
    for (const [a, b] of this.pairs.splice(0)) {
      a.unpipe(b);
      b.unpipe(a);
      // Read and drop, so that nothing pushes back either.
      a.removeAllListeners("data");
      b.removeAllListeners("data");
      a.on("data", () => {});
      b.on("data", () => {});
    }
  }

  /**
   * Holds back what the program sends through the relay (client → server) on
   * every relayed connection: kept, in order, not forwarded, until
   * `release()`. The other direction flows as usual.
   */
  hold(): void {
    this.t.log.note(`the relay (127.0.0.1:${this.port}) holds back what the client sends to the server`);
    for (const [inbound, outbound] of this.pairs) {
      if (this.held.has(inbound)) continue;
      const kept: Buffer[] = [];
      const keep = (d: Buffer) => kept.push(d);
      inbound.unpipe(outbound);
      inbound.on("data", keep);
      this.held.set(inbound, () => {
        inbound.removeListener("data", keep);
        for (const d of kept) outbound.write(d);
        inbound.pipe(outbound);
      });
    }
  }

  /** Forwards what `hold()` kept, then everything as usual. */
  release(): void {
    this.t.log.note(`the relay (127.0.0.1:${this.port}) forwards what it held, and everything after`);
    for (const resume of this.held.values()) resume();
    this.held.clear();
  }

  /** While on, new connections are accepted and closed at once (the server looks down). */
  refuse(on: boolean): void {
    this.refusing = on;
    this.t.log.note(on ? "the relay now closes every new connection at once (the server looks down)" : "the relay forwards new connections again");
  }
}
