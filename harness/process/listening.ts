import { readFileSync } from "node:fs";

/** The rows of the kernel's socket tables (/proc/net/<proto> and <proto>6), split into columns: 1 is the local address, 2 the remote one, 3 the state. */
export function* socketRows(proto: "tcp" | "udp"): Generator<string[]> {
  for (const file of [`/proc/net/${proto}`, `/proc/net/${proto}6`]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) if (line.trim()) yield line.trim().split(/\s+/);
  }
}

/** A port as /proc/net writes it in an address: four upper-case hex digits. */
export function hexPort(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, "0");
}

/**
 * Whether some socket on this machine listens on `port`: a TCP socket in
 * LISTEN state, or a bound UDP socket, read from /proc/net. Reading the
 * kernel's table (rather than connecting) works for any protocol and never
 * sends the program a connection it did not expect.
 */
export function isListening(port: number, proto: "tcp" | "udp"): boolean {
  const suffix = `:${hexPort(port)}`;
  for (const cols of socketRows(proto)) {
    if (cols[1]?.endsWith(suffix) && cols[3] === (proto === "tcp" ? "0A" : "07")) return true;
  }
  return false;
}
