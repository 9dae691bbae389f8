#!/usr/bin/env node
import { runCli } from './cli.js';
import { PROCESS_IO } from './io.js';
import { BERTH_VERSION } from '../version.js';

process.exitCode = await runCli(process.argv.slice(2), { io: PROCESS_IO, env: process.env, version: BERTH_VERSION });
