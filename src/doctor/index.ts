export type { CheckResult, CheckStatus } from './check-result.js';
export type { FileFacts, HostProbe } from './host-probe.js';
export { KERNEL_FEATURES, checkKernelFeatures } from './kernel-features.js';
export { checkFirewallManagers, checkIpForward, checkNftables } from './firewall-checks.js';
export { checkRouteOverlap } from './route-overlap.js';
export { checkSocket, groupId } from './socket-check.js';
export { doctorExitCode, formatDoctorReport, runDoctor } from './run-doctor.js';
export type { DoctorReport } from './run-doctor.js';
export { LinuxHostProbe } from './linux-host-probe.js';
