import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { closeRtnl, openRtnl } from '../../../src/kernel/linux/rtnl.js';
import { LinuxLinkOps } from '../../../src/kernel/linux/link-ops.js';
import { createTestNetns } from '../../lab/test-netns.js';

describe('one rtnetlink socket under concurrent requests', () => {
  test('link dumps spread over many batches stay whole while link changes run at the same time', async (context) => {
    const netns = await createTestNetns(context);
    // 300 links: a link dump takes many batches, each sent only after the previous was read.
    const script = Array.from({ length: 150 }, (_, index) => `link add c${String(index)}a type veth peer name c${String(index)}b`).join('\n');
    await execa('nsenter', [`--net=${netns.path}`, 'ip', '-batch', '-'], { input: script });
    const socket = openRtnl(netns.path);
    try {
      const links = new LinuxLinkOps(socket);
      // Without a per-socket queue, the changes' answers land between a dump's batches and the
      // dump fails ("Multipart message not terminated properly") once its retries are spent.
      const work = Array.from({ length: 40 }, async (_, index) => {
        if (index % 2 === 0) return (await socket.getLinks()).length;
        await links.set(`c${String(index)}a`, { alias: `berth-test-${String(index)}` });
        return -1;
      });
      const counts = (await Promise.all(work)).filter((count) => count >= 0);
      expect(counts).toHaveLength(20);
      for (const count of counts) expect(count).toBe(301);
    } finally {
      closeRtnl(socket);
    }
  }, 60_000);
});
