import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { Lab } from '../../src/lab/index.js';

async function netnsNames(): Promise<string[]> {
  return (await execa('ip', ['netns', 'list'])).stdout.split('\n').map((line) => line.split(' ')[0] ?? '');
}

describe('labs', () => {
  test('two hosts on a lab switch reach each other and their router; teardown removes everything, twice', async () => {
    const lab = await Lab.create({ hosts: 2 });
    try {
      const [one, two] = lab.hosts;
      if (one === undefined || two === undefined) throw new Error('expected two hosts');
      expect(await netnsNames()).toEqual(expect.arrayContaining([`${lab.id}-router`, `${lab.id}-host1`, `${lab.id}-host2`]));
      expect(await lab.run(one.netns, ['ip', '-o', '-4', 'addr', 'show', 'eth0'])).toContain(`${one.ip}/24`);
      await lab.run(one.netns, ['ping', '-c', '1', '-W', '2', two.ip]);
      await lab.run(two.netns, ['ping', '-c', '1', '-W', '2', lab.router.ip]);
      expect(existsSync(one.stateDir) && existsSync(one.runDir)).toBe(true);
      expect(one.socketPath.startsWith(lab.dir)).toBe(true);
      const sleeper = lab.spawn(one.netns, ['sleep', '6061']);
      // A process started in the lab some other way (as berthd starts sandbox processes) dies with the lab too.
      const stray = execa('nsenter', [`--net=${two.netns.path}`, 'sleep', '6062'], { reject: false, detached: true });
      void stray;
      expect(sleeper.pid).toBeGreaterThan(0);
    } finally {
      await lab.close();
      await lab.close();
    }
    const names = await netnsNames();
    expect(names.filter((name) => name.startsWith(lab.id))).toEqual([]);
    expect(existsSync(lab.dir)).toBe(false);
    expect((await execa('pgrep', ['-f', 'sleep 606[12]'], { reject: false })).stdout).toBe('');
  });
});
