/**
 * Bun shows the source line a failing test threw from. This is that line:
 * the full report (what went wrong, expected vs received, what the test did,
 * your program's output, and the command that replays the run) is printed
 * just above it.
 */
export function caseFailed(summary: string): never {
  const error = new Error(`${summary} (report above)`);
  throw error;
}
