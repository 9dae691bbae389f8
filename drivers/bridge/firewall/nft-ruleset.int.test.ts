import { describe, expect, test } from 'vitest';
import { createFirewall } from '../../../src/kernel/linux/firewall/index.js';
import { createTestNetns } from '../../../test/lab/test-netns.js';
import { addNetworkRules, addPortRules, baseRuleset, removeNetworkRules, removePortRules } from './nft-ruleset.js';
import type { PublishedPort } from './published-port.js';
import type { BridgeFirewallSpec } from './nft-ruleset.js';

const spec: BridgeFirewallSpec = {
  networkId: 'abcdef0123456789', bridgeName: 'br-abcdef012345', enableIcc: false, enableIpMasquerade: true, internal: false,
  subnets4: ['172.18.0.0/16'], subnets6: ['fd00:1::/64'],
};

describe('bridge nftables rules on a real kernel', () => {
  test('apply, re-apply (idempotent), remove twice; the admins\' user chain survives', async (context) => {
    const netns = await createTestNetns(context);
    const firewall = createFirewall({ backend: 'nftables' });
    context.onTestFinished(() => firewall.close());
    const apply = (script: string): Promise<void> => firewall.apply(netns, { backend: 'nftables', script: `${baseRuleset()}${script}` });
    await apply(addNetworkRules(spec));
    await firewall.apply(netns, { backend: 'nftables', script: 'add rule inet berth user iifname "eth9" drop\n' });
    await apply(addNetworkRules(spec));
    const listed = await firewall.listOwn(netns);
    expect(listed).toContain('"br-abcdef012345" : jump in-abcdef012345');
    expect(listed).toContain('172.18.0.0/16');
    expect(listed.match(/ct state invalid drop/g)?.length).toBe(1);
    expect(listed).toContain('oifname "br-abcdef012345" drop comment "ICC"');
    await apply(removeNetworkRules(spec));
    await apply(removeNetworkRules(spec));
    const after = await firewall.listOwn(netns);
    expect(after).not.toContain('in-abcdef012345');
    expect(after).not.toContain('172.18.0.0/16');
    expect(after).toContain('iifname "eth9" drop');
  });

  test('published ports: IPv4 and IPv6 elements, each in its family\'s map; removal is idempotent', async (context) => {
    const netns = await createTestNetns(context);
    const firewall = createFirewall({ backend: 'nftables' });
    context.onTestFinished(() => firewall.close());
    const apply = (script: string): Promise<void> => firewall.apply(netns, { backend: 'nftables', script: `${baseRuleset()}${script}` });
    const ports: PublishedPort[] = [
      { hostIp: undefined, hostPort: 8080, protocol: 'tcp', containerIp: '172.18.0.2', containerPort: 80 },
      { hostIp: undefined, hostPort: 8080, protocol: 'tcp', containerIp: 'fd00:1::2', containerPort: 80 },
      { hostIp: '2001:db8::1', hostPort: 5353, protocol: 'udp', containerIp: 'fd00:1::2', containerPort: 53 },
    ];
    await apply(addPortRules(ports));
    const listed = await firewall.listOwn(netns);
    expect(listed).toMatch(/map publish4-any \{[^}]*tcp \. 8080 : 172\.18\.0\.2 \. 80/);
    expect(listed).toMatch(/map publish6-any \{[^}]*tcp \. 8080 : fd00:1::2 \. 80/);
    expect(listed).toMatch(/map publish6 \{[^}]*2001:db8::1 \. udp \. 5353 : fd00:1::2 \. 53/);
    await apply(removePortRules(ports));
    await apply(removePortRules(ports));
    expect(await firewall.listOwn(netns)).not.toContain('fd00:1::2');
  });

  test('rules are stable text (golden file)', async () => {
    await expect(`${baseRuleset()}---\n${addNetworkRules(spec)}---\n${addNetworkRules({ ...spec, internal: true, enableIcc: true })}---\n${removeNetworkRules(spec)}`)
      .toMatchFileSnapshot('./__snapshots__/bridge-rules.nft');
  });
});
