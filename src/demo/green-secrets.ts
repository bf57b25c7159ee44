import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';

/**
 * The host secrets the sample Green project's greenci.yml asks for: each app and its MariaDB share a
 * password (`{secret: WEIGHT_DB_PASSWORD}` in both), and the test environment has passwords of its
 * own, so the feature branches it runs never see production's. The demo and the tests give them
 * from a secrets file (mode 0600) next to their config.
 */
const SECRET_OF = {
  weight: 'WEIGHT_DB_PASSWORD',
  'weight-db': 'WEIGHT_DB_PASSWORD',
  billing: 'BILLING_DB_PASSWORD',
  'billing-db': 'BILLING_DB_PASSWORD',
} as const;
const ENVS = { test: 'TEST', production: 'PROD' } as const;

/** The variable holding a secret's value for an environment: GREEN_PROD_WEIGHT_DB_PASSWORD. */
const variableOf = (env: keyof typeof ENVS, secret: string) => `GREEN_${ENVS[env]}_${secret}`;

/** greenci config lines for a project (`indent` is the project's key indentation plus two). */
export function greenSecretsConfig(indent: string, secretsFile: string): string[] {
  const lines = [`${indent}secretsFile: ${secretsFile}`, `${indent}secrets:`];
  for (const env of Object.keys(ENVS) as (keyof typeof ENVS)[]) {
    lines.push(`${indent}  ${env}:`);
    for (const [service, secret] of Object.entries(SECRET_OF))
      lines.push(`${indent}    ${service}: { ${secret}: ${variableOf(env, secret)} }`);
  }
  return lines;
}

/** Writes a secrets file with a fresh random password for each secret of each environment (mode 0600). */
export function writeGreenSecretsFile(file: string): void {
  const lines = ['# the sample Green project’s database passwords (written by greenci; mode 0600)'];
  for (const env of Object.keys(ENVS) as (keyof typeof ENVS)[])
    for (const secret of new Set(Object.values(SECRET_OF))) lines.push(`${variableOf(env, secret)}=${randomBytes(18).toString('base64url')}`);
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600, flag: 'wx' });
}
