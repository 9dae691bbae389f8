import { readFile, readdir, writeFile, readlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';

/**
 * Leak check: what kernel and process state exists on the host, so a test run can prove it left
 * nothing behind. Every object is one readable string `<kind> <name>` ("link br-1a2b",
 * "netns berth-t-0c1d", "nft-table inet berth"), so a diff is a plain set difference and its
 * lines go straight into an error message.
 *
 * Links, nft tables and iptables chains/rules belong to a network namespace, so they are read in
 * `options.netns` (through `nsenter --net`) when one is given. Named namespaces, mounts and
 * processes are host-wide and always read as this process sees them.
 */

/** Kinds of object the leak check tracks, in the order leftovers are listed. */
export const LEAK_KINDS = ['link', 'netns', 'mount', 'nft-table', 'iptables', 'process'] as const;
/** One kind of tracked object. */
export type LeakKind = (typeof LEAK_KINDS)[number];

/** The tracked objects at one moment; a kind whose tool is missing or failed is in `unavailable`. */
export interface Snapshot {
  /** The namespace links and firewall state were read in; undefined for this process's own. */
  readonly netns: string | undefined;
  readonly objects: ReadonlySet<string>;
  /** Kinds that could not be read, with why; they are left out of any diff. */
  readonly unavailable: ReadonlyMap<LeakKind, string>;
}

/** Where to look. */
export interface SnapshotOptions {
  /** Path of a network namespace (/run/netns/<name>, /proc/<pid>/ns/net) to read per-namespace state in. */
  readonly netns?: string;
}

/** Processes that must not outlive a test: berth's daemon, docker, etcd, lab VMs. */
const PROCESS_PATTERN = /berthd|dockerd|etcd|qemu-system/;
/** Mounts berth or `ip netns` make: namespace bind mounts and berth's run directories. */
const MOUNT_PATTERN = /berth|\/run\/netns/;

/**
 * Marks the processes of one test run: the global setup sets it, and every process the run starts
 * inherits it. A matching process carrying another run's id belongs to a test run going on at the
 * same time on this machine, not to us, so it is not counted; a process without the variable (one
 * started with a cleared environment, or by someone else) still is.
 */
export const RUN_ID_VARIABLE = 'BERTH_TEST_RUN';

class Unavailable extends Error {}

async function run(command: string, args: readonly string[], netns: string | undefined): Promise<string> {
  const [file, argv] =
    netns === undefined ? [command, args] : ['nsenter', [`--net=${netns}`, command, ...args]];
  const result = await execa(file, argv, { reject: false });
  if ((result.failed && 'code' in result && result.code === 'ENOENT') || result.exitCode === 127) {
    throw new Unavailable(`${netns === undefined ? command : 'nsenter'} not found`);
  }
  if (result.exitCode === 126 && netns !== undefined) {
    throw new Unavailable(`${command} not found`);
  }
  if (result.failed) {
    const detail = result.stderr.trim() || result.shortMessage;
    throw new Unavailable(`${[command, ...args].join(' ')} failed: ${detail}`);
  }
  return result.stdout;
}

/** Like `run`, for the tools the check cannot do without: any failure is an error, not "unavailable". */
async function runRequired(
  command: string,
  args: readonly string[],
  netns: string | undefined,
): Promise<string> {
  try {
    return await run(command, args, netns);
  } catch (error) {
    throw error instanceof Unavailable ? new Error(`leak check: ${error.message}`) : error;
  }
}

async function links(netns: string | undefined): Promise<string[]> {
  // `3: veth0@if7: <BROADCAST,...` -> veth0 (the @peer part changes when the peer moves).
  return (await runRequired('ip', ['-o', 'link', 'show'], netns))
    .split('\n')
    .map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined)
    .map((name) => `link ${name}`);
}

async function namedNetns(): Promise<string[]> {
  // `berth-t-1a2b (id: 3)` -> berth-t-1a2b
  return (await runRequired('ip', ['netns', 'list'], undefined))
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name !== '')
    .map((name) => `netns ${name}`);
}

/** Undoes the octal escapes mountinfo uses for space, tab, newline and backslash. */
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

async function mounts(): Promise<string[]> {
  let text: string;
  try {
    text = await readFile('/proc/self/mountinfo', 'utf8');
  } catch (error) {
    throw new Unavailable(`cannot read /proc/self/mountinfo: ${String(error)}`);
  }
  const found: string[] = [];
  for (const line of text.split('\n')) {
    // `36 35 98:0 /root /mnt/point rw,noatime master:1 - ext3 /dev/root rw` (proc(5)): field 5 is
    // the mount point, the file system type follows the ` - ` separator.
    const [before, after] = line.split(' - ');
    const mountPoint = before?.split(' ')[4];
    if (mountPoint === undefined) continue;
    const path = unescapeMountPath(mountPoint);
    if (!MOUNT_PATTERN.test(path)) continue;
    const fsType = after?.split(' ')[0] ?? '?';
    found.push(`mount ${path} (${fsType})`);
  }
  return found;
}

async function nftTables(netns: string | undefined): Promise<string[]> {
  // `table inet filter` -> inet filter
  return (await run('nft', ['list', 'tables'], netns))
    .split('\n')
    .map((line) => /^table\s+(\S+)\s+(\S+)/.exec(line.trim()))
    .filter((match) => match !== null)
    .map((match) => `nft-table ${match[1]} ${match[2]}`);
}

async function iptables(netns: string | undefined, family: 'ipv4' | 'ipv6'): Promise<string[]> {
  const text = await run(family === 'ipv4' ? 'iptables-save' : 'ip6tables-save', [], netns);
  const found: string[] = [];
  let table = '?';
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      table = line.slice(1).trim();
    } else if (line.startsWith(':')) {
      // `:FORWARD DROP [0:0]` -> the chain; policy and counters are state, not objects.
      const chain = line.slice(1).split(/\s+/)[0] ?? '';
      found.push(`iptables ${family} ${table} chain ${chain}`);
    } else if (line.startsWith('-A ')) {
      // A rule berth added to a built-in chain (FORWARD, POSTROUTING) is a leak as well.
      found.push(`iptables ${family} ${table} rule ${line}`);
    }
  }
  return found;
}

/** The run id in a process's environment, if it has one. */
async function runIdOf(pid: string): Promise<string | undefined> {
  const prefix = `${RUN_ID_VARIABLE}=`;
  try {
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8');
    return environ
      .split('\0')
      .find((entry) => entry.startsWith(prefix))
      ?.slice(prefix.length);
  } catch {
    return undefined;
  }
}

async function processes(): Promise<string[]> {
  const own = new Set([String(process.pid), String(process.ppid)]);
  const ownRunId = process.env[RUN_ID_VARIABLE];
  const found: string[] = [];
  // The reference is this process's namespace (the host's, from the tests' point of view).
  const rootNet = await readlink('/proc/self/ns/net').catch(() => undefined);
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || own.has(pid)) continue;
    let cmdline: string;
    try {
      cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ').trim();
    } catch {
      continue; // exited while we looked
    }
    // Besides daemons by name: anything living in another network namespace than ours (a sandbox
    // or lab process that outlived its test).
    // An empty cmdline is a zombie (or a kernel thread): already dead, nothing left to remove.
    const net = cmdline === '' ? rootNet : await readlink(`/proc/${pid}/ns/net`).catch(() => rootNet);
    if (!PROCESS_PATTERN.test(cmdline) && net === rootNet) continue;
    const runId = await runIdOf(pid);
    if (runId !== undefined && runId !== ownRunId) continue;
    found.push(`process ${pid} ${cmdline}`);
  }
  return found;
}

/** Reads every tracked kind of object; a kind whose tool is missing or fails is marked unavailable. */
export async function takeSnapshot(options: SnapshotOptions = {}): Promise<Snapshot> {
  const { netns } = options;
  const readers: ReadonlyArray<readonly [LeakKind, () => Promise<string[]>]> = [
    ['link', () => links(netns)],
    ['netns', () => namedNetns()],
    ['mount', () => mounts()],
    ['nft-table', () => nftTables(netns)],
    ['iptables', async () => [...(await iptables(netns, 'ipv4')), ...(await iptables(netns, 'ipv6'))]],
    ['process', () => processes()],
  ];
  const objects = new Set<string>();
  const unavailable = new Map<LeakKind, string>();
  const results = await Promise.allSettled(readers.map(([, read]) => read()));
  results.forEach((result, i) => {
    const kind = (readers[i] as (typeof readers)[number])[0];
    if (result.status === 'fulfilled') {
      for (const object of result.value) objects.add(object);
    } else if (result.reason instanceof Unavailable) {
      unavailable.set(kind, result.reason.message);
    } else {
      throw result.reason;
    }
  });
  return { netns, objects, unavailable };
}

function kindOf(object: string): LeakKind {
  return object.slice(0, object.indexOf(' ')) as LeakKind;
}

/**
 * The objects in `after` that were not in `before`, sorted by kind then name. Kinds that either
 * snapshot could not read are skipped, so a tool that failed once never shows up as a leak.
 */
export function diffSnapshots(before: Snapshot, after: Snapshot): string[] {
  if (before.netns !== after.netns) {
    throw new Error(`cannot compare snapshots of different namespaces (${before.netns} and ${after.netns})`);
  }
  const leftovers = [...after.objects].filter(
    (object) =>
      !before.objects.has(object) &&
      !before.unavailable.has(kindOf(object)) &&
      !after.unavailable.has(kindOf(object)),
  );
  const rank = (object: string): number => LEAK_KINDS.indexOf(kindOf(object));
  return leftovers.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** How long to keep looking before calling something a leak. */
export interface LeakCheckOptions extends SnapshotOptions {
  /** Kernel deletion can finish after the call returns (netns teardown, veth peers); default 2000 ms. */
  readonly graceMs?: number;
  /** Counts only the leftovers this accepts (a check about one object, on a busy host); default all. */
  readonly only?: (object: string) => boolean;
}

/**
 * Snapshots again until nothing is left over or the grace period ends, and returns what is
 * still left over (empty when clean).
 */
export async function findLeftovers(before: Snapshot, options: LeakCheckOptions = {}): Promise<string[]> {
  const graceMs = options.graceMs ?? 2000;
  const deadline = Date.now() + graceMs;
  const snapshotOptions: SnapshotOptions = before.netns === undefined ? {} : { netns: before.netns };
  for (;;) {
    const leftovers = diffSnapshots(before, await takeSnapshot(snapshotOptions)).filter(
      options.only ?? (() => true),
    );
    if (leftovers.length === 0 || Date.now() >= deadline) return leftovers;
    await sleep(Math.min(200, Math.max(0, deadline - Date.now())));
  }
}

/** The error message for leftovers found after `scope` ("test file test/x.test.ts", "the whole run"). */
export function leakMessage(scope: string, leftovers: readonly string[]): string {
  return [
    `Leak check: ${scope} left ${leftovers.length} object(s) behind in the host:`,
    ...leftovers.map((object) => `  - ${object}`),
    'Each test must remove what it creates (use createTestNetns and onTestFinished).',
  ].join('\n');
}

/** Throws an error listing every leftover found after `scope`; also writes it to `markerFile` if given. */
export async function assertNoLeftovers(
  before: Snapshot,
  scope: string,
  options: LeakCheckOptions & { readonly markerFile?: string } = {},
): Promise<void> {
  const leftovers = await findLeftovers(before, options);
  if (leftovers.length === 0) return;
  const message = leakMessage(scope, leftovers);
  if (options.markerFile !== undefined) await writeFile(options.markerFile, `${message}\n`, { flag: 'a' });
  throw new Error(message);
}
