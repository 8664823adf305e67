/**
 * Work run one at a time per key (an org), in arrival order, within this process. Used where
 * many requests for one org arrive at once (vote clicks): the audit chain of an org takes one
 * append at a time, and concurrent appends would only race and retry. Bounded: past `max`
 * waiting, `run` refuses at once rather than queue without end.
 */
export class SerialQueues {
  private readonly tails = new Map<string, { tail: Promise<unknown>; waiting: number }>();
  constructor(private readonly max = 1_000) {}

  /** How many are waiting or running for `key`. */
  size(key: string): number {
    return this.tails.get(key)?.waiting ?? 0;
  }

  run<T>(key: string, work: () => Promise<T>): Promise<T> | null {
    const q = this.tails.get(key) ?? { tail: Promise.resolve(), waiting: 0 };
    if (q.waiting >= this.max) return null;
    q.waiting++;
    const result = q.tail.then(work, work);
    q.tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, q);
    void q.tail.then(() => {
      q.waiting--;
      if (q.waiting === 0 && this.tails.get(key) === q) this.tails.delete(key);
    });
    return result;
  }
}
