import { StageFailure } from "../report/failure.ts";

const found = new Map<string, boolean>();

export function hasBinary(binary: string): boolean {
  let hit = found.get(binary);
  if (hit === undefined) {
    hit = Bun.which(binary) !== null;
    found.set(binary, hit);
  }
  return hit;
}

/** Fails at once, naming the package, when a client the test needs is not installed. Never skips. */
export function requireBinary(binary: string, pkg: string): void {
  if (hasBinary(binary)) return;
  throw new StageFailure({
    message: `${binary} is not installed, and this test drives your program with it.`,
    hint: `Install the package that provides it: \`sudo apt-get install ${pkg}\` on Debian/Ubuntu, or run \`bun run setup\` to install every client syscraft uses.`,
  });
}
