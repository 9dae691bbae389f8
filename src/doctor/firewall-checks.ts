import { result } from './check-result.js';
import type { CheckResult } from './check-result.js';
import type { HostProbe } from './host-probe.js';

/** Where Debian, Fedora and others keep libnftables.so.1 (what berth's nftables backend dlopens). */
const LIBNFTABLES_PATHS = [
  '/usr/lib/x86_64-linux-gnu/libnftables.so.1', '/usr/lib/aarch64-linux-gnu/libnftables.so.1', '/lib/x86_64-linux-gnu/libnftables.so.1',
  '/lib/aarch64-linux-gnu/libnftables.so.1', '/usr/lib64/libnftables.so.1', '/usr/lib/libnftables.so.1', '/lib64/libnftables.so.1',
];

/** libnftables in process, else `nft -f` (slower, one process per change), else no nftables backend. */
export async function checkNftables(probe: HostProbe): Promise<CheckResult> {
  const library = LIBNFTABLES_PATHS.find((path) => probe.exists(path));
  if (library !== undefined) return result('firewall.libnftables', 'ok', { detail: `libnftables found (${library}): firewall changes in process` });
  const nft = await probe.run('nft', ['--version']);
  if (nft !== undefined && nft.code === 0) {
    return result('firewall.libnftables', 'warn', { detail: `libnftables.so.1 not found: berthd falls back to exec'ing nft (${nft.stdout.trim()})`, fix: 'apt-get install libnftables1 (or your distribution\'s libnftables package)' });
  }
  return result('firewall.libnftables', 'fail', { detail: 'neither libnftables.so.1 nor nft found: the nftables backend cannot work', fix: 'apt-get install nftables libnftables1, or run berthd --firewall iptables' });
}

/** net.ipv4.ip_forward in this namespace: the bridge driver turns it on itself, so 0 is only a warning. */
export function checkIpForward(probe: HostProbe): CheckResult {
  const value = probe.readText('/proc/sys/net/ipv4/ip_forward')?.trim();
  if (value === '1') return result('firewall.ip_forward', 'ok', { detail: 'net.ipv4.ip_forward = 1' });
  if (value === undefined) return result('firewall.ip_forward', 'warn', { detail: 'cannot read /proc/sys/net/ipv4/ip_forward', fix: 'run berth doctor as root on the host berthd runs on' });
  return result('firewall.ip_forward', 'warn', {
    detail: `net.ipv4.ip_forward = ${value}: berthd sets it to 1 when it creates a bridge network with outside access, which also changes how this host treats other traffic`,
    fix: 'decide it yourself: echo net.ipv4.ip_forward=1 > /etc/sysctl.d/90-berth.conf && sysctl --system',
  });
}

/** firewalld and ufw rewrite the ruleset on reload; Docker's chains (policy drop on FORWARD) block bridged traffic. */
export async function checkFirewallManagers(probe: HostProbe): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const firewalld = probe.processNames().some((name) => name === 'firewalld' || name.startsWith('firewalld'));
  results.push(firewalld
    ? result('firewall.firewalld', 'warn', { detail: 'firewalld is running: a reload flushes rules other programs made', fix: 'berthd re-applies its rules at start; after `firewall-cmd --reload` restart berthd, or add berth\'s bridges to a trusted zone (firewall-cmd --zone=trusted --add-interface=berth0)' })
    : result('firewall.firewalld', 'ok', { detail: 'firewalld is not running' }));
  const ufwConfig = probe.readText('/etc/ufw/ufw.conf') ?? '';
  const ufw = /^\s*ENABLED\s*=\s*yes/m.test(ufwConfig);
  results.push(ufw
    ? result('firewall.ufw', 'warn', { detail: 'ufw is enabled: its default FORWARD policy (DROP) blocks traffic between berth networks and the outside', fix: 'set DEFAULT_FORWARD_POLICY="ACCEPT" in /etc/default/ufw or `ufw route allow in on berth0`, then `ufw reload`' })
    : result('firewall.ufw', 'ok', { detail: 'ufw is not enabled' }));
  results.push(await checkDockerChains(probe));
  return results;
}

async function checkDockerChains(probe: HostProbe): Promise<CheckResult> {
  const nft = await probe.run('nft', ['list', 'ruleset']);
  const iptables = await probe.run('iptables-save', []);
  const text = `${nft?.stdout ?? ''}\n${iptables?.stdout ?? ''}`;
  if (nft === undefined && iptables === undefined) return result('firewall.docker', 'warn', { detail: 'neither nft nor iptables-save found: cannot look for Docker\'s rules', fix: 'apt-get install nftables' });
  if (/chain DOCKER(-USER|-FORWARD|-ISOLATION)?\b|^:DOCKER(-USER|-FORWARD|-ISOLATION-STAGE-1)? /m.test(text)) {
    return result('firewall.docker', 'warn', {
      detail: 'Docker\'s chains (DOCKER, DOCKER-USER, ...) are present: dockerd sets the FORWARD policy to DROP, which drops traffic of berth networks that Docker does not know',
      fix: 'allow berth\'s bridges in DOCKER-USER (iptables -I DOCKER-USER -i berth0 -j ACCEPT; -o berth0 likewise), or do not run dockerd\'s own networking on this host',
    });
  }
  return result('firewall.docker', 'ok', { detail: 'no Docker chains in the ruleset' });
}
