import http from 'node:http';

/**
 * Steady HTTP load on one URL: `clients` keep-alive clients, each sending its next request as
 * soon as the last one is answered, until stopped (bounded by maxMs and maxRequests). Every
 * answer is kept with its time, status and body, so a test can say which release answered when.
 */
export interface LoadSample {
  /** When the request was sent, and when its answer was complete. */
  sent: number;
  at: number;
  status: number;
  body: string;
}

export interface LoadResult {
  samples: LoadSample[];
  /** Requests that got no HTTP answer (refused, reset, timed out), with the error. */
  failures: { at: number; error: string }[];
  ok: number;
  non200: number;
  /** The longest time without any 200 answer, in ms. */
  longestGapMs: number;
}

export interface LoadRun {
  stop(): Promise<LoadResult>;
  /** Answers so far. */
  count(): number;
  /** Resolves once an answer satisfies `pred` (after `since`, if given). */
  waitFor(pred: (s: LoadSample) => boolean, timeoutMs?: number): Promise<LoadSample>;
}

export function startLoad(url: string, opts: { clients?: number; maxMs?: number; maxRequests?: number } = {}): LoadRun {
  const clients = opts.clients ?? 16;
  const maxMs = opts.maxMs ?? 180_000;
  const maxRequests = opts.maxRequests ?? 2_000_000;
  // each client its own keep-alive connection, as 16 separate clients have: a shared pool would
  // leave some sockets idle long enough for the proxy's keep-alive timeout to race a reuse
  const agents = Array.from({ length: clients }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const samples: LoadSample[] = [];
  const failures: { at: number; error: string }[] = [];
  const started = Date.now();
  let stopped = false;
  const waiters: { pred: (s: LoadSample) => boolean; resolve: (s: LoadSample) => void }[] = [];

  const one = (agent: http.Agent) =>
    new Promise<void>((resolve) => {
      const sent = Date.now();
      const req = http.get(url, { agent, timeout: 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const s = { sent, at: Date.now(), status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') };
          samples.push(s);
          for (const w of [...waiters])
            if (w.pred(s)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(s);
            }
          resolve();
        });
        res.on('error', (err) => (failures.push({ at: Date.now(), error: err.message }), resolve()));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err) => (failures.push({ at: Date.now(), error: (err as NodeJS.ErrnoException).code ?? err.message }), resolve()));
    });

  const loop = async (agent: http.Agent) => {
    while (!stopped && Date.now() - started < maxMs && samples.length + failures.length < maxRequests) {
      await one(agent);
      // a refused connection answers at once: don't spin on it
      if (failures.length && failures[failures.length - 1].at === Date.now()) await new Promise((r) => setTimeout(r, 5));
    }
  };
  const loops = agents.map(loop);

  return {
    count: () => samples.length,
    waitFor(pred, timeoutMs = 60_000) {
      const seen = samples.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve: (s: LoadSample) => (clearTimeout(t), resolve(s)) };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`no answer matched within ${timeoutMs} ms (${samples.length} answers, last: ${samples.at(-1)?.body})`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    async stop() {
      stopped = true;
      await Promise.all(loops);
      for (const a of agents) a.destroy();
      const events = [...samples.filter((s) => s.status === 200).map((s) => s.at)].sort((a, b) => a - b);
      let gap = 0;
      let prev = started;
      for (const t of events) (gap = Math.max(gap, t - prev)), (prev = t);
      return {
        samples,
        failures,
        ok: samples.filter((s) => s.status === 200).length,
        non200: samples.filter((s) => s.status !== 200).length,
        longestGapMs: gap,
      };
    },
  };
}

/** The `version` an answer's JSON body reports (the sample apps report the release they run). */
export function versionOf(s: LoadSample): string | undefined {
  try {
    return (JSON.parse(s.body) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** Answers in the order they were sent, as runs of the same version and status: `v0.1.0 200 ×812`. */
export function answerRuns(samples: LoadSample[]): { version?: string; status: number; count: number; from: number; to: number }[] {
  const runs: { version?: string; status: number; count: number; from: number; to: number }[] = [];
  for (const s of [...samples].sort((a, b) => a.sent - b.sent)) {
    const v = versionOf(s);
    const last = runs.at(-1);
    if (last && last.version === v && last.status === s.status) (last.count += 1), (last.to = s.sent);
    else runs.push({ version: v, status: s.status, count: 1, from: s.sent, to: s.sent });
  }
  return runs;
}
