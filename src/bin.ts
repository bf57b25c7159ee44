#!/usr/bin/env node
import { main } from './main.js';

// The executable: run the command, then exit with its code (stdout flushed first).
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  process.exit(code);
});
