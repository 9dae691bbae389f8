import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { summarize } from './summary.js';

/** A vitest 4 JSON report (the fields summary.ts reads, plus some it ignores) for a run that passed. */
const PASSING = {
  numTotalTestSuites: 2,
  numPassedTestSuites: 2,
  numFailedTestSuites: 0,
  numPendingTestSuites: 0,
  numTotalTests: 7,
  numPassedTests: 7,
  numFailedTests: 0,
  numPendingTests: 0,
  numTodoTests: 0,
  startTime: 1795588251040,
  success: true,
  testResults: [
    { name: '/repo/test/a.test.ts', status: 'passed', message: '', assertionResults: [] },
    { name: '/repo/test/b.test.ts', status: 'passed', message: '', assertionResults: [] },
  ],
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-summary-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `report` as a vitest JSON file (or nothing, when undefined) and summarizes it. */
async function summarizeReport(report: object | undefined) {
  const path = join(dir, `${Math.random().toString(16).slice(2)}.json`);
  if (report !== undefined) await writeFile(path, JSON.stringify(report));
  return summarize(path, '/repo');
}

describe('test summary', () => {
  test('is one line of passed and failed counts for a clean run, exiting 0', async () => {
    expect(await summarizeReport(PASSING)).toEqual({ lines: ['7 passed, 0 failed'], exitCode: 0 });
  });

  test('adds skipped (pending plus todo) only when there are some', async () => {
    expect(
      await summarizeReport({ ...PASSING, numPassedTests: 4, numPendingTests: 2, numTodoTests: 1 }),
    ).toEqual({ lines: ['4 passed, 0 failed, 3 skipped'], exitCode: 0 });
  });

  test('exits 1 when a test failed', async () => {
    const report = {
      ...PASSING,
      numPassedTests: 5,
      numFailedTests: 2,
      numFailedTestSuites: 1,
      success: false,
    };
    expect(await summarizeReport(report)).toEqual({ lines: ['5 passed, 2 failed'], exitCode: 1 });
  });

  test('notes a file that failed outside its tests (the leak check) before the summary line, exiting 1', async () => {
    const leak =
      'Leak check: test file test/a.test.ts left 1 object(s) behind in the host:\n  - netns berth-t-1';
    const report = {
      ...PASSING,
      numPassedTestSuites: 1,
      numFailedTestSuites: 1,
      success: false,
      testResults: [
        { name: '/repo/test/a.test.ts', status: 'failed', message: leak },
        PASSING.testResults[1],
      ],
    };
    expect(await summarizeReport(report)).toEqual({
      lines: [
        'failed file test/a.test.ts: Leak check: test file test/a.test.ts left 1 object(s) behind in the host:',
        '7 passed, 0 failed',
      ],
      exitCode: 1,
    });
  });

  test('exits 1 when vitest says the run failed even if no count shows it', async () => {
    expect(await summarizeReport({ ...PASSING, success: false })).toEqual({
      lines: ['7 passed, 0 failed'],
      exitCode: 1,
    });
  });

  test('exits 2, with no summary line, when the report is missing', async () => {
    const { lines, exitCode } = await summarizeReport(undefined);
    expect(lines).toEqual([
      expect.stringMatching(/^no test results: cannot read vitest JSON report .* \(ENOENT\)$/),
    ]);
    expect(exitCode).toBe(2);
  });
});
