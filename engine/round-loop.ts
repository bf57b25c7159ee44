export interface RoundLoopOptions<R> {
  /** One round; `reason` is what asked for it (the latest ask, when several came during the last round). */
  run(reason: string): Promise<R>;
  /**
   * Throttle: the shortest time from one round's start to the next's. Without it a round starts
   * within `request()`; with it a round always starts from a timer, and asks while that timer
   * waits are answered by the round it will start.
   */
  gapMs?: number;
  /** A round's outcome asks for another after this gap, whatever was asked meanwhile (a retry with backoff). */
  retryAfter?(result: R): number | undefined;
  /** A round ended and nobody asked for another: time to schedule the next poll, say. */
  onIdle?(): void;
}

/**
 * "One round at a time, then one more": a request runs a round now unless one is running; a
 * request during a round asks for exactly one more after it (keeping the latest reason), however
 * many came. The monitor's checks, the outbox's sending and the container watcher's listing each
 * run on one.
 */
export class RoundLoop<R> {
  private current?: Promise<R>;
  private again?: string;
  private timer?: { handle: NodeJS.Timeout; done: Promise<R | undefined>; start(): void; cancel(): void };
  private stoppedFlag = false;
  private startedAt = 0;

  constructor(private readonly o: RoundLoopOptions<R>) {}

  /** A round is running. */
  get busy(): boolean {
    return this.current !== undefined;
  }

  get stopped(): boolean {
    return this.stoppedFlag;
  }

  /** When the last round started (0: never). */
  get lastStartAt(): number {
    return this.startedAt;
  }

  /**
   * Runs a round now (after the gap, when throttled), or once more right after the one in progress.
   * Resolves with this round's result, or the one in progress; `undefined` once stopped.
   * `gapMs` overrides the loop's gap for this start (a throttled loop only).
   */
  request(reason: string, gapMs = this.o.gapMs): Promise<R | undefined> {
    if (this.stoppedFlag) return Promise.resolve(undefined);
    if (this.timer) return this.timer.done;
    if (this.current) {
      this.again = reason;
      return this.current;
    }
    if (gapMs === undefined) return this.startNow(reason);
    return this.startLater(reason, Math.max(0, this.startedAt + gapMs - Date.now()));
  }

  /** Resolves once the round in progress (if any) has ended and its follow-up, if asked for, has started. */
  async idle(): Promise<void> {
    await this.current;
  }

  /** Starts no more rounds (a pending throttled start is dropped); resolves when the one in progress has ended. */
  async stop(): Promise<void> {
    this.stoppedFlag = true;
    this.again = undefined;
    this.timer?.cancel();
    await this.current;
  }

  /** Takes requests again after `stop()`. */
  resume(): void {
    this.stoppedFlag = false;
  }

  private startNow(reason: string): Promise<R> {
    this.startedAt = Date.now();
    const ended = (retryMs: number | undefined) => {
      this.current = undefined;
      const next = this.again;
      this.again = undefined;
      if (this.stoppedFlag) return;
      if (retryMs !== undefined) void this.request(reason, retryMs);
      else if (next !== undefined) void this.request(next);
      else this.o.onIdle?.();
    };
    this.current = this.o.run(reason).then(
      (r) => (ended(this.o.retryAfter?.(r)), r),
      (err: unknown) => {
        ended(undefined);
        throw err;
      },
    );
    return this.current;
  }

  private startLater(reason: string, waitMs: number): Promise<R | undefined> {
    let settle!: (r: R | undefined | Promise<R>) => void;
    const done = new Promise<R | undefined>((resolve) => (settle = resolve));
    const timer = {
      done,
      start: () => {
        this.timer = undefined;
        settle(this.startNow(reason));
      },
      cancel: () => {
        clearTimeout(timer.handle);
        this.timer = undefined;
        settle(undefined);
      },
      handle: setTimeout(() => timer.start(), waitMs),
    };
    this.timer = timer;
    return done;
  }
}
