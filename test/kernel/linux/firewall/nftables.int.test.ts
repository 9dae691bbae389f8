import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import type { TestContext } from 'vitest';
import { hasCode } from '../../../../src/errors/index.js';
import type { Netns } from '../../../../src/kernel/netns.js';
import { NftablesFirewall } from '../../../../src/kernel/linux/firewall/index.js';
import type { NftTransportChoice } from '../../../../src/kernel/linux/firewall/index.js';
import { createTestNetns, randomSuffix } from '../../../lab/test-netns.js';
import { canConnect, canPing, randomPort, runIn, startListener } from './traffic.js';

const TRANSPORTS: readonly Exclude<NftTransportChoice, 'auto'>[] = ['libnftables', 'nft-exec'];

/** A firewall on `transport`, closed when the test finishes. */
function firewallFor(context: TestContext, transport: NftTransportChoice): NftablesFirewall {
  const firewall = new NftablesFirewall({ transport });
  context.onTestFinished(() => firewall.close());
  return firewall;
}

/** berth's table with an output filter chain, a nat output chain and the ports map. */
function baseScript(table: string): string {
  return `
    add table inet ${table} { comment "berth"; }
    add map inet ${table} ports { type inet_proto . inet_service : ipv4_addr . inet_service; }
    add chain inet ${table} nat-output { type nat hook output priority -100; }
    add rule inet ${table} nat-output ip daddr 127.0.0.1 dnat ip to meta l4proto . th dport map @ports
    add chain inet ${table} filter-output { type filter hook output priority 0; }
  `;
}

async function rootTableNames(): Promise<string> {
  // Read-only look at the root namespace, to prove nothing leaked into it.
  return (await execa('nft', ['list', 'tables'])).stdout;
}

async function expectFailure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe.each(TRANSPORTS)('NftablesFirewall over %s', (transport) => {
  test('applies a table, chain, rule and map and lists them back', async (context) => {
    const netns = await createTestNetns(context);
    const firewall = firewallFor(context, transport);
    expect(firewall.transport).toBe(transport);
    const table = `berth-${randomSuffix()}`;
    await firewall.apply(netns, { backend: 'nftables', script: baseScript(table) });
    await firewall.apply(netns, {
      backend: 'nftables',
      script: `add element inet ${table} ports { tcp . 8080 : 10.0.0.2 . 80, udp . 53 : 10.0.0.3 . 5353 }`,
    });
    let own = await firewall.listOwn(netns);
    expect(own).toContain(`table inet ${table} {`);
    expect(own).toContain('comment "berth"');
    expect(own).toMatch(/tcp \. 8080 : 10\.0\.0\.2 \. 80/);
    expect(own).toMatch(/udp \. 53 : 10\.0\.0\.3 \. 5353/);
    expect(own).toContain('dnat ip to meta l4proto . th dport map @ports');

    await firewall.apply(netns, { backend: 'nftables', script: `delete element inet ${table} ports { tcp . 8080 }` });
    own = await firewall.listOwn(netns);
    expect(own).not.toContain('8080');
    expect(own).toMatch(/udp \. 53 : 10\.0\.0\.3 \. 5353/);
    expect(await rootTableNames()).not.toContain(table);
  });

  test('rules and map elements act on real traffic', async (context) => {
    const netns = await createTestNetns(context);
    const firewall = firewallFor(context, transport);
    const table = `berth-${randomSuffix()}`;
    const [published, target] = [randomPort(), randomPort() + 20_000];
    await startListener(context, netns, target);
    await firewall.apply(netns, { backend: 'nftables', script: baseScript(table) });
    expect(await canConnect(netns, published)).toBe(false);

    await firewall.apply(netns, {
      backend: 'nftables',
      script: `add element inet ${table} ports { tcp . ${published} : 127.0.0.1 . ${target} }`,
    });
    expect(await canConnect(netns, published)).toBe(true);
    await firewall.apply(netns, { backend: 'nftables', script: `delete element inet ${table} ports { tcp . ${published} }` });
    expect(await canConnect(netns, published)).toBe(false);

    expect(await canPing(netns)).toBe(true);
    await firewall.apply(netns, {
      backend: 'nftables',
      script: `add rule inet ${table} filter-output ip daddr 127.0.0.1 icmp type echo-request drop`,
    });
    expect(await canPing(netns)).toBe(false);
  });

  test('removeOwn deletes only berth tables and is idempotent', async (context) => {
    const netns = await createTestNetns(context);
    const firewall = firewallFor(context, transport);
    await runIn(netns, ['nft', '-f', '-'], `
      add table inet keepme
      add chain inet keepme input { type filter hook input priority 0; }
      add rule inet keepme input tcp dport 22 accept
      add table ip berthold { comment "someone else"; }
    `);
    await firewall.apply(netns, { backend: 'nftables', script: `${baseScript('berth')}\nadd table ip berth-nat { comment "berth"; }` });
    expect(await firewall.listOwn(netns)).toContain('table ip berth-nat');
    expect(await firewall.listOwn(netns)).not.toContain('berthold');

    await firewall.removeOwn(netns);
    await firewall.removeOwn(netns);
    expect(await firewall.listOwn(netns)).toBe('');
    const left = await runIn(netns, ['nft', 'list', 'ruleset']);
    expect(left).toContain('table inet keepme');
    expect(left).toContain('tcp dport 22 accept');
    expect(left).toContain('table ip berthold');
    expect(left).not.toMatch(/table (inet berth|ip berth-nat) /);
  });

  test('an invalid batch throws FIREWALL_FAILURE and applies nothing', async (context) => {
    const netns = await createTestNetns(context);
    const firewall = firewallFor(context, transport);
    const table = `berth-${randomSuffix()}`;
    const error = await expectFailure(firewall.apply(netns, {
      backend: 'nftables',
      script: `add table inet ${table}\nadd chain inet ${table} ok\nadd rule inet ${table} nochain counter\n`,
    }));
    expect(hasCode(error, 'FIREWALL_FAILURE')).toBe(true);
    expect(error.message).toContain(netns.path);
    expect(error.message).toMatch(/Error: .*No such file or directory/);
    expect(await firewall.listOwn(netns)).toBe('');

    const syntax = await expectFailure(firewall.apply(netns, { backend: 'nftables', script: 'add tabel inet berth' }));
    expect(hasCode(syntax, 'FIREWALL_FAILURE')).toBe(true);
    expect(syntax.message).toContain('syntax error');
  });

  test('changes in one namespace leave another untouched', async (context) => {
    const [first, second] = [await createTestNetns(context), await createTestNetns(context)];
    const firewall = firewallFor(context, transport);
    await firewall.apply(first, { backend: 'nftables', script: baseScript('berth') });
    expect(await firewall.listOwn(second)).toBe('');
    await firewall.apply(second, { backend: 'nftables', script: 'add table ip berth-second' });
    await firewall.removeOwn(second);
    expect(await firewall.listOwn(first)).toContain('table inet berth');
    expect(await firewall.listOwn(second)).toBe('');
  });

  test('a wrong netns path is a clear NETNS_NOT_FOUND', async (context) => {
    const firewall = firewallFor(context, transport);
    const missing: Netns = { path: `/run/netns/berth-missing-${randomSuffix()}` };
    const error = await expectFailure(firewall.apply(missing, { backend: 'nftables', script: 'add table inet berth' }));
    expect(hasCode(error, 'NETNS_NOT_FOUND')).toBe(true);
    expect(error.message).toContain(missing.path);
    const notNetns = await expectFailure(firewall.listOwn({ path: '/etc/hostname' }));
    expect(hasCode(notNetns, 'NETNS_NOT_FOUND')).toBe(true);
    expect(notNetns.message).toContain('/etc/hostname');
  });
});

describe('NftablesFirewall transport choice and context cache', () => {
  test('falls back to exec when libnftables cannot be loaded, with a warning', async (context) => {
    const warnings: string[] = [];
    const firewall = new NftablesFirewall({ libraryPath: '/nonexistent/libnftables.so.1', log: (message) => warnings.push(message) });
    context.onTestFinished(() => firewall.close());
    expect(firewall.transport).toBe('nft-exec');
    expect(warnings.join('\n')).toContain('/nonexistent/libnftables.so.1');
    const netns = await createTestNetns(context);
    await firewall.apply(netns, { backend: 'nftables', script: baseScript('berth') });
    expect(await firewall.listOwn(netns)).toContain('map ports');
  });

  test('forcing libnftables that cannot be loaded is KERNEL_UNSUPPORTED', () => {
    expect(() => new NftablesFirewall({ transport: 'libnftables', libraryPath: '/nonexistent/libnftables.so.1' }))
      .toThrow(expect.objectContaining({ code: 'KERNEL_UNSUPPORTED' }) as Error);
  });

  test('a path re-used by a new namespace does not get the old cached context', async (context) => {
    const name = `berth-t-${randomSuffix(4)}`;
    const netns: Netns = { path: `/run/netns/${name}` };
    context.onTestFinished(async () => {
      await execa('ip', ['netns', 'delete', name], { reject: false });
    });
    const firewall = firewallFor(context, 'libnftables');
    await execa('ip', ['netns', 'add', name]);
    await firewall.apply(netns, { backend: 'nftables', script: 'add table inet berth-old' });
    await execa('ip', ['netns', 'delete', name]);
    await execa('ip', ['netns', 'add', name]);
    await firewall.apply(netns, { backend: 'nftables', script: 'add table inet berth-new' });
    const own = await firewall.listOwn(netns);
    expect(own).toContain('berth-new');
    expect(own).not.toContain('berth-old');
    expect(await runIn(netns, ['nft', 'list', 'tables'])).toBe('table inet berth-new');
  });

  test('many namespaces stay within the context cache bound and still apply correctly', async (context) => {
    const firewall = new NftablesFirewall({ transport: 'libnftables', maxCachedContexts: 1 });
    context.onTestFinished(() => firewall.close());
    const namespaces = [await createTestNetns(context), await createTestNetns(context), await createTestNetns(context)];
    for (const [index, netns] of namespaces.entries()) {
      await firewall.apply(netns, { backend: 'nftables', script: `add table inet berth-${index}` });
    }
    for (const [index, netns] of namespaces.entries()) {
      expect(await firewall.listOwn(netns)).toBe(`table inet berth-${index} {\n}\n`);
    }
  });
});
