import { mkdirSync, readFileSync } from 'node:fs';
import { execa } from 'execa';

/** Where labs (and `ip netns`) keep their named namespaces. */
export const LAB_NETNS_DIR = '/run/netns';

/** Mount points listed in /proc/self/mountinfo (octal escapes undone). */
function mountPoints(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').flatMap((line) => {
    const point = line.split(' ')[4];
    return point === undefined ? [] : [point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)))];
  });
}

/**
 * Makes /run/netns a shared mount point, as `ip netns add` does the first time it runs on a
 * machine. Labs bind namespaces there themselves; if `ip netns` (tests and people use it too)
 * made the directory a mount point later, its recursive bind would copy every lab namespace
 * mounted there at that moment, and removing a lab would then fail with EBUSY (its namespace
 * still mounted underneath). Done once, before any namespace is mounted there; left alone when
 * some already are (turning it into a mount point then would hide or copy them).
 */
export async function prepareNetnsRunDir(): Promise<void> {
  mkdirSync(LAB_NETNS_DIR, { recursive: true });
  const points = mountPoints();
  if (points.includes(LAB_NETNS_DIR)) return;
  if (points.some((point) => point.startsWith(`${LAB_NETNS_DIR}/`))) return;
  await execa('mount', ['--bind', LAB_NETNS_DIR, LAB_NETNS_DIR]);
  await execa('mount', ['--make-shared', LAB_NETNS_DIR]);
}
