/**
 * The reason a case's AbortSignal carries once the case is over (passed,
 * failed or timed out) and is being cleaned up. A client still waiting then
 * (a command a failing case started and never awaited) must not reject: bun
 * would pin that stray rejection on whichever case runs next, fail it, and
 * abandon it with its programs still running. Such a client stops its
 * process and returns `never()` instead.
 */
export const CASE_ENDED = "syscraft: the case has ended";

export function caseEnded(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && signal.reason === CASE_ENDED;
}

/** A promise that never settles: what a stray wait returns once its case is over. */
export function never<T>(): Promise<T> {
  return new Promise<T>(() => {});
}
