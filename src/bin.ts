#!/usr/bin/env node
// first: sets NODE_ENV before anything loads React (see the module)
import './production-env.js';
import { surviveClosedOutput } from './io.js';
import { main } from './main.js';

// a reader that goes away (`greenci run … | head -1`) must not kill greenci in the middle of a build
surviveClosedOutput();

let finished = false;
// If the event loop ever drains while a command is still waiting, something awaited can never
// settle: say so and fail, rather than exiting 0 in the middle of a build.
process.on('beforeExit', () => {
  if (finished) return;
  process.stderr.write('greenci: internal error: stopped waiting before the command finished (please report it)\n');
  process.exit(1);
});

// Run the command, let stdout and stderr drain (writes to pipes are asynchronous), then exit.
main(process.argv.slice(2)).then((code) => {
  finished = true;
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
});
