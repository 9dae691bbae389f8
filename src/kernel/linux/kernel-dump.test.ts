import { describe, expect, test } from 'vitest';
import { kernelDump } from './kernel-error.js';

const failure = { operation: 'list links', object: 'all' };

describe('netlink dumps split by a concurrent reply', () => {
  test('are asked again; other errors are not; a dump that keeps splitting fails after 5 attempts', async () => {
    let calls = 0;
    const flaky = (): Promise<string> => {
      calls += 1;
      return calls < 3 ? Promise.reject(new Error('Multipart message not terminated properly')) : Promise.resolve('links');
    };
    await expect(kernelDump(failure, flaky)).resolves.toBe('links');
    expect(calls).toBe(3);

    let other = 0;
    await expect(kernelDump(failure, () => { other += 1; return Promise.reject(new Error('EPERM')); })).rejects.toThrow(/list links all/);
    expect(other).toBe(1);

    let always = 0;
    await expect(kernelDump(failure, () => { always += 1; return Promise.reject(new Error('Multipart message not terminated properly')); })).rejects.toMatchObject({ code: 'KERNEL_FAILURE' });
    expect(always).toBe(5);
  });
});
