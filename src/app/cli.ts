#!/usr/bin/env node
import './require-supported-node';
import 'reflect-metadata';
import { processIo } from './cli/cli-io';
import { runCli } from './cli/program';

// exitCode rather than process.exit(): a piped stdout is flushed before the process ends.
runCli(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
