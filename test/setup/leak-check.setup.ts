import { relative } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { assertNoLeftovers, takeSnapshot, type Snapshot } from '../lab/leak-check.js';

// Per-file leak check (vitest `setupFiles`): snapshot the host before the file's first hook and
// compare after its last one. Hooks run as a stack (vitest's default `sequence.hooks`), so this
// afterAll runs after the file's own cleanup; a throw here fails the file with the leftovers listed.

let before: Snapshot | undefined;
let scope = 'this test file';

// Vitest parses the first parameter as a fixture list and requires an object pattern.
// eslint-disable-next-line no-empty-pattern
beforeAll(async ({}, suite) => {
  if ('filepath' in suite) scope = `test file ${relative(process.cwd(), suite.filepath)}`;
  before = await takeSnapshot();
});

afterAll(async () => {
  if (before !== undefined) await assertNoLeftovers(before, scope);
});
