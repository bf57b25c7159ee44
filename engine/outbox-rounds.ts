import { RoundLoop } from './round-loop.js';

/**
 * The sending rounds of an outbox (email, GitHub calls): one round at a time, `kick()` for one now,
 * and between rounds a timer for the next due row, or a poll every `pollMs` for rows another
 * process stored.
 */
export class OutboxRounds {
  private timer?: NodeJS.Timeout;
  private readonly loop: RoundLoop<void>;

  constructor(
    private readonly o: {
      round(): Promise<void>;
      /** When the next row is due, if any is waiting. */
      nextAt(): number | undefined;
      pollMs: number;
    },
  ) {
    this.loop = new RoundLoop({
      run: () => {
        clearTimeout(this.timer);
        return o.round();
      },
      onIdle: () => this.schedule(),
    });
  }

  get stopped(): boolean {
    return this.loop.stopped;
  }

  start(): void {
    this.loop.resume();
    this.kick();
  }

  /** A round now (or right after the one in progress). */
  kick(): void {
    void this.loop.request('kick');
  }

  /** Waits for the round in progress and one more (so what was stored just now is tried). */
  async flush(): Promise<void> {
    if (this.stopped) return;
    await this.loop.idle();
    if (this.stopped) return;
    await this.loop.request('flush');
  }

  /** Waits for the round in progress, then runs no more. */
  async stop(): Promise<void> {
    const done = this.loop.stop();
    clearTimeout(this.timer);
    await done;
  }

  private schedule(): void {
    if (this.stopped) return;
    const at = this.o.nextAt();
    this.timer = setTimeout(() => this.kick(), at === undefined ? this.o.pollMs : Math.min(this.o.pollMs, Math.max(50, at - Date.now())));
    this.timer.unref?.();
  }
}
