import { describe, expect, test } from 'vitest';
import type { TestContext } from 'vitest';
import { hasCode } from '../../../../src/errors/index.js';
import type { Netns } from '../../../../src/kernel/netns.js';
import { createFirewall } from '../../../../src/kernel/linux/firewall/index.js';
import type { FirewallBackend } from '../../../../src/kernel/firewall.js';
import { createTestNetns, randomSuffix } from '../../../lab/test-netns.js';
import { canConnect, canPing, randomPort, runIn, startListener } from './traffic.js';

function firewallFor(context: TestContext): FirewallBackend {
  const firewall = createFirewall({ backend: 'iptables' });
  context.onTestFinished(() => firewall.close());
  return firewall;
}

/** berth's chains: BERTH-FORWARD/BERTH-OUTPUT hooked from the built-ins, BERTH-DNAT in nat. */
const BASE_IPV4 = `*filter
:BERTH-FORWARD - [0:0]
:BERTH-USER - [0:0]
:BERTH-OUTPUT - [0:0]
-A FORWARD -j BERTH-FORWARD
-A BERTH-FORWARD -j BERTH-USER
-A BERTH-USER -s 10.1.2.3/32 -j DROP
-A OUTPUT -j BERTH-OUTPUT
COMMIT
*nat
:BERTH-DNAT - [0:0]
-A OUTPUT -d 127.0.0.1/32 -m comment --comment berth -j BERTH-DNAT
-A POSTROUTING -s 10.88.0.0/16 ! -d 10.88.0.0/16 -m comment --comment "berth masquerade" -j MASQUERADE
COMMIT
`;
const BASE_IPV6 = `*filter
:BERTH-FORWARD - [0:0]
-A FORWARD -j BERTH-FORWARD
-A BERTH-FORWARD -s fd00::3/128 -j DROP
COMMIT
`;

async function expectFailure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('IptablesFirewall', () => {
  test('applies chains and rules for both families and lists them back', async (context) => {
    const netns = await createTestNetns(context);
    const firewall = firewallFor(context);
    expect([firewall.name, firewall.transport]).toEqual(['iptables', 'iptables-restore']);
    await firewall.apply(netns, { backend: 'iptables', ipv4: BASE_IPV4, ipv6: BASE_IPV6 });
    const own = await firewall.listOwn(netns);
    expect(own).toContain('# ipv4\n*filter\n:BERTH-FORWARD -\n');
    expect(own).toContain('-A FORWARD -j BERTH-FORWARD');
    expect(own).toContain('-A BERTH-USER -s 10.1.2.3/32 -j DROP');
    expect(own).toContain('-A POSTROUTING -s 10.88.0.0/16 ! -d 10.88.0.0/16 -m comment --comment "berth masquerade" -j MASQUERADE');
    expect(own).toContain('# ipv6\n*filter\n');
    expect(own).toContain('-A BERTH-FORWARD -s fd00::3/128 -j DROP');
  });

  test('rules act on real traffic and can be added and deleted', async (context) => {
    const netns = await createTestNetns(context);
    const firewall = firewallFor(context);
    const [published, target] = [randomPort(), randomPort() + 20_000];
    await startListener(context, netns, target);
    await firewall.apply(netns, { backend: 'iptables', ipv4: BASE_IPV4 });
    expect(await canConnect(netns, published)).toBe(false);

    const dnat = `-p tcp -d 127.0.0.1/32 --dport ${published} -j DNAT --to-destination 127.0.0.1:${target}`;
    await firewall.apply(netns, { backend: 'iptables', ipv4: `*nat\n-A BERTH-DNAT ${dnat}\nCOMMIT\n` });
    expect(await canConnect(netns, published)).toBe(true);
    await firewall.apply(netns, { backend: 'iptables', ipv4: `*nat\n-D BERTH-DNAT ${dnat}\nCOMMIT\n` });
    expect(await canConnect(netns, published)).toBe(false);

    expect(await canPing(netns)).toBe(true);
    await firewall.apply(netns, { backend: 'iptables', ipv4: '*filter\n-A BERTH-OUTPUT -d 127.0.0.1/32 -p icmp -j DROP\nCOMMIT\n' });
    expect(await canPing(netns)).toBe(false);
  });

  test('removeOwn removes berth chains and rules in every table, leaves the rest, is idempotent', async (context) => {
    const netns = await createTestNetns(context);
    const firewall = firewallFor(context);
    await runIn(netns, ['iptables-restore', '--noflush'], `*filter
:KEEP-ME - [0:0]
-A INPUT -s 10.9.9.9/32 -j KEEP-ME
-A KEEP-ME -j DROP
COMMIT
*nat
-A POSTROUTING -s 10.77.0.0/16 -m comment --comment "not ours" -j MASQUERADE
COMMIT
`);
    await firewall.apply(netns, { backend: 'iptables', ipv4: BASE_IPV4, ipv6: BASE_IPV6 });
    await firewall.apply(netns, {
      backend: 'iptables',
      ipv4: '*mangle\n:BERTH-MARK - [0:0]\n-A PREROUTING -j BERTH-MARK\nCOMMIT\n*raw\n:BERTH-RAW - [0:0]\n-A PREROUTING -j BERTH-RAW\nCOMMIT\n',
    });
    await firewall.removeOwn(netns);
    await firewall.removeOwn(netns);
    expect(await firewall.listOwn(netns)).toBe('');
    const left = await runIn(netns, ['iptables-save']);
    expect(left).toContain(':KEEP-ME - [0:0]');
    expect(left).toContain('-A INPUT -s 10.9.9.9/32 -j KEEP-ME');
    expect(left).toContain('-A KEEP-ME -j DROP');
    expect(left).toContain('--comment "not ours" -j MASQUERADE');
    expect(left).not.toContain('BERTH');
    expect(await runIn(netns, ['ip6tables-save'])).not.toContain('BERTH');
  });

  test('an invalid batch throws FIREWALL_FAILURE and applies nothing', async (context) => {
    const netns = await createTestNetns(context);
    const firewall = firewallFor(context);
    const error = await expectFailure(firewall.apply(netns, {
      backend: 'iptables',
      ipv4: '*filter\n:BERTH-A - [0:0]\n-A FORWARD -j BERTH-A\n-A BERTH-NOPE -j DROP\nCOMMIT\n',
    }));
    expect(hasCode(error, 'FIREWALL_FAILURE')).toBe(true);
    expect(error.message).toContain(netns.path);
    expect(error.message).toMatch(/iptables-restore .*line 4 failed/);
    expect(await firewall.listOwn(netns)).toBe('');

    // A valid IPv4 half is not committed when the IPv6 half is malformed.
    const mixed = await expectFailure(firewall.apply(netns, {
      backend: 'iptables',
      ipv4: BASE_IPV4,
      ipv6: '*filter\n-A FORWARD -s not-an-address -j DROP\nCOMMIT\n',
    }));
    expect(hasCode(mixed, 'FIREWALL_FAILURE')).toBe(true);
    expect(mixed.message).toContain('ip6tables-restore');
    expect(await firewall.listOwn(netns)).toBe('');
  });

  test('changes in one namespace leave another untouched', async (context) => {
    const [first, second] = [await createTestNetns(context), await createTestNetns(context)];
    const firewall = firewallFor(context);
    await firewall.apply(first, { backend: 'iptables', ipv4: BASE_IPV4 });
    expect(await firewall.listOwn(second)).toBe('');
    await firewall.apply(second, { backend: 'iptables', ipv4: '*filter\n:BERTH-X - [0:0]\nCOMMIT\n' });
    await firewall.removeOwn(second);
    expect(await firewall.listOwn(first)).toContain('-A BERTH-USER -s 10.1.2.3/32 -j DROP');
    expect(await firewall.listOwn(second)).toBe('');
  });

  test('a wrong netns path is a clear NETNS_NOT_FOUND', async (context) => {
    const firewall = firewallFor(context);
    const missing: Netns = { path: `/run/netns/berth-missing-${randomSuffix()}` };
    const error = await expectFailure(firewall.apply(missing, { backend: 'iptables', ipv4: BASE_IPV4 }));
    expect(hasCode(error, 'NETNS_NOT_FOUND')).toBe(true);
    expect(error.message).toContain(missing.path);
    const removal = await expectFailure(firewall.removeOwn(missing));
    expect(hasCode(removal, 'NETNS_NOT_FOUND')).toBe(true);
  });

  test('an nftables batch is refused with INVALID_ARGUMENT', async (context) => {
    const netns = await createTestNetns(context);
    const error = await expectFailure(firewallFor(context).apply(netns, { backend: 'nftables', script: 'add table inet berth' }));
    expect(hasCode(error, 'INVALID_ARGUMENT')).toBe(true);
  });
});
