import { result } from './check-result.js';
import type { CheckResult } from './check-result.js';
import type { HostProbe } from './host-probe.js';

/** A kernel module berth's drivers use, who needs it, and whether its absence is fatal. */
interface Feature {
  readonly module: string;
  /** Its Kconfig symbol (without CONFIG_). */
  readonly config: string;
  readonly usedBy: string;
  readonly required: boolean;
}

/** The modules per driver (drivers/*, the nftables firewall). */
export const KERNEL_FEATURES: readonly Feature[] = [
  { module: 'bridge', config: 'BRIDGE', usedBy: 'bridge driver', required: true },
  { module: 'veth', config: 'VETH', usedBy: 'bridge driver (sandbox interfaces)', required: true },
  { module: 'nf_tables', config: 'NF_TABLES', usedBy: 'nftables firewall (NAT, isolation, published ports)', required: true },
  { module: 'br_netfilter', config: 'BRIDGE_NETFILTER', usedBy: 'iptables firewall on bridges (--firewall iptables)', required: false },
  { module: 'macvlan', config: 'MACVLAN', usedBy: 'macvlan driver', required: false },
  { module: '8021q', config: 'VLAN_8021Q', usedBy: 'macvlan/ipvlan VLAN parents (-o parent=eth0.N)', required: false },
  { module: 'ipvlan', config: 'IPVLAN', usedBy: 'ipvlan driver', required: false },
  { module: 'dummy', config: 'DUMMY', usedBy: 'macvlan/ipvlan --internal parents', required: false },
  { module: 'vxlan', config: 'VXLAN', usedBy: 'overlay driver', required: false },
];

/** A line naming the module file (modules.builtin: the path; modules.dep: the path before `:`). Names use - and _ interchangeably. */
function moduleLinePattern(module: string): RegExp {
  const name = module.replace(/[-_]/g, '[-_]');
  return new RegExp(`^(\\S*/)?${name}\\.ko(\\.(gz|xz|zst))?(:|$)`, 'm');
}

/** The running kernel's build config (/proc/config.gz, else /boot/config-RELEASE), or undefined. */
function kernelConfig(probe: HostProbe): string | undefined {
  return probe.readText('/proc/config.gz') ?? probe.readText(`/boot/config-${probe.kernelRelease}`);
}

/** How the running kernel provides `feature`; `unknown` when nothing says (no module lists, no config). */
function provided(probe: HostProbe, feature: Feature): 'loaded' | 'built in' | 'loadable' | 'missing' | 'unknown' {
  const { module } = feature;
  const underscored = module.replace(/-/g, '_');
  const loaded = probe.readText('/proc/modules')?.split('\n').some((line) => line.split(' ')[0] === underscored) ?? false;
  if (loaded || probe.exists(`/sys/module/${underscored}`)) return 'loaded';
  const base = `/lib/modules/${probe.kernelRelease}`;
  if (moduleLinePattern(module).test(probe.readText(`${base}/modules.builtin`) ?? '')) return 'built in';
  const config = kernelConfig(probe);
  const setting = config === undefined ? undefined : new RegExp(`^CONFIG_${feature.config}=([ym])$`, 'm').exec(config)?.[1];
  if (setting === 'y') return 'built in';
  const modules = probe.readText(`${base}/modules.dep`);
  if (moduleLinePattern(module).test(modules ?? '') || setting === 'm') return 'loadable';
  return config === undefined && modules === undefined ? 'unknown' : 'missing';
}

/** One result per kernel feature: loaded, built in or loadable is ok; missing fails (required) or warns. */
export function checkKernelFeatures(probe: HostProbe): CheckResult[] {
  return KERNEL_FEATURES.map((feature) => {
    const how = provided(probe, feature);
    const id = `kernel.${feature.module}`;
    if (how === 'unknown') {
      return result(id, 'warn', {
        detail: `${feature.module}: not loaded, and neither module lists (/lib/modules/${probe.kernelRelease}) nor the kernel config say whether it exists — ${feature.usedBy}`,
        fix: `modprobe ${feature.module}, or check CONFIG_${feature.config} in your kernel's config`,
      });
    }
    if (how !== 'missing') {
      return result(id, 'ok', { detail: `${feature.module}: ${how === 'loadable' ? 'available as a module (loaded on first use)' : how} — ${feature.usedBy}` });
    }
    return result(id, feature.required ? 'fail' : 'warn', {
      detail: `${feature.module}: not in this kernel (${probe.kernelRelease}) — ${feature.usedBy} will not work`,
      fix: `install a kernel with ${feature.module} (CONFIG_${feature.config}), e.g. Debian's linux-image-amd64, or \`modprobe ${feature.module}\` if it is packaged separately`,
    });
  });
}
