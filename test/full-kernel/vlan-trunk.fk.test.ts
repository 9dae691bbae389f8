import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { sections } from './sections.js';

// Full-kernel test: this VM's kernel has no 8021q, dummy or ipvlan, so berth's controller with
// its macvlan and ipvlan drivers runs under Debian's kernel in a qemu guest (scripts/kernel-lab,
// docs/kernel-lab.md) through vlan-trunk-rig.mjs; one boot runs every step. The test reads
// what the guest printed.

const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url));
const KERNEL_LAB = `${REPO_DIR}scripts/kernel-lab`;
const RIG = 'test/full-kernel/vlan-trunk-rig.mjs';
const TEST_TIMEOUT_MS = 180_000;

describe('macvlan/ipvlan over an 802.1Q trunk under a full kernel (kernel-lab)', () => {
  it(
    'berth makes eth0.N sub-interfaces, tags each VLAN\'s frames, keeps VLANs apart, removes only what it made; dummy parent; ipvlan l2/l3',
    async () => {
      const lab = await execa(KERNEL_LAB, ['--timeout', '150', '--', 'node', RIG], { cwd: REPO_DIR, reject: false, all: true });
      const output = `kernel-lab exit ${String(lab.exitCode)}:\n${lab.all}`;
      expect(lab.exitCode, output).toBe(0);
      const found = sections(lab.stdout);
      const report = JSON.parse(found.get('report') ?? '{}') as Record<string, unknown>;

      // berth created the sub-interfaces (marked as its own); the pre-existing one is unmarked.
      const links = found.get('sub-interfaces') ?? '';
      expect(links, output).toMatch(/trunk0\.100@trunk0[\s\S]*?vlan protocol 802\.1Q id 100[^\n]*\n\s*alias berth:[0-9a-f]{64}/);
      expect(links, output).toMatch(/trunk0\.200@trunk0[\s\S]*?vlan protocol 802\.1Q id 200[^\n]*\n\s*alias berth:[0-9a-f]{64}/);
      expect(found.get('s100'), output).toMatch(/macvlan mode bridge/);
      expect(found.get('s100'), output).toMatch(/default via 192\.0\.2\.1 dev eth0/);

      // On the trunk, each sandbox's frames carry its VLAN's tag, and only that one.
      const capture = found.get('trunk-capture') ?? '';
      expect(capture, output).toMatch(/ethertype 802\.1Q \(0x8100\)[^\n]*vlan 100,[^\n]*192\.0\.2\.2 > 192\.0\.2\.1: ICMP echo request/);
      expect(capture, output).toMatch(/vlan 100,[^\n]*192\.0\.2\.1 > 192\.0\.2\.2: ICMP echo reply/);
      expect(capture, output).toMatch(/ethertype 802\.1Q \(0x8100\)[^\n]*vlan 200,[^\n]*198\.51\.100\.2 > 198\.51\.100\.1: ICMP echo request/);
      for (const line of capture.split('\n').filter((text) => text.includes('ICMP'))) {
        expect(line, output).toMatch(/vlan (100,[^\n]*192\.0\.2\.|200,[^\n]*198\.51\.100\.)/);
      }

      expect(report, output).toMatchObject({
        s100ReachesRouter: true, s200ReachesRouter: true,
        // VLAN 100 reaches neither VLAN 200's sandbox nor an address of its own subnet that only VLAN 200 holds.
        s100ReachesS200: false, s100ReachesVlan200Host: false,
        secondOnTrunk100: expect.stringMatching(/^PARENT_IN_USE: parent interface trunk0\.100 is already used by macvlan network v100/) as unknown,
        s300ReachesRouter: true, trunk300KeptAfterRm: true,
        afterRestartSecondOnTrunk100: expect.stringMatching(/^PARENT_IN_USE/) as unknown,
        afterRestartS100ReachesRouter: true, trunk100GoneAfterRm: true, trunk200GoneAfterRm: true,
        dummyKind: 'dummy', internalPeers: true, internalDefaultRoute: '', dummyGoneAfterRm: true,
        ipvlanL2SharesParentMac: true, ipvlanL2ReachesRouter: true, ipvlanL2Peers: true,
        ipvlanOnMacvlanParent: expect.stringMatching(/^PARENT_IN_USE: parent interface trunk0\.300 is already used by ipvlan network ipv2/) as unknown,
        ipvlanL3Peers: true, ipvlanL3DefaultRoute: expect.stringMatching(/^default dev eth0/) as unknown,
        trunk300KeptAtEnd: true, berthLinksLeft: 0,
      });
      expect(found.get('ipvlan-l2'), output).toMatch(/ipvlan\s+mode l2/);
      expect(found.get('ipvlan-l3'), output).toMatch(/ipvlan\s+mode l3/);
    },
    TEST_TIMEOUT_MS,
  );
});
