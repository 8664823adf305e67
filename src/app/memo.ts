/**
 * A small least-recently-used memo for things that never change once written (a dataset version's
 * tables, a pack's model): keyed by their ids, bounded by a weight (rows, family-months), so a
 * rebuild or a what-if does not read and parse them from the store again. Safe across instances:
 * nothing it holds can go stale.
 */
export class Memo<T> {
  private readonly entries = new Map<string, { value: T; weight: number }>();
  private total = 0;

  constructor(
    private readonly maxWeight: number,
    private readonly weigh: (value: T) => number,
  ) {}

  get(key: string): T | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  set(key: string, value: T): T {
    const weight = this.weigh(value);
    const old = this.entries.get(key);
    if (old) {
      this.total -= old.weight;
      this.entries.delete(key);
    }
    if (weight > this.maxWeight) return value;
    this.entries.set(key, { value, weight });
    this.total += weight;
    for (const [k, e] of this.entries) {
      if (this.total <= this.maxWeight) break;
      this.entries.delete(k);
      this.total -= e.weight;
    }
    return value;
  }

  /** The value for `key`, made (once, even when asked for twice at the same time) when missing. */
  async through(key: string, make: () => Promise<T>): Promise<T> {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = make().finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return this.set(key, await pending);
  }

  private readonly pending = new Map<string, Promise<T>>();
}
