import { z } from 'zod';
import { parseSize } from './units.js';
import { durationMs } from './zod-units.js';

/**
 * The schema of a watched repository's `greenci.yml`: close to docker-compose so teams can copy
 * from theirs. `normaliseProject` (project-file.ts) turns the parsed shape into a ProjectSpec.
 */

const NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
const name = z
  .string()
  .regex(NAME, 'must be lower-case letters, digits and dashes, at most 40 characters, starting with a letter or digit');

const duration = durationMs;
const size = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const bytes = parseSize(v);
  if (bytes === undefined) ctx.addIssue({ code: 'custom', message: `not a size: ${JSON.stringify(v)} (use e.g. 256m, 1g)` });
  return bytes ?? 0;
});
const VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;
const varName = z.string().regex(VAR, 'not a valid environment variable name');

/** `{secret: NAME}`: the value is a secret on the host, which greenci's config gives (never in the repository). */
export interface SecretRef {
  secret: string;
}

const isPlain = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
const asSecretRef = (v: unknown): SecretRef | undefined => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const keys = Object.keys(v);
  const secret = (v as { secret?: unknown }).secret;
  return keys.length === 1 && typeof secret === 'string' && VAR.test(secret) ? { secret } : undefined;
};

/** Apps' and services' variables: text (numbers and true/false become text) or a secret reference. */
const envMap = z.record(
  varName,
  z.unknown().transform((v, ctx): string | SecretRef => {
    if (isPlain(v)) return String(v);
    const ref = asSecretRef(v);
    if (ref) return ref;
    ctx.addIssue({ code: 'custom', message: 'must be text, a number, true/false or {secret: NAME} (NAME: letters, digits and _)' });
    return z.NEVER;
  }),
);

/** Test steps' variables: text only (host secrets go to apps and services, which greenci's config names). */
const plainEnvMap = z.record(
  varName,
  z.unknown().transform((v, ctx): string => {
    if (isPlain(v)) return String(v);
    ctx.addIssue({
      code: 'custom',
      message: asSecretRef(v) ? 'secrets reach apps and services only, not test steps' : 'must be text, a number or true/false',
    });
    return z.NEVER;
  }),
);
const port = z.number().int().min(1).max(65535);

const build = z.union([
  z.string().min(1),
  z.strictObject({
    context: z.string().min(1),
    dockerfile: z.string().min(1).optional(),
    args: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).optional(),
    /** RUN steps need a network (npm install, apt-get...). Only honoured when greenci's config gives the project a `buildNetwork`. */
    // a refinement, not z.boolean(): its issue does not abort the union, so the error keeps its path
    network: z
      .unknown()
      .refine((v) => v === undefined || typeof v === 'boolean', { message: 'must be true or false' })
      .transform((v) => v as boolean | undefined)
      .optional(),
  }),
]);

const healthcheck = z.strictObject({
  test: z.array(z.string()).min(2),
  interval: duration.optional(),
  timeout: duration.optional(),
  retries: z.number().int().min(1).optional(),
  start_period: duration.optional(),
});

export const appSchema = z.strictObject({
  build,
  port,
  health: z.string().startsWith('/').default('/health'),
  env: envMap.optional(),
  command: z.array(z.string()).optional(),
  depends_on: z.array(name).optional(),
});

/** A database's own dump and load tools, run in its container as argument lists (no shell): the dump writes stdout, the restore reads stdin. */
const argv = z.array(z.string().min(1, 'must not be empty')).min(1, 'must name a program (an argument list, run without a shell)');
const backup = z.strictObject({ dump: argv, restore: argv });

export const serviceSchema = z
  .strictObject({
    build: build.optional(),
    image: z.string().min(1).optional(),
    command: z.array(z.string()).optional(),
    env: envMap.optional(),
    volume: z.string().startsWith('/').optional(),
    healthcheck: healthcheck.optional(),
    depends_on: z.array(name).optional(),
    backup: backup.optional(),
  })
  .refine((s) => (s.build === undefined) !== (s.image === undefined), { message: 'needs exactly one of build or image' })
  .refine((s) => s.backup === undefined || s.volume !== undefined, {
    message: 'needs a volume (greenci backs up services that keep data on one)',
    path: ['backup'],
  });

export const testSchema = z
  .strictObject({
    name,
    build: build.optional(),
    image: z.string().min(1).optional(),
    command: z.array(z.string()).optional(),
    env: plainEnvMap.optional(),
    timeout: duration.optional(),
  })
  .refine((s) => (s.build === undefined) !== (s.image === undefined), { message: 'needs exactly one of build or image' });

export const environmentSchema = z.strictObject({
  bind: z.union([z.ipv4(), z.ipv6()]).optional(),
  ports: z.record(name, port).optional(),
  env: z.record(name, envMap).optional(),
  restart: z.enum(['no', 'always', 'unless-stopped', 'on-failure']).optional(),
  resources: z.strictObject({ memory: size.optional(), cpus: z.number().positive().optional() }).optional(),
  health_timeout: duration.optional(),
  /** Production only: how a release takes traffic through the front proxy. */
  release: z
    .strictObject({
      /** After the switch, how long greenci keeps checking before the release counts as good. */
      verify: duration.optional(),
      /** How long the previous release's apps stay ready for an instant rollback. */
      keep_warm: duration.optional(),
      /** Whether the warm release keeps running (instant switch back) or is stopped (a start, then the switch). */
      warm: z.enum(['running', 'stopped']).optional(),
      /** A canary step: the new release takes this share of requests for this long before it takes all. */
      canary: z.strictObject({ weight: z.number().int().min(1).max(99), for: duration }).optional(),
    })
    .optional(),
});

/** `20100-20199`: the host ports preview environments' apps are given, one per app, both ends included. */
const portRange = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(String(v));
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `must be a range of host ports such as 20100-20199 (got ${JSON.stringify(v)})` });
    return { from: 0, to: 0 };
  }
  const [from, to] = [Number(m[1]), Number(m[2])];
  if (from < 1024 || to > 65535 || from > to)
    ctx.addIssue({ code: 'custom', message: `not a usable range of host ports: ${v} (1024-65535, the first not above the last)` });
  return { from, to };
});

/**
 * Preview environments: each branch (and pull request from a fork) that passes its tests gets an
 * environment of its own, kept until the branch is deleted or the pull request closed. Off unless
 * present. The same keys as the test environment, but ports are a range to pick from.
 */
export const previewSchema = environmentSchema.omit({ ports: true, release: true }).extend({
  ports: portRange,
  /** At most this many at once; a new one past it removes the one deployed longest ago. */
  max: z.number().int().min(1).max(20).optional(),
});

export const projectFileSchema = z.strictObject({
  apps: z.record(name, appSchema).refine((a) => Object.keys(a).length > 0, { message: 'needs at least one app' }),
  services: z.record(name, serviceSchema).optional(),
  tests: z.array(testSchema).optional(),
  environments: z
    .strictObject({ test: environmentSchema.optional(), production: environmentSchema.optional(), preview: previewSchema.optional() })
    .optional(),
});

export type ProjectFile = z.infer<typeof projectFileSchema>;
