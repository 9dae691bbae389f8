import { describe, expect, test } from 'vitest';
import { createFirewall } from '../../../src/kernel/linux/firewall/index.js';
import { createTestNetns } from '../../../test/lab/test-netns.js';
import { addNetworkRules, baseRuleset, removeNetworkRules } from './nft-ruleset.js';
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

  test('rules are stable text (golden file)', async () => {
    await expect(`${baseRuleset()}---\n${addNetworkRules(spec)}---\n${addNetworkRules({ ...spec, internal: true, enableIcc: true })}---\n${removeNetworkRules(spec)}`)
      .toMatchFileSnapshot('./__snapshots__/bridge-rules.nft');
  });
});
