import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startApi } from './api-harness.js';
import type { ApiRig } from './api-harness.js';
import { berth } from './cli-harness.js';

let rig: ApiRig;
beforeEach(async () => {
  rig = await startApi();
  await rig.controller.createNetwork({ name: 'front', ipam: { config: [{ subnet: '10.90.0.0/24' }] } });
});
afterEach(async () => {
  await rig.close();
});

function idOf(name: string): string {
  return [...rig.controller.sandboxes.values()].find((sandbox) => sandbox.name === name)?.id ?? '';
}

describe('berth run, exec, ps, rm, port', () => {
  test('run -d sends every flag and prints the id', async () => {
    const result = await berth(rig, [
      'run', '-d', '--name', 'web', '--hostname', 'www', '--network', 'front', '--ip', '10.90.0.9', '--alias', 'site', '--dns', '9.9.9.9',
      '--dns-search', 'corp', '--dns-option', 'ndots:2', '--add-host', 'db:10.0.0.5', '--label', 'app=web', '-p', '8080:80', '--', 'sleep', '60',
    ]);
    expect([result.code, result.stderr]).toEqual([0, '']);
    const id = idOf('web');
    expect(result.stdout).toBe(`${id}\n`);
    expect(rig.controller.sandboxes.get(id)).toMatchObject({ hostname: 'www', dns: { servers: ['9.9.9.9'], search: ['corp'], options: ['ndots:2'] }, extraHosts: ['db:10.0.0.5'], labels: { app: 'web' } });
    expect([...rig.controller.endpoints.values()][0]).toMatchObject({ address: '10.90.0.9/24', aliases: ['site'] });
    expect(rig.runner.command(id)).toEqual(['sleep', '60']);
    expect((await berth(rig, ['port', 'web'])).stdout).toBe('80/tcp -> 0.0.0.0:8080\n');
  });

  test('run in the foreground prints the id, waits for the exit and exits with its code; --rm removes it', async () => {
    const finish = setInterval(() => {
      const id = idOf('job');
      if (id !== '' && rig.runner.status(id).status === 'running') rig.runner.exit(id, 7);
    }, 150);
    try {
      const result = await berth(rig, ['run', '--rm', '--name', 'job', '--network', 'front', '--', 'sh', '-c', 'exit 7']);
      expect(result.code).toBe(7);
      expect(result.stdout).toMatch(/^[0-9a-f]{64}\n$/);
      expect(rig.controller.sandboxes.size).toBe(0);
    } finally {
      clearInterval(finish);
    }
  });

  test('run errors: --ip without --network; a daemon refusal exits 1', async () => {
    const local = await berth(rig, ['run', '-d', '--ip', '10.90.0.3', '--', 'true']);
    expect([local.code, local.stderr]).toEqual([1, '--ip, --ip6 and --alias need a --network\n']);
    const remote = await berth(rig, ['run', '-d', '--network', 'nope', '--', 'true']);
    expect([remote.code, remote.stderr]).toEqual([1, 'Error response from daemon: network nope not found\n']);
  });

  test('exec enters the running process\'s namespaces, or the netns when there is none; exits with the command\'s code', async () => {
    await berth(rig, ['run', '-d', '--name', 'web', '--', 'sleep', '60']);
    const pid = rig.runner.status(idOf('web')).pid ?? 0;
    const result = await berth(rig, ['exec', 'web', '--', 'ip', 'addr'], { exitCode: 3 });
    expect(result.code).toBe(3);
    expect(result.ran).toEqual([['nsenter', '--target', String(pid), '--net', '--mount', '--uts', '--', 'ip', 'addr']]);
    rig.runner.exit(idOf('web'), 0);
    const idle = await berth(rig, ['exec', 'web', '--', 'true']);
    expect(idle.ran).toEqual([['nsenter', `--net=/run/berth/netns/${idOf('web').slice(0, 12)}`, '--', 'true']]);
    const missing = await berth(rig, ['exec', 'ghost', '--', 'true']);
    expect([missing.code, missing.stderr, missing.ran]).toEqual([1, 'Error response from daemon: No such container: ghost\n', []]);
  });

  test('ps: aligned table with networks, -a, -q, --format json', async () => {
    await berth(rig, ['run', '-d', '--name', 'one', '--network', 'front', '--', 'sleep', '600']);
    await berth(rig, ['run', '-d', '--name', 'two', '--', 'true']);
    rig.runner.exit(idOf('two'), 0);
    const lines = (await berth(rig, ['ps'])).stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SANDBOX ID\s+NAME\s+COMMAND\s+STATUS\s+NETWORKS$/);
    expect(lines.slice(1)).toEqual([`${idOf('one').slice(0, 12)}   one    sleep 600   Up       front:10.90.0.2`]);
    const all = (await berth(rig, ['ps', '-a', '-q'])).stdout.trim().split('\n').sort();
    expect(all).toEqual([idOf('one').slice(0, 12), idOf('two').slice(0, 12)].sort());
    const json = JSON.parse((await berth(rig, ['ps', '-a', '--format', 'json'])).stdout) as { Names: string[]; Status: string }[];
    expect(json.map((entry) => [entry.Names[0], entry.Status]).sort()).toEqual([['/one', 'Up'], ['/two', 'Exited (0)']]);
  });

  test('rm: refuses a running sandbox without -f, removes with -f, reports unknown ones', async () => {
    await berth(rig, ['run', '-d', '--name', 'web', '--network', 'front', '--', 'sleep', '60']);
    const refused = await berth(rig, ['rm', 'web']);
    expect([refused.code, refused.stderr]).toEqual([1, 'Error response from daemon: cannot remove sandbox web: its process is running (stop it or use --force)\n']);
    const removed = await berth(rig, ['rm', '-f', 'web', 'ghost']);
    expect(removed).toMatchObject({ code: 1, stdout: 'web\n', stderr: 'Error response from daemon: No such container: ghost\n' });
    expect(rig.controller.sandboxes.size).toBe(0);
  });

  test('port prints nothing for a sandbox without publications', async () => {
    await berth(rig, ['run', '-d', '--name', 'quiet', '--', 'sleep', '1']);
    expect(await berth(rig, ['port', 'quiet'])).toMatchObject({ code: 0, stdout: '' });
    expect((await berth(rig, ['port', '--help'])).stdout).toContain('port publisher');
  });
});

describe('berth info, version, host handling', () => {
  test('version shows client and server; info shows the daemon; both have json', async () => {
    expect((await berth(rig, ['version'])).stdout).toMatch(/^Client: berth 1\.2\.3\nServer: berthd 9\.8\.7 \(API 1\.44, minimum 1\.24, linux\/\w+, kernel .+\)\n$/);
    expect(JSON.parse((await berth(rig, ['version', '--format', 'json'])).stdout)).toMatchObject({ Client: { Version: '1.2.3' }, Server: { Version: '9.8.7' } });
    const info = (await berth(rig, ['info'])).stdout;
    expect(info).toContain('Server Version: 9.8.7');
    expect(info).toContain('Network drivers: bridge host null');
    expect(JSON.parse((await berth(rig, ['info', '--format', 'json'])).stdout)).toMatchObject({ ServerVersion: '9.8.7' });
  });

  test('an unreachable daemon is named, with a hint; a bad --host is refused', async () => {
    const away = await berth(rig, ['--host', 'unix:///tmp/berth-nowhere.sock', 'network', 'ls']);
    expect(away.code).toBe(1);
    expect(away.stderr).toBe('cannot reach berthd at unix:///tmp/berth-nowhere.sock: ENOENT — is berthd running? (start berthd, or point --host / BERTH_HOST at its socket)\n');
    const bad = await berth(rig, ['-H', 'http://x', 'ps']);
    expect([bad.code, bad.stderr]).toEqual([1, 'invalid --host "http://x": use unix:///path or tcp://host:port\n']);
  });

  test('every command has --help with an example; unknown commands fail', async () => {
    for (const command of ['run', 'exec', 'ps', 'rm', 'port', 'info', 'version']) {
      const help = await berth(rig, [command, '--help']);
      expect([command, help.code, help.stdout.includes('Example')]).toEqual([command, 0, true]);
    }
    expect((await berth(rig, ['frobnicate'])).code).toBe(1);
  });
});
