/**
 * The `scripts/try` tour: a lab (a throwaway namespace playing a host, with an uplink to a lab
 * router), berthd running inside it, and the berth CLI and the real docker CLI driving it:
 * networks, sandboxes pinging each other by name, a published port, a macvlan LAN, isolation between networks, then everything removed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from './berthd.js';
import type { DaemonRig } from './berthd.js';

function say(text: string): void {
  process.stdout.write(`\n\x1b[1m== ${text}\x1b[0m\n`);
}

function indent(text: string): string {
  return text.trimEnd().replace(/^/gm, '  ');
}

async function berth(rig: DaemonRig, args: readonly string[]): Promise<string> {
  process.stdout.write(`$ berth ${args.join(' ')}\n`);
  const result = await rig.berth(args);
  const shown = indent(`${result.stdout}${result.stderr}`);
  if (shown !== '') process.stdout.write(`${shown}\n`);
  return result.stdout;
}

async function docker(rig: DaemonRig, args: readonly string[]): Promise<void> {
  process.stdout.write(`$ docker ${args.join(' ')}        # the real docker CLI, DOCKER_HOST=berthd\n`);
  const result = await rig.docker(args);
  process.stdout.write(`${indent(`${result.stdout}${result.stderr}`)}\n`);
}

async function main(): Promise<void> {
  // A closed pipe (`scripts/try | head`) or Ctrl-C must not skip the lab's teardown.
  process.stdout.on('error', () => undefined);
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => { interrupted = true; });
  say('A lab: a host namespace with uplink eth0 to a lab router; berthd runs inside it');
  const rig = await startDaemon({ prefix: 'berth-try', args: ['--log-level', 'warn'] });
  try {
    process.stdout.write(`lab ${rig.lab.id}: host at ${rig.host.ip}, router ${rig.lab.router.ip}, berthd socket ${rig.host.socketPath}\n`);
    say('Networks');
    await berth(rig, ['network', 'create', '--subnet', '10.20.0.0/24', 'front']);
    await berth(rig, ['network', 'create', '--subnet', '10.30.0.0/24', '--internal', 'back']);
    await docker(rig, ['network', 'ls']);
    const inspect = JSON.parse((await rig.berth(['network', 'inspect', 'front'])).stdout) as { IPAM: unknown }[];
    process.stdout.write(`$ berth network inspect front   (IPAM part)\n${indent(JSON.stringify(inspect[0]?.IPAM, null, 2))}\n`);

    say('Sandboxes: network namespaces with a process, no container engine');
    await berth(rig, ['run', '-d', '--name', 'web', '--hostname', 'web', '--network', 'front', '--', 'sleep', '300']);
    await berth(rig, ['run', '-d', '--name', 'app', '--network', 'front', '--network', 'back', '--', 'sleep', '300']);
    await berth(rig, ['ps']);
    await berth(rig, ['exec', 'app', '--', 'ip', '-br', 'addr']);
    await berth(rig, ['exec', 'app', '--', 'ping', '-c', '1', '-W', '2', '10.20.0.2']);
    say('Finding each other by name: the embedded DNS at 127.0.0.11, inside every sandbox');
    await berth(rig, ['run', '-d', '--name', 'api1', '--network', 'front', '--alias', 'api', '--', 'sleep', '300']);
    await berth(rig, ['run', '-d', '--name', 'api2', '--network', 'front', '--alias', 'api', '--', 'sleep', '300']);
    await berth(rig, ['exec', 'app', '--', 'cat', '/etc/resolv.conf']);
    await berth(rig, ['exec', 'app', '--', 'ping', '-c', '1', '-W', '2', 'web']);
    await berth(rig, ['exec', 'app', '--', 'dig', '+short', 'api']);
    await berth(rig, ['exec', 'app', '--', 'dig', '+short', '-x', '10.20.0.2']);
    await berth(rig, ['rm', '-f', 'api1', 'api2']);
    say('A published port, in the kernel (nft DNAT map, no proxy process)');
    const www = mkdtempSync(join(tmpdir(), 'berth-try-www-'));
    writeFileSync(join(www, 'index.html'), 'hello from the sandbox "site"\n');
    try {
      await berth(rig, ['run', '-d', '--name', 'site', '--network', 'front', '-p', '8080:80', '--', 'busybox', 'httpd', '-f', '-p', '80', '-h', www]);
      await berth(rig, ['port', 'site']);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const fetched = await rig.lab.run(rig.lab.router.netns, ['bash', '-c', `exec 3<>/dev/tcp/${rig.host.ip}/8080 && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && timeout 2 cat <&3`]).catch((error: unknown) => String(error));
      process.stdout.write(`lab router → http://${rig.host.ip}:8080/ :\n${indent(fetched.split('\r\n\r\n')[1] ?? fetched)}\n`);
      await berth(rig, ['rm', '-f', 'site']);
    } finally {
      rmSync(www, { recursive: true, force: true });
    }
    say('macvlan: a sandbox as a host on the lab LAN (its own MAC and address on the uplink)');
    await berth(rig, ['network', 'create', '-d', 'macvlan', '-o', 'parent=eth0', '--subnet', '198.18.0.0/24', '--gateway', rig.lab.router.ip, '--ip-range', '198.18.0.128/25', 'lan']);
    await berth(rig, ['run', '-d', '--name', 'lanbox', '--network', 'lan', '--', 'sleep', '300']);
    await berth(rig, ['exec', 'lanbox', '--', 'ip', '-d', 'link', 'show', 'eth0']);
    await berth(rig, ['exec', 'lanbox', '--', 'ping', '-c', '1', '-W', '2', rig.lab.router.ip]);
    const lanIp = ((JSON.parse((await rig.berth(['network', 'inspect', 'lan'])).stdout) as { Containers?: Record<string, { IPv4Address: string }> }[])[0]?.Containers ?? {});
    const address = Object.values(lanIp)[0]?.IPv4Address.split('/')[0] ?? '';
    const fromRouter = await rig.lab.run(rig.lab.router.netns, ['ping', '-c', '1', '-W', '2', address]).then(() => 'reachable', () => 'unreachable');
    process.stdout.write(`lab router → lanbox ${address} (straight over the LAN, no NAT): ${fromRouter}\n`);
    await berth(rig, ['rm', '-f', 'lanbox']);
    await berth(rig, ['network', 'rm', 'lan']);

    say('Isolation and the way out');
    const masq = await rig.berth(['exec', 'web', '--', 'ping', '-c', '1', '-W', '2', rig.lab.router.ip]);
    process.stdout.write(`web → lab router ${rig.lab.router.ip} (masqueraded by the lab host): ${masq.exitCode === 0 ? 'reachable' : 'unreachable'}\n`);
    await rig.berth(['run', '-d', '--name', 'db', '--network', 'back', '--', 'sleep', '300']);
    const internal = await rig.berth(['exec', 'db', '--', 'ping', '-c', '1', '-W', '1', rig.lab.router.ip]);
    process.stdout.write(`db (internal network) → lab router: ${internal.exitCode === 0 ? 'reachable (wrong!)' : 'unreachable, as it should be'}\n`);
    process.stdout.write(`$ nft list table inet berth   (in the lab host)\n${indent(await rig.lab.run(rig.host.netns, ['nft', 'list', 'table', 'inet', 'berth']))}\n`);

    say('Cleaning up through the API');
    await berth(rig, ['rm', '-f', 'web', 'app', 'db']);
    await berth(rig, ['network', 'rm', 'front', 'back']);
    await berth(rig, ['network', 'ls']);
  } finally {
    say('Stopping berthd and removing the lab');
    await rig.close();
    process.stdout.write('done: no namespaces, links or rules are left behind.\n');
    if (interrupted) process.exitCode = 130;
  }
}

await main();
