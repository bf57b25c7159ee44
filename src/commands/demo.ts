import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { seedBareRepository } from '../../engine/git/seed.js';
import { parse } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { greenSecretsConfig, writeGreenSecretsFile } from '../demo/green-secrets.js';
import { packageRoot } from '../package-root.js';
import { demoTour } from './demo-tour.js';
import { runCommand } from './run.js';
import { DEMO_USAGE } from './usage.js';

/**
 * The built-in demo: puts the sample Green project (billing + weight APIs, their databases and
 * an API test) in a local bare repository that stands in for GitHub, writes a config for it, and
 * runs the master pipeline: build, test environment, tests, production on 8001/8002, tag v0.x.y.
 * `--tour` then shows a release, a rollback, a hold and a canary under load (demo-tour.ts).
 */
const DEMO_MARK = '# written by greenci demo';

export async function demoCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { dir: { type: 'string' }, tour: { type: 'boolean' } }, DEMO_USAGE);
  if (values.help) return (io.out(DEMO_USAGE), EXIT.ok);
  const dir = path.resolve(io.cwd, values.dir ?? 'demo');
  const bare = path.join(dir, 'origin', 'green.git');
  const configFile = path.join(dir, 'greenci.config.yml');
  mkdirSync(dir, { recursive: true });
  const created = await seedBareRepository({
    bareDir: bare,
    sourceDir: path.join(packageRoot(), 'src', 'demo', 'green-project'),
    branch: 'master',
    message: 'feat: the Green project: billing and weight APIs',
    author: { name: 'Green Developer', email: 'dev@green.example' },
  });
  // the databases' passwords are the host's, never the repository's: made once, kept (the databases
  // on the volumes were initialised with them)
  const secretsFile = path.join(dir, 'secrets.env');
  if (!existsSync(secretsFile)) writeGreenSecretsFile(secretsFile);
  // a config an older demo wrote (no secrets) is brought up to date; an operator's own is left alone
  const ours = existsSync(configFile) && readFileSync(configFile, 'utf8').startsWith(DEMO_MARK);
  if (!existsSync(configFile) || (ours && !readFileSync(configFile, 'utf8').includes('secretsFile:'))) {
    writeFileSync(
      configFile,
      [
        DEMO_MARK,
        'dataDir: ./data',
        'projects:',
        '  green:',
        '    repo: ./origin/green.git',
        '    productionBranch: master',
        ...greenSecretsConfig('    ', './secrets.env'),
        '',
      ].join('\n'),
    );
  }
  io.out(`demo: ${created ? 'created' : 'reusing'} the sample repository ${bare}`);
  io.out(`demo: config ${configFile}`);
  io.out('demo: running the master pipeline of project green\n');
  let code = await runCommand(['green', '--branch', 'master', '--config', configFile], io);
  if (code === EXIT.ok && values.tour)
    code = await demoTour({ bare, configFile, project: 'green', ports: { billing: 8001, weight: 8002 } }, io);
  if (code === EXIT.ok) {
    io.out('\nproduction is up:');
    io.out('  curl http://127.0.0.1:8001/health     # billing');
    io.out('  curl http://127.0.0.1:8002/health     # weight');
    const shown = configFile.startsWith(io.cwd + path.sep) ? path.relative(io.cwd, configFile) : configFile;
    io.out(`try also: npx greenci releases green --config ${shown}`);
    io.out(`          npx greenci builds --config ${shown}`);
  }
  return code;
}
