import type { GreenciConfig } from '../../config/schema.js';
import type { Engine } from '../../engine/index.js';
import { SmeeRelay } from '../../engine/intake/smee.js';

/**
 * The daemon's smee relays: one per project that names a smee channel, each forwarding to the
 * daemon's own webhook endpoint, its connection state published for status and the console.
 * `update` makes the running set match a config (a channel changed or gone: its relay stops);
 * `restart` starts every one again (the webhook endpoint moved).
 */
export class SmeeRelays {
  private readonly relays = new Map<string, SmeeRelay>();

  constructor(private readonly engine: Pick<Engine, 'publish'>) {}

  update(config: GreenciConfig, target: string): void {
    const wanted = new Map(
      Object.entries(config.projects)
        .filter(([, p]) => p.smee)
        .map(([name, p]) => [name, p.smee!]),
    );
    for (const [name, relay] of this.relays) {
      if (wanted.get(name) !== relay.channel) void relay.stop(), this.relays.delete(name);
    }
    for (const [name, channel] of wanted) {
      if (this.relays.has(name)) continue;
      const relay = new SmeeRelay({
        channel,
        target,
        onState: (state) => this.engine.publish({ type: 'smee.state', project: name, state }),
      });
      this.relays.set(name, relay);
      relay.start();
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.relays.values()].map((r) => r.stop()));
    this.relays.clear();
  }
}
