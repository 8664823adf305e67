/** SerialQueues: one at a time per key, in arrival order, bounded, and a failure does not stop the queue. */
import { describe, expect, it } from '@jest/globals';
import { SerialQueues } from '../../src/app/serial.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SerialQueues', () => {
  it('runs the work of one key one at a time in arrival order, other keys alongside', async () => {
    const q = new SerialQueues();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const job = (key: string, n: number, ms: number) =>
      q.run(key, async () => {
        running++;
        most = Math.max(most, running);
        log.push(`${key}${n}:start`);
        await tick(ms);
        log.push(`${key}${n}:end`);
        running--;
        return n;
      });
    const results = await Promise.all([job('a', 1, 30), job('a', 2, 5), job('b', 1, 5), job('a', 3, 1)]);
    expect(results).toEqual([1, 2, 1, 3]);
    const a = log.filter((l) => l.startsWith('a'));
    expect(a).toEqual(['a1:start', 'a1:end', 'a2:start', 'a2:end', 'a3:start', 'a3:end']);
    expect(log.indexOf('b1:end')).toBeLessThan(log.indexOf('a1:end')); // b did not wait for a
    expect(most).toBe(2);
    expect(q.size('a')).toBe(0);
  });

  it('goes on after a failure, and refuses past its bound', async () => {
    const q = new SerialQueues(2);
    const failed = q.run('k', async () => {
      await tick(10);
      throw new Error('boom');
    });
    const next = q.run('k', async () => 'ok');
    expect(q.run('k', async () => 'too many')).toBeNull();
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ok');
    await tick(0);
    expect(q.size('k')).toBe(0);
  });
});
