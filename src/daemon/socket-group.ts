import { chownSync, readFileSync } from 'node:fs';
import { BerthError } from '../errors/index.js';

/** The gid of `group` in `groupFile` (/etc/group), undefined when there is none. */
export function findGroupId(group: string, groupFile = '/etc/group'): number | undefined {
  let text: string;
  try {
    text = readFileSync(groupFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [name, , gid] = line.split(':');
    if (name === group && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return undefined;
}

/**
 * Gives the API socket to `group` (mode 0660 was set by listenUnix), as dockerd does with
 * `--group docker`: members can use berth without root. A missing group is skipped unless it
 * was asked for explicitly.
 */
export function applySocketGroup(socket: string, options: { readonly group: string; readonly explicit: boolean }): number | undefined {
  const gid = findGroupId(options.group);
  if (gid === undefined) {
    if (options.explicit) throw new BerthError('INVALID_ARGUMENT', `--group ${options.group}: no such group (scripts/install creates "berth")`, { object: options.group });
    return undefined;
  }
  chownSync(socket, -1, gid);
  return gid;
}
