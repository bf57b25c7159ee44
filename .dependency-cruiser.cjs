/**
 * greenci's import rules (README "Layout and import rules" explains each). `npm run lint` runs
 * them with dependency-cruiser; `npm test` runs lint first.
 */
const SOURCE = '^(src|engine|views|config)/';
const CORE = '^engine/(model|records|events|errors)\\.ts$';

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'files form no import cycles', from: { path: SOURCE }, to: { circular: true } },
    {
      name: 'core-types-are-a-leaf',
      severity: 'error',
      comment: 'engine/model.ts (and records.ts, which it re-exports), events.ts and errors.ts import only each other, config types and node built-ins',
      from: { path: CORE },
      to: { pathNot: [CORE, '^config/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'only-docker-imports-dockerode',
      severity: 'error',
      comment: 'dockerode (types included) is engine/docker/\'s alone',
      from: { path: SOURCE, pathNot: '^engine/docker/' },
      to: { path: 'node_modules/(dockerode|@types/dockerode|docker-modem)/' },
    },
    {
      name: 'only-store-imports-sqlite',
      severity: 'error',
      from: { path: SOURCE, pathNot: '^engine/store/' },
      to: { path: 'node_modules/(better-sqlite3|@types/better-sqlite3)/' },
    },
    {
      name: 'only-git-imports-simple-git',
      severity: 'error',
      from: { path: SOURCE, pathNot: '^engine/git/' },
      to: { path: 'node_modules/simple-git/' },
    },
    {
      name: 'only-mailer-imports-nodemailer',
      severity: 'error',
      from: { path: SOURCE, pathNot: '^engine/notify/mailer\\.ts$' },
      to: { path: 'node_modules/(nodemailer|@types/nodemailer)/' },
    },
    {
      name: 'engine-is-headless',
      severity: 'error',
      comment: 'the engine knows nothing of the faces: no src/, views/, React or Ink',
      from: { path: '^engine/' },
      to: { path: ['^src/', '^views/', 'node_modules/(react|ink|@types/react)/'] },
    },
    {
      name: 'views-see-types-and-the-reducer',
      severity: 'error',
      comment: 'views import engine types and the pure reducer only; never I/O modules or src/',
      from: { path: '^views/' },
      to: { path: ['^engine/', '^src/', '^config/'], pathNot: ['^engine/(model|events|errors|state|api|client|lines|duration)\\.ts$'] },
    },
    {
      name: 'views-do-no-io',
      severity: 'error',
      from: { path: '^views/' },
      to: { path: 'node_modules/(dockerode|better-sqlite3|nodemailer|node-cron|simple-git|smee-client)/' },
    },
    {
      name: 'intake-and-control-see-narrow-interfaces',
      severity: 'error',
      comment: 'intake and control are handed an interface (engine/api.ts), not the whole engine',
      from: { path: '^engine/(intake|control)/' },
      to: { path: '^engine/index\\.ts$' },
    },
    {
      name: 'faces-do-not-touch-the-store',
      severity: 'error',
      comment: 'the CLI, daemon, console, intake and control API go through the engine (its commands, queries and events), never the store',
      from: { path: '^(src|views|engine/intake|engine/control)/' },
      to: { path: '^engine/store/' },
    },
    {
      name: 'pipeline-writes-through-the-recorder',
      severity: 'error',
      comment: 'pipeline code is handed the Recorder (writes that announce themselves) and its read-only view, never the store itself',
      from: { path: '^engine/pipeline/' },
      to: { path: '^engine/store/(index|db|builds|releases|audit|deliveries|health|outbox|holds)\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'stages-do-not-import-stages',
      severity: 'error',
      comment: 'a stage shares with another through pipeline/ modules, not by importing it',
      from: { path: '^engine/pipeline/stages/([^/]+)\\.ts$', pathNot: '^engine/pipeline/stages/index\\.ts$' },
      to: { path: '^engine/pipeline/stages/', pathNot: ['^engine/pipeline/stages/$1\\.ts$', '^engine/pipeline/stages/index\\.ts$'] },
    },
    {
      name: 'monitor-does-not-borrow-the-pipeline',
      severity: 'error',
      from: { path: '^engine/monitor/' },
      to: { path: '^engine/pipeline/' },
    },
    {
      name: 'config-is-a-leaf',
      severity: 'error',
      comment: 'config/ reads and validates files; it imports no engine, view or CLI module',
      from: { path: '^config/' },
      to: { path: ['^engine/', '^src/', '^views/'] },
    },
    {
      name: 'no-test-code-at-run-time',
      severity: 'error',
      from: { path: SOURCE },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    exclude: { path: '^dist/' },
  },
};
