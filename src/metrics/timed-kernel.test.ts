import { describe, expect, test } from 'vitest';
import type { Kernel } from '../kernel/index.js';
import { timedFirewall, timedKernel } from './timed-kernel.js';

class FakeLinks {
  readonly #names = new Set<string>();
  create(name: string): Promise<void> {
    if (this.#names.has(name)) return Promise.reject(new Error(`${name} exists`));
    this.#names.add(name);
    return Promise.resolve();
  }
  count(): number {
    return this.#names.size;
  }
}

function fakeKernel(): { kernel: Kernel; host: { path: string } } {
  const host = { path: '/proc/1/ns/net' };
  const inside = { netns: host, links: new FakeLinks(), close: () => undefined };
  const kernel = { netns: { host, remove: () => Promise.resolve() }, sockets: {}, firewall: {}, in: () => inside, release: () => undefined, close: () => undefined };
  return { kernel: kernel as unknown as Kernel, host };
}

describe('timedKernel', () => {
  test('times methods by group and name, on the original objects (private fields work), and passes handles through', async () => {
    const seen: string[] = [];
    const { kernel, host } = fakeKernel();
    const timed = timedKernel(kernel, (operation) => seen.push(`${operation.kind} ${operation.ok ? 'ok' : 'error'}`));
    const links = timed.in(timed.netns.host).links as unknown as FakeLinks;
    await links.create('br0');
    await expect(links.create('br0')).rejects.toThrow('br0 exists');
    expect(links.count()).toBe(1);
    await timed.netns.remove(host);
    expect(timed.netns.host).toBe(host);
    expect(timed.in(host).netns).toBe(host);
    expect(timed.in(host)).toBe(timed.in(host));
    expect(seen).toEqual(['links.create ok', 'links.create error', 'links.count ok', 'netns.remove ok']);
  });

  test('timedFirewall names operations firewall.*; a synchronous throw is reported and rethrown', async () => {
    const seen: string[] = [];
    const firewall = { name: 'nftables', apply: () => Promise.resolve(), close: () => { throw new Error('closed twice'); } };
    const timed = timedFirewall(firewall as never, (operation) => seen.push(`${operation.kind} ${operation.ok ? 'ok' : 'error'}`)) as unknown as typeof firewall;
    await timed.apply();
    expect(() => timed.close()).toThrow('closed twice');
    expect(timed.name).toBe('nftables');
    expect(seen).toEqual(['firewall.apply ok', 'firewall.close error']);
  });
});
