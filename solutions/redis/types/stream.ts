// A stream value (https://redis.io/docs/latest/develop/data-types/streams/).
// The streams extension fills this in: entries ordered by ID, consumer groups.

export class Stream {
  /** Number of entries. */
  get length(): number {
    return 0;
  }
}
