import type { CheckResult, CheckStatus } from './check-result.js';
import { checkCluster } from './cluster-checks.js';
import { checkFirewallManagers, checkIpForward, checkNftables } from './firewall-checks.js';
import type { HostProbe } from './host-probe.js';
import { checkKernelFeatures } from './kernel-features.js';
import { checkRouteOverlap } from './route-overlap.js';
import { checkSocket } from './socket-check.js';

/** Every check's result and the overall status (the worst one). */
export interface DoctorReport {
  readonly status: CheckStatus;
  readonly checks: readonly CheckResult[];
  readonly summary: Readonly<Record<CheckStatus, number>>;
}

/** Runs every check against `probe`; nothing is changed on the machine. */
export async function runDoctor(probe: HostProbe, options: { readonly socketPath: string; readonly configFile?: string }): Promise<DoctorReport> {
  const checks: CheckResult[] = [
    ...checkKernelFeatures(probe),
    await checkNftables(probe),
    checkIpForward(probe),
    ...(await checkFirewallManagers(probe)),
    await checkRouteOverlap(probe),
    ...checkSocket(probe, options.socketPath),
    ...(await checkCluster(probe, { configFile: options.configFile ?? '/etc/berth/daemon.json' })),
  ];
  const summary = { ok: 0, warn: 0, fail: 0 };
  for (const check of checks) summary[check.status] += 1;
  const status: CheckStatus = summary.fail > 0 ? 'fail' : summary.warn > 0 ? 'warn' : 'ok';
  return { status, checks, summary };
}

/** `berth doctor`'s exit status: 0 all ok, 1 something fails, 2 warnings only. */
export function doctorExitCode(report: DoctorReport): number {
  return { ok: 0, fail: 1, warn: 2 }[report.status];
}

/** The text report: one `[ok] / [warn] / [fail]` line per check, the fix indented under it. */
export function formatDoctorReport(report: DoctorReport): string {
  const lines = report.checks.map((check) => {
    const head = `${`[${check.status}]`.padEnd(7)}${check.id.padEnd(22)} ${check.detail}`;
    return check.fix === undefined ? head : `${head}\n${' '.repeat(30)}fix: ${check.fix}`;
  });
  return `${lines.join('\n')}\n\n${report.summary.ok} ok, ${report.summary.warn} warn, ${report.summary.fail} fail\n`;
}
