import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { claimLock, ensureLockRoot, releaseLock } from "./lock-claim.ts";
import { onEmergency } from "./reaper.ts";

/**
 * Ports for programs under test. Several test processes (bun test --parallel)
 * allocate at once, so a port is claimed with a lock directory (lock-claim.ts;
 * locks of dead owners are reclaimed). A claimed port is then checked free on
 * 127.0.0.1 for both TCP and UDP. Ports come from 20000–32767, below Linux's ephemeral
 * range (32768–60999), so clients' outgoing connections never take them.
 */
const LOCK_DIR = join(tmpdir(), "syscraft-ports");
const LOW = 20000;
const HIGH = 32767;
const held = new Set<number>();

function claim(port: number): boolean {
  return claimLock(LOCK_DIR, String(port));
}

function unlock(port: number): void {
  releaseLock(LOCK_DIR, String(port));
}

function tcpFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

function udpFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket("udp4");
    sock.once("error", () => {
      sock.close();
      resolve(false);
    });
    sock.bind(port, host, () => sock.close(() => resolve(true)));
  });
}

/** Claims a free port (TCP and UDP) on loopback. Release it with releasePort. */
export async function allocatePort(): Promise<number> {
  ensureLockRoot(LOCK_DIR);
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (held.has(port) || !claim(port)) continue;
    if ((await tcpFree(port, "127.0.0.1")) && (await udpFree(port, "127.0.0.1"))) {
      held.add(port);
      return port;
    }
    unlock(port);
  }
  throw new Error(`could not find a free port in ${LOW}-${HIGH} after 200 tries`);
}

export function releasePort(port: number): void {
  if (!held.delete(port)) return;
  unlock(port);
}

export function releaseAllPorts(): void {
  for (const port of [...held]) releasePort(port);
}

onEmergency(releaseAllPorts);
