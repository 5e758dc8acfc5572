import { readFileSync } from "node:fs";

/**
 * Whether some socket on this machine listens on `port`: a TCP socket in
 * LISTEN state, or a bound UDP socket, read from /proc/net. Reading the
 * kernel's table (rather than connecting) works for any protocol and never
 * sends the program a connection it did not expect.
 */
export function isListening(port: number, proto: "tcp" | "udp"): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const file of [`/proc/net/${proto}`, `/proc/net/${proto}6`]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      const state = cols[3];
      if (!local?.endsWith(`:${hexPort}`)) continue;
      if (proto === "tcp" ? state === "0A" : state === "07") return true;
    }
  }
  return false;
}
