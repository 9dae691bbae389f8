import { BerthError } from '../errors/index.js';

/**
 * Each completed step of a change pushes its reverse; on failure the reverses run newest
 * first, every one of them even if some fail (STYLE.md 2.4), and the original error is kept.
 */
export class UndoStack {
  readonly #steps: { readonly what: string; readonly undo: () => Promise<void> | void }[] = [];

  push(what: string, undo: () => Promise<void> | void): void {
    this.#steps.push({ what, undo });
  }

  /** Runs every reverse step, newest first; returns the failures (the caller logs them). */
  async unwind(): Promise<readonly string[]> {
    const failures: string[] = [];
    for (const step of this.#steps.reverse()) {
      try {
        await step.undo();
      } catch (error) {
        failures.push(`${step.what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    this.#steps.length = 0;
    return failures;
  }
}

/** Runs teardown steps in order, all of them, then throws one TEARDOWN_INCOMPLETE listing failures. */
export async function runAll(what: string, steps: readonly (readonly [string, () => Promise<void> | void])[]): Promise<void> {
  const failures: string[] = [];
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (failures.length > 0) {
    throw new BerthError('TEARDOWN_INCOMPLETE', `${what}: ${failures.join('; ')}`, { object: what });
  }
}
