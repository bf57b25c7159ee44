/**
 * The few named error classes greenci raises. Only src/ maps them to exit codes; everything else
 * throws or returns them. Messages are written for the operator who reads them.
 */

/** A configuration file (greenci's own or a repository's greenci.yml) is invalid. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  /** One line per problem, each starting with the path: `projects.green.repo: Required`. */
  readonly problems: string[];
  constructor(message: string, problems: string[] = []) {
    super(problems.length ? `${message}\n${problems.map((p) => `  - ${p}`).join('\n')}` : message);
    this.problems = problems;
  }
}

/** Something the user asked for cannot be done as asked (unknown project, bad branch name...). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What the user named does not exist: a build, project, release, container or branch. The control API answers 404. */
export class NotFoundError extends UsageError {
  override name = 'NotFoundError';
}

/** An external program (git, the Docker engine) refused or failed. */
export class ExternalCommandError extends Error {
  override name = 'ExternalCommandError';
  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`${command} ${args.join(' ')} failed${exitCode === null ? '' : ` (exit ${exitCode})`}: ${stderr.trim()}`);
  }
}

/** A stage failed for a reason the build should report (tests failed, app never healthy...). */
export class StageError extends Error {
  override name = 'StageError';
  /** What the failure left production as, when it touched it (`rolled-back`, `production-stopped`): recorded on the build as data. */
  constructor(
    message: string,
    readonly outcome?: 'rolled-back' | 'production-stopped',
  ) {
    super(message);
  }
}

/**
 * Why work is cancelled, carried as an AbortSignal's reason: the kind is what decisions read
 * (a build stopped by `shutdown` is queued again), the message what people read.
 */
export class Cancellation {
  constructor(
    readonly kind: 'superseded' | 'cancelled' | 'shutdown',
    readonly message: string,
  ) {}

  toString(): string {
    return this.message;
  }
}

/** An operation (a rollback, say) could not be done or was refused; the message says what state it left. */
export class OperationFailedError extends Error {
  override name = 'OperationFailedError';
}

/** The front proxy could not be started, reached or switched; the message says what and how it stands. */
export class ProxyError extends Error {
  override name = 'ProxyError';
}

/** Work was cancelled through its AbortSignal. */
export class AbortError extends Error {
  override name = 'AbortError';
  constructor(message = 'cancelled') {
    super(message);
  }
}

/** greenci itself is wrong: an invariant broke. */
export class BugError extends Error {
  override name = 'BugError';
}

/** Throws AbortError when the signal has fired. Call between steps of long work. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted)
    throw new AbortError(typeof signal.reason === 'string' || signal.reason instanceof Cancellation ? String(signal.reason) : 'cancelled');
}

/** A one-line description of any thrown value, for logs and build reasons. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
