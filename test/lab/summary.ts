import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The last line scripts/test prints, from vitest's JSON report (`--reporter=json`):
 *   N passed, N failed[, N skipped]
 * preceded by a note for each test file that failed outside its tests (import error, failing hook,
 * the leak check), which the test counts alone would hide.
 *
 * Run after the build as `node dist/test/lab/summary.js <vitest-results.json>`: prints the lines and
 * exits 0 only when the report exists and records no failure, 1 when it records one, 2 when it is
 * missing or unreadable. (TypeScript under test/ rather than a .mjs under scripts/ so the type
 * checker and typed lint cover it.)
 */

/** The parts of a vitest JSON report the summary reads. */
export interface VitestReport {
  readonly success?: boolean;
  readonly numPassedTests?: number;
  readonly numFailedTests?: number;
  readonly numPendingTests?: number;
  readonly numTodoTests?: number;
  readonly numFailedTestSuites?: number;
  readonly testResults?: ReadonlyArray<{
    readonly name: string;
    readonly status: string;
    readonly message?: string;
  }>;
}

/** What the summary prints and the exit status it ends with. */
export interface Summary {
  readonly lines: readonly string[];
  readonly exitCode: 0 | 1 | 2;
}

/** The summary line: passed and failed counts, and skipped (pending plus todo) when there are any. */
export function summaryLine(report: VitestReport): string {
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  const line = `${report.numPassedTests ?? 0} passed, ${report.numFailedTests ?? 0} failed`;
  return skipped > 0 ? `${line}, ${skipped} skipped` : line;
}

/** A note for each test file that carries a file-level error (its failure is not a failed test). */
export function fileFailureNotes(report: VitestReport, cwd = process.cwd()): string[] {
  return (report.testResults ?? [])
    .filter((file) => file.status === 'failed' && file.message !== undefined && file.message !== '')
    .map((file) => `failed file ${relative(cwd, file.name)}: ${file.message?.split('\n')[0] ?? ''}`);
}

/** Whether the report records a run with nothing failed. */
export function reportPassed(report: VitestReport): boolean {
  return (
    report.success === true && (report.numFailedTests ?? 0) === 0 && (report.numFailedTestSuites ?? 0) === 0
  );
}

/** Reads the report at `path` and builds the summary (the lines end with the summary line when the report exists). */
export function summarize(path: string, cwd = process.cwd()): Summary {
  let report: VitestReport;
  try {
    report = JSON.parse(readFileSync(path, 'utf8')) as VitestReport;
  } catch (error) {
    const reason =
      error instanceof Error ? ('code' in error && String(error.code)) || error.message : String(error);
    return { lines: [`no test results: cannot read vitest JSON report ${path} (${reason})`], exitCode: 2 };
  }
  return {
    lines: [...fileFailureNotes(report, cwd), summaryLine(report)],
    exitCode: reportPassed(report) ? 0 : 1,
  };
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  const path = process.argv[2];
  if (path === undefined) {
    console.error('usage: node dist/test/lab/summary.js <vitest-results.json>');
    process.exitCode = 2;
  } else {
    const { lines, exitCode } = summarize(path);
    for (const line of lines) console.log(line);
    process.exitCode = exitCode;
  }
}
