import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { sections } from './sections.js';

// Full-kernel test: this VM's kernel has no 8021q, so the probe runs under Debian's kernel in
// a qemu guest through scripts/kernel-lab (docs/kernel-lab.md). The test itself runs on the
// host and only reads what the guest printed.

const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url));
const KERNEL_LAB = `${REPO_DIR}scripts/kernel-lab`;
const PROBE = 'test/full-kernel/vlan-probe.sh';
const TEST_TIMEOUT_MS = 180_000;

describe('VLAN tagging under a full kernel (kernel-lab)', () => {
  it(
    'tags frames sent through v0.100 with 802.1Q id 100, and not plain frames',
    async () => {
      const lab = await execa(KERNEL_LAB, ['--timeout', '150', '--', 'sh', PROBE], {
        cwd: REPO_DIR,
        reject: false,
        all: true,
      });
      const report = `kernel-lab exit ${String(lab.exitCode)}:\n${lab.all}`;
      expect(lab.exitCode, report).toBe(0);

      const found = sections(lab.stdout);
      expect([...found.keys()], report).toEqual(['links', 'tagged', 'untagged', 'end']);
      expect(found.get('links'), report).toMatch(/vlan protocol 802\.1Q id 100/);

      const tagged = found.get('tagged') ?? '';
      expect(tagged, report).toMatch(/ethertype 802\.1Q \(0x8100\)/);
      expect(tagged, report).toMatch(/vlan 100,/);
      expect(tagged, report).toMatch(/who-has 192\.0\.2\.2 tell 192\.0\.2\.1/);
      expect(tagged, report).toMatch(/^reply: yes$/m);

      // Negative control: the same capture of a ping over plain v0 must show no tag.
      const untagged = found.get('untagged') ?? '';
      expect(untagged, report).toMatch(/who-has 198\.51\.100\.2 tell 198\.51\.100\.1/);
      expect(untagged, report).not.toMatch(/802\.1Q|vlan \d+/);
      expect(untagged, report).toMatch(/^reply: yes$/m);
    },
    TEST_TIMEOUT_MS,
  );
});
