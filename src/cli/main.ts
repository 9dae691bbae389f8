#!/usr/bin/env node
import { runCli } from './cli.js';
import { PROCESS_OUTPUT } from './output.js';
import { BERTH_VERSION } from '../version.js';

process.exitCode = await runCli(process.argv.slice(2), { output: PROCESS_OUTPUT, env: process.env, version: BERTH_VERSION });
