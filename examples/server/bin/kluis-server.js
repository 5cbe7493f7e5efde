#!/usr/bin/env node
// Entry point of `kluis-server`: runs the built CLI (`npm run build` creates dist/).
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
