import { describe, expect, test, vi } from 'vitest';
import { showProgress } from './progress.js';

function stream(isTTY: boolean): { isTTY: boolean; text: string[]; write: (text: string) => boolean } {
  const text: string[] = [];
  return { isTTY, text, write: (chunk: string) => { text.push(chunk); return true; } };
}

describe('progress for long requests', () => {
  test('on a terminal: nothing for a quick request; a refreshed line after 1 s, erased at the end', () => {
    vi.useFakeTimers();
    try {
      const quick = stream(true);
      showProgress('POST /networks/prune', { stream: quick })();
      vi.advanceTimersByTime(5000);
      expect(quick.text).toEqual([]);
      const slow = stream(true);
      const stop = showProgress('POST /berth/system/reset', { stream: slow });
      vi.advanceTimersByTime(3100);
      stop();
      vi.advanceTimersByTime(3000);
      expect(slow.text).toEqual(['\r… POST /berth/system/reset (1s)\x1b[K', '\r… POST /berth/system/reset (2s)\x1b[K', '\r… POST /berth/system/reset (3s)\x1b[K', '\r\x1b[K']);
    } finally {
      vi.useRealTimers();
    }
  });

  test('not a terminal: never writes', () => {
    vi.useFakeTimers();
    try {
      const pipe = stream(false);
      const stop = showProgress('x', { stream: pipe });
      vi.advanceTimersByTime(5000);
      stop();
      expect(pipe.text).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});
