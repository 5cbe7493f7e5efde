#!/usr/bin/env node
// The `kluis` command. npm links a package's commands before its `prepare` script builds it, and
// skips a command whose file does not exist yet: this file is in the repository, so `npm ci`
// links it on a fresh clone, and it runs the CLI that `prepare` (npm run build) then builds.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (existsSync(cli)) await import(cli.href);
else {
  process.stderr.write('kluis: the command line is not built yet: run `npm run build` first\n');
  process.exitCode = 1;
}
