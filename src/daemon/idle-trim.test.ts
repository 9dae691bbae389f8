import { describe, expect, test, vi } from 'vitest';
import { IdleTrimmer } from './idle-trim.js';

describe('idle trimmer', () => {
  test('trims once, idleMs after the last of a burst of changes; stop cancels', () => {
    vi.useFakeTimers();
    try {
      const trim = vi.fn();
      const trimmer = new IdleTrimmer({ trim, idleMs: 1000 });
      for (let step = 0; step < 5; step += 1) {
        trimmer.touch();
        vi.advanceTimersByTime(500);
      }
      expect(trim).not.toHaveBeenCalled();
      vi.advanceTimersByTime(500);
      expect(trim).toHaveBeenCalledTimes(1);
      trimmer.touch();
      trimmer.stop();
      vi.advanceTimersByTime(5000);
      expect(trim).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
