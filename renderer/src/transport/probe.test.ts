import { describe, expect, it } from 'vitest';
import type { HostProblem } from '../store/types.js';
import { probeHost, watchReconnects, type ProbeResult } from './probe.js';

describe('probeHost', () => {
  it("tells a refused token from a host that is gone, by the page's own address", async () => {
    const asked: Array<[string, RequestInit]> = [];
    const answer = (status: number) => async (url: string, init: RequestInit) => {
      asked.push([url, init]);
      return { status };
    };
    expect(await probeHost('http://127.0.0.1:1/?token=t', answer(401))).toBe('wrong-token');
    expect(await probeHost('http://127.0.0.1:1/?token=t', answer(200))).toBe('ok');
    expect(
      await probeHost('http://127.0.0.1:1/?token=t', () => Promise.reject(new TypeError('Failed to fetch'))),
    ).toBe('unreachable');
    expect(asked[0]).toEqual(['http://127.0.0.1:1/?token=t', expect.objectContaining({ method: 'HEAD' })]);
  });
});

describe('watchReconnects', () => {
  function setup(results: ProbeResult[]) {
    const problems: Array<HostProblem | null> = [];
    let restarted = 0;
    let probes = 0;
    const feed = watchReconnects({
      probe: async () => {
        probes += 1;
        return results.shift() ?? 'unreachable';
      },
      onProblem: (p) => problems.push(p),
      onRestarted: () => (restarted += 1),
      probeAfter: 2,
      unreachableAfter: 4,
    });
    const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
    return { feed, flush, problems, restarted: () => restarted, probes: () => probes };
  }

  it('does not probe after a single drop', async () => {
    const w = setup([]);
    w.feed('open');
    w.feed('closed');
    w.feed('connecting');
    await w.flush();
    expect(w.probes()).toBe(0);
  });

  it('declares the host restarted when it refuses the token, and stops there', async () => {
    const w = setup(['wrong-token']);
    w.feed('open');
    w.feed('closed');
    w.feed('connecting');
    w.feed('closed');
    await w.flush();
    expect(w.problems).toEqual([null, 'restarted']);
    expect(w.restarted()).toBe(1);
    w.feed('closed');
    await w.flush();
    expect(w.probes()).toBe(1);
  });

  it('calls a host unreachable only after several silent attempts, and forgets it once back', async () => {
    const w = setup([]);
    w.feed('open');
    for (let i = 0; i < 3; i++) {
      w.feed('closed');
      await w.flush();
    }
    expect(w.problems).toEqual([null]);
    w.feed('closed');
    await w.flush();
    expect(w.problems).toEqual([null, 'unreachable']);
    w.feed('open');
    expect(w.problems).toEqual([null, 'unreachable', null]);
    expect(w.restarted()).toBe(0);
  });

  it('never runs two probes at once', async () => {
    const w = setup([]);
    w.feed('closed');
    w.feed('closed');
    w.feed('closed');
    w.feed('closed');
    expect(w.probes()).toBe(1);
    await w.flush();
  });
});
