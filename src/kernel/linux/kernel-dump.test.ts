import { describe, expect, test } from 'vitest';
import { kernelDump } from './kernel-error.js';
import { processNetnsPath } from './netns-switch.js';
import { closeRtnl, openRtnl } from './rtnl.js';

const failure = { operation: 'list links', object: 'all' };

describe('netlink dumps split by a concurrent reply', () => {
  test('are asked again; other errors are not; a dump that keeps splitting fails after 8 attempts', async () => {
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
    expect(always).toBe(8);
  });

  test('dumps refused while another runs on the socket (EBUSY) are asked again', async () => {
    let calls = 0;
    const busy = (): Promise<string> => {
      calls += 1;
      return calls < 3 ? Promise.reject(new Error('Request rejected: EBUSY')) : Promise.resolve('links');
    };
    await expect(kernelDump(failure, busy)).resolves.toBe('links');
    expect(calls).toBe(3);
  });

  test('replies dropped by a full socket buffer (ENOBUFS) are asked again too', async () => {
    let calls = 0;
    const dropped = (): Promise<string> => {
      calls += 1;
      return calls < 2 ? Promise.reject(Object.assign(new Error('Error when receiving Netlink message'), { code: 'ENOBUFS' })) : Promise.resolve('links');
    };
    await expect(kernelDump(failure, dropped)).resolves.toBe('links');
    expect(calls).toBe(2);
  });
});

describe('an rtnetlink socket whose replies were dropped', () => {
  test('fails the requests in flight with the error instead of aborting the process or waiting for ever', async () => {
    // A read-only dump of this process's own namespace; the error is the one the package emits on ENOBUFS.
    const socket = openRtnl(processNetnsPath());
    try {
      const dump = socket.getLinks();
      // Requests are queued per socket: let it be sent (a few microtasks; the answer can only be read
      // by the event loop later).
      const pending = (): number => (socket.socket as unknown as { requests: Map<number, unknown> }).requests.size;
      for (let turn = 0; turn < 10 && pending() === 0; turn += 1) await Promise.resolve();
      expect(pending()).toBe(1);
      const overflow: NodeJS.ErrnoException = Object.assign(new Error('Error when receiving Netlink message'), { code: 'ENOBUFS', errno: -105, syscall: 'recvmsg' });
      socket.socket.emit('error', overflow as Parameters<typeof socket.socket.emit<'error'>>[1]);
      await expect(dump).rejects.toMatchObject({ code: 'ENOBUFS' });
      // The socket still works afterwards: the kernel refuses a new dump (EBUSY) until the interrupted
      // one has ended, which kernelDump waits out.
      expect((await kernelDump(failure, () => socket.getLinks())).length).toBeGreaterThan(0);
    } finally {
      closeRtnl(socket);
    }
  });

  test('a poll error (the package then closes the socket) makes the handle open a new socket on next use', async () => {
    const socket = openRtnl(processNetnsPath());
    try {
      const first = socket.socket;
      const failure: NodeJS.ErrnoException = Object.assign(new Error('error when polling socket'), { code: 'EBADF', errno: -9, syscall: 'poll' });
      first.emit('error', failure as Parameters<typeof first.emit<'error'>>[1]);
      first.socket.close();
      expect(socket.socket).not.toBe(first);
      expect((await socket.getLinks()).length).toBeGreaterThan(0);
    } finally {
      closeRtnl(socket);
    }
  });
});
