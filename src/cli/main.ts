#!/usr/bin/env node
// Entry point of the `zonewall` command.
import { processIO } from './output.js';
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2), processIO());
