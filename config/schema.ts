import { z } from 'zod';

/** The schema of greenci's own configuration file (greenci.config.yml). */

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

export const projectConfigSchema = z.strictObject({
  /** Any git URL or local path (a bare repository on disk works). */
  repo: z.string().min(1),
  productionBranch: z.string().min(1).default('master'),
  /** Prepended to every image repository name, e.g. `green-` → `green-billing:v0.1.0-prod`. */
  imagePrefix: z.string().regex(/^([a-z0-9][a-z0-9._/-]*)?$/, 'must start with a lower-case letter or digit and hold only those and . _ - /').default(''),
  /** Name of an environment variable holding a token for HTTPS git remotes. Never the token itself. */
  gitTokenEnv: envVarName.optional(),
});

export const configSchema = z.strictObject({
  dataDir: z.string().min(1).default('./data'),
  docker: z.strictObject({ socket: z.string().min(1).default('/var/run/docker.sock') }).default({ socket: '/var/run/docker.sock' }),
  git: z
    .strictObject({ authorName: z.string().min(1).default('greenci'), authorEmail: z.string().min(3).default('greenci@localhost') })
    .default({ authorName: 'greenci', authorEmail: 'greenci@localhost' }),
  projects: z
    .record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'project names are lower-case letters, digits and dashes'), projectConfigSchema)
    .refine((p) => Object.keys(p).length > 0, { message: 'needs at least one project' }),
});

export type ProjectConfig = z.infer<typeof projectConfigSchema>;
export type GreenciConfig = z.infer<typeof configSchema>;
