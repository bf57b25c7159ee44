import { afterEach, describe, expect, it, vi } from 'vitest';
import { RoundLoop } from '../../engine/round-loop.js';

/** A round that ends when the test says so. */
function gated() {
  const started: string[] = [];
  const gates: Array<(v: string) => void> = [];
  const run = (reason: string) => {
    started.push(reason);
    return new Promise<string>((resolve) => gates.push(() => resolve(`done ${reason}`)));
  };
  const finish = async (i: number) => {
    gates[i]('');
    // let the loop's follow-up start
    await new Promise((r) => setImmediate(r));
  };
  return { started, run, finish };
}

describe('the round loop: one round at a time, then one more', () => {
  afterEach(() => vi.useRealTimers());

  it('runs a round at once, and a request during it resolves with that round', async () => {
    const g = gated();
    const loop = new RoundLoop({ run: g.run });
    const first = loop.request('start');
    // Given a round is running (it started within the request)
    expect(g.started).toEqual(['start']);
    expect(loop.busy).toBe(true);
    // When another request comes, Then it is answered by the round in progress
    const during = loop.request('event');
    await g.finish(0);
    expect(await first).toBe('done start');
    expect(await during).toBe('done start');
  });

  it('any number of requests during a round ask for exactly one more after it, with the latest reason', async () => {
    const g = gated();
    const onIdle = vi.fn();
    const loop = new RoundLoop({ run: g.run, onIdle });
    void loop.request('start');
    void loop.request('a');
    void loop.request('b');
    void loop.request('c');
    await g.finish(0);
    // Then one more round runs, for the last reason asked
    expect(g.started).toEqual(['start', 'c']);
    expect(onIdle).not.toHaveBeenCalled();
    await g.finish(1);
    // and with nothing more asked the loop is idle
    expect(g.started).toEqual(['start', 'c']);
    expect(loop.busy).toBe(false);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('idle() waits for the round in progress; stop() runs nothing more and waits for it', async () => {
    const g = gated();
    const loop = new RoundLoop({ run: g.run });
    void loop.request('start');
    void loop.request('more');
    let idle = false;
    void loop.idle().then(() => (idle = true));
    await new Promise((r) => setImmediate(r));
    expect(idle).toBe(false);
    await g.finish(0);
    expect(idle).toBe(true);
    // When stopped during the follow-up round
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    void loop.request('after stop');
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    await g.finish(1);
    await stopping;
    // Then nothing else ran, and requests answer undefined
    expect(g.started).toEqual(['start', 'more']);
    expect(await loop.request('late')).toBeUndefined();
    // until it is resumed
    loop.resume();
    void loop.request('resumed');
    expect(g.started).toEqual(['start', 'more', 'resumed']);
  });

  it('a failing round rejects for whoever waits on it, and the loop carries on', async () => {
    let n = 0;
    const loop = new RoundLoop({ run: async () => (n++ === 0 ? Promise.reject(new Error('boom')) : 'ok') });
    await expect(loop.request('first')).rejects.toThrow('boom');
    expect(loop.busy).toBe(false);
    expect(await loop.request('second')).toBe('ok');
  });

  it('throttled: rounds start at least the gap apart, and requests while one waits to start are answered by it', async () => {
    vi.useFakeTimers({ now: 10_000 });
    const starts: number[] = [];
    const loop = new RoundLoop({ run: async (reason: string) => (starts.push(Date.now()), reason), gapMs: 250 });
    // the first round waits for nothing but a timer
    const first = loop.request('a', 0);
    expect(starts).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(starts).toEqual([10_000]);
    expect(await first).toBe('a');
    // Given a round started at 10 000, When two requests come at 10 100
    await vi.advanceTimersByTimeAsync(100);
    const b = loop.request('b');
    const c = loop.request('c');
    await vi.advanceTimersByTimeAsync(149);
    expect(starts).toEqual([10_000]);
    // Then one round starts at 10 250, for the first of them
    await vi.advanceTimersByTimeAsync(1);
    expect(starts).toEqual([10_000, 10_250]);
    expect(await b).toBe('b');
    expect(await c).toBe('b');
  });

  it('throttled: a request during a round runs one more a gap after its start; a retry gap wins over it', async () => {
    vi.useFakeTimers({ now: 0 });
    const starts: number[] = [];
    let release!: () => void;
    let retry: number | undefined;
    const loop = new RoundLoop<string>({
      run: (reason) => (starts.push(Date.now()), new Promise((resolve) => (release = () => resolve(reason)))),
      gapMs: 250,
      retryAfter: () => retry,
    });
    void loop.request('a', 0);
    await vi.advanceTimersByTimeAsync(0);
    void loop.request('during');
    await vi.advanceTimersByTimeAsync(100);
    release();
    await vi.advanceTimersByTimeAsync(149);
    expect(starts).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(starts).toEqual([0, 250]);
    // When the round says "retry in 1000" and a request came meanwhile
    retry = 1000;
    void loop.request('during');
    release();
    await vi.advanceTimersByTimeAsync(999);
    expect(starts).toEqual([0, 250]);
    // Then the next round waits for the retry gap, and only one runs
    await vi.advanceTimersByTimeAsync(1);
    expect(starts).toEqual([0, 250, 1250]);
    retry = undefined;
    release();
    await vi.advanceTimersByTimeAsync(5000);
    expect(starts).toEqual([0, 250, 1250]);
  });

  it('throttled: stop() drops a start still waiting for its gap', async () => {
    vi.useFakeTimers({ now: 0 });
    const run = vi.fn(async () => 'x');
    const loop = new RoundLoop({ run, gapMs: 250 });
    const waiting = loop.request('a');
    await loop.stop();
    expect(await waiting).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1000);
    expect(run).not.toHaveBeenCalled();
  });
});
