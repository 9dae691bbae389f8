import { result } from './check-result.js';
import type { CheckResult } from './check-result.js';
import type { HostProbe } from './host-probe.js';

/** The gid of `group` in /etc/group, undefined when there is no such group. */
export function groupId(probe: HostProbe, group: string): number | undefined {
  for (const line of (probe.readText('/etc/group') ?? '').split('\n')) {
    const [name, , gid] = line.split(':');
    if (name === group && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return undefined;
}

/** The API socket: there, a socket, mode 0660 with the berth group, and usable by the caller. */
export function checkSocket(probe: HostProbe, socketPath: string): CheckResult[] {
  const gid = groupId(probe, 'berth');
  const group = gid === undefined
    ? result('socket.group', 'warn', { detail: 'no `berth` group: only root can use the API socket', fix: 'scripts/install creates it (or groupadd --system berth), then usermod -aG berth USER' })
    : result('socket.group', 'ok', { detail: `group berth exists (gid ${gid})` });
  const facts = probe.stat(socketPath);
  if (facts === undefined) {
    return [group, result('socket.api', 'warn', { detail: `${socketPath} does not exist: berthd is not running (or listens elsewhere)`, fix: 'systemctl start berthd, or point -H / BERTH_HOST at its socket' })];
  }
  if (!facts.socket) return [group, result('socket.api', 'fail', { detail: `${socketPath} is not a socket`, fix: `remove it and restart berthd` })];
  const mode = (facts.mode & 0o777).toString(8).padStart(4, '0');
  const { uid, groups } = probe.user;
  const usable = uid === 0 || (uid === facts.uid && (facts.mode & 0o600) === 0o600) || (groups.includes(facts.gid) && (facts.mode & 0o060) === 0o060) || (facts.mode & 0o006) === 0o006;
  const problems: string[] = [];
  if ((facts.mode & 0o007) !== 0) problems.push(`mode ${mode} lets every user drive berthd`);
  if (gid !== undefined && facts.gid !== gid) problems.push(`group is ${facts.gid}, not berth (${gid})`);
  if (!usable) {
    return [group, result('socket.api', 'fail', { detail: `${socketPath} (mode ${mode}, gid ${facts.gid}) is not usable by uid ${uid}`, fix: 'run as root or join the berth group: usermod -aG berth $USER (log in again)' })];
  }
  if (problems.length > 0) {
    return [group, result('socket.api', 'warn', { detail: `${socketPath}: ${problems.join('; ')}`, fix: 'berthd makes the socket 0660; the systemd unit sets its group to berth (chgrp berth it, chmod 0660)' })];
  }
  return [group, result('socket.api', 'ok', { detail: `${socketPath} (mode ${mode}, gid ${facts.gid}) usable by uid ${uid}` })];
}
