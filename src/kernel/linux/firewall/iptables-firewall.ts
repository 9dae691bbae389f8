import { BerthError } from '../../../errors/index.js';
import type { FirewallBackend, FirewallBatch } from '../../firewall.js';
import type { Netns } from '../../netns.js';
import { assertNetns, firewallError } from './firewall-error.js';
import { execInNetns } from './netns-exec.js';
import { flushConntrack } from './conntrack.js';
import { filterOwn, removalScript } from './iptables-save-filter.js';

interface Family {
  readonly label: 'ipv4' | 'ipv6';
  readonly restore: string;
  readonly save: string;
}

const FAMILIES: readonly Family[] = [
  { label: 'ipv4', restore: 'iptables-restore', save: 'iptables-save' },
  { label: 'ipv6', restore: 'ip6tables-restore', save: 'ip6tables-save' },
];

/** One restore run: which family, what input, and whether to only check it (`--test`). */
interface RestoreRun {
  readonly family: Family;
  readonly input: string;
  readonly testOnly: boolean;
}

/**
 * The iptables backend, through whichever iptables the system provides (iptables-nft on Debian 12,
 * or legacy). berth owns chains named BERTH* and rules commented `berth...`; every change goes
 * through `iptables-restore --noflush`, so other chains and rules are never flushed.
 *
 * One restore run is atomic per table (and per run with iptables-nft). A batch with both families
 * is checked with `--test` for both before either is committed, so a malformed IPv6 half cannot
 * leave the IPv4 half applied; only a kernel refusal of the second commit could.
 */
export class IptablesFirewall implements FirewallBackend {
  readonly name = 'iptables';
  readonly transport = 'iptables-restore';

  /** Checks both halves of `batch`, then commits ipv4 and then ipv6 inside `netns`. */
  async apply(netns: Netns, batch: FirewallBatch): Promise<void> {
    const operation = 'apply firewall batch';
    if (batch.backend !== 'iptables') {
      throw new BerthError('INVALID_ARGUMENT', `iptables backend got a ${batch.backend} batch`, {
        operation,
        object: netns.path,
      });
    }
    assertNetns(netns.path);
    const halves = FAMILIES.flatMap((family) => {
      const input = family.label === 'ipv4' ? batch.ipv4 : batch.ipv6;
      return input === undefined || input.trim() === '' ? [] : [{ family, input }];
    });
    for (const half of halves) await this.#restore(netns, { ...half, testOnly: true });
    for (const half of halves) await this.#restore(netns, { ...half, testOnly: false });
  }

  /** berth's chains and rules in `netns`, as filtered `iptables-save` text per family. */
  async listOwn(netns: Netns): Promise<string> {
    assertNetns(netns.path);
    const sections: string[] = [];
    for (const family of FAMILIES) {
      const own = filterOwn(await this.#save(netns, family));
      if (own !== '') sections.push(`# ${family.label}\n${own}`);
    }
    return sections.join('');
  }

  /** Removes berth's rules and chains from every table of both families; a no-op when none. */
  async removeOwn(netns: Netns): Promise<void> {
    assertNetns(netns.path);
    const failures: string[] = [];
    // Keep going after one family fails, so the other is still cleaned (teardown collects).
    for (const family of FAMILIES) {
      try {
        const script = removalScript(await this.#save(netns, family));
        if (script !== undefined) await this.#restore(netns, { family, input: script, testOnly: false }, 'remove berth firewall state');
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
    if (failures.length > 0) {
      throw new BerthError('FIREWALL_FAILURE', failures.join('; '), {
        operation: 'remove berth firewall state',
        object: netns.path,
      });
    }
  }

  /** Deletes conntrack entries of a protocol/port (see FirewallBackend.flushConntrack). */
  flushConntrack(netns: Netns, flow: { readonly protocol: 'tcp' | 'udp' | 'sctp'; readonly port: number }): Promise<void> {
    return flushConntrack(netns, flow);
  }

  /** Nothing in-process to release. */
  close(): void {}

  async #save(netns: Netns, family: Family): Promise<string> {
    const result = await execInNetns({ netnsPath: netns.path, argv: [family.save] });
    if (!result.ok) {
      throw firewallError({ operation: `list berth firewall state (${family.save})`, netnsPath: netns.path, detail: result.stderr });
    }
    return result.stdout;
  }

  async #restore(netns: Netns, run: RestoreRun, operation = 'apply firewall batch'): Promise<void> {
    const flags = run.testOnly ? ['--noflush', '--wait', '--test'] : ['--noflush', '--wait'];
    const input = run.input.endsWith('\n') ? run.input : `${run.input}\n`;
    const result = await execInNetns({ netnsPath: netns.path, argv: [run.family.restore, ...flags], input });
    if (!result.ok) {
      const stage = run.testOnly ? 'check' : 'commit';
      const detail = `${run.family.restore} (${stage}): ${result.stderr}`;
      throw firewallError({ operation, netnsPath: netns.path, detail });
    }
  }
}
