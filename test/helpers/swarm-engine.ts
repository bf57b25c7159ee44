import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { SwarmClient } from '../../engine/docker/swarm-client.js';

const run = promisify(execFile);
const SCRIPT = path.resolve(import.meta.dirname, '..', '..', 'src', 'host', 'swarm-engine.sh');

/** A second Docker engine in swarm mode, started by the repo's own script for one test file. */
export interface SwarmEngine {
  /** Its unix socket. */
  socket: string;
  client: SwarmClient;
  stop(): Promise<void>;
}

/**
 * Starts a swarm engine with its roots in a fresh short directory (unix socket paths are limited),
 * its swarm listening on `port` of 127.0.0.1; `stop()` stops it and removes everything it had.
 */
export async function startSwarmEngine(port: number): Promise<SwarmEngine> {
  const dir = mkdtempSync('/tmp/gsw-');
  try {
    const { stdout } = await run('bash', [SCRIPT, 'start', dir, String(port)], { timeout: 60_000 });
    const socket = stdout.trim();
    return {
      socket,
      client: new SwarmClient(socket),
      stop: async () => {
        await run('bash', [SCRIPT, 'stop', dir], { timeout: 60_000 });
      },
    };
  } catch (err) {
    await run('bash', [SCRIPT, 'stop', dir], { timeout: 60_000 }).catch(() => undefined);
    throw err;
  }
}
