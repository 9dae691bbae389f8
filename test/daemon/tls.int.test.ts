import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDaemon } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';

/**
 * `berthd -H tcp://` serves the API only over TLS with verified client certificates (Docker's
 * --tlsverify): the real docker CLI with DOCKER_TLS_VERIFY and a client certificate works, a client
 * without one (or with one from another CA) is refused, and a TCP listener without the files is refused at start.
 */
const PORT = 2376;
const certs = mkdtempSync(join(tmpdir(), 'berth-tls-'));
const BERTHD = new URL('../../dist/src/daemon/main.js', import.meta.url).pathname;
let rig: DaemonRig;

function openssl(args: readonly string[]): void {
  execFileSync('openssl', [...args], { cwd: certs, timeout: 30_000, stdio: 'pipe' });
}

function authority(name: string): void {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.pem`, '-days', '1', '-subj', `/CN=${name}`]);
}

/** A key and a certificate signed by `ca` (name.pem / name-key.pem), with the given extensions. */
function signed(options: { readonly name: string; readonly ca: string; readonly extensions: string }): void {
  const { name, ca } = options;
  writeFileSync(join(certs, `${name}.ext`), options.extensions);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}-key.pem`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`]);
}

/**
 * A CA, berthd's server certificate for the lab host's address, a client certificate in the layout
 * DOCKER_CERT_PATH expects (client/ca.pem, cert.pem, key.pem), and a client of another CA.
 */
function makeCertificates(hostIp: string): void {
  authority('ca');
  authority('other-ca');
  signed({ name: 'server', ca: 'ca', extensions: `subjectAltName=IP:${hostIp}\nextendedKeyUsage=serverAuth\n` });
  signed({ name: 'client', ca: 'ca', extensions: 'extendedKeyUsage=clientAuth\n' });
  signed({ name: 'stranger', ca: 'other-ca', extensions: 'extendedKeyUsage=clientAuth\n' });
  mkdirSync(join(certs, 'docker'));
  copyFileSync(join(certs, 'ca.pem'), join(certs, 'docker', 'ca.pem'));
  copyFileSync(join(certs, 'client.pem'), join(certs, 'docker', 'cert.pem'));
  copyFileSync(join(certs, 'client-key.pem'), join(certs, 'docker', 'key.pem'));
}

/** Runs a command in the lab host's network namespace. */
async function inHost(command: readonly string[], env: Record<string, string> = {}): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const result = await execa('nsenter', [`--net=${rig.host.netns.path}`, ...command], { reject: false, timeout: 30_000, env: { HOME: certs, ...env } });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

function url(path: string): string {
  return `https://${rig.host.ip}:${String(PORT)}${path}`;
}

beforeAll(async () => {
  rig = await startDaemon({ prefix: 'berth-tls', args: (lab) => {
    makeCertificates(lab.host.ip);
    return ['-H', `tcp://${lab.host.ip}:${String(PORT)}`, '--tlsverify', '--tlscacert', join(certs, 'ca.pem'), '--tlscert', join(certs, 'server.pem'), '--tlskey', join(certs, 'server-key.pem')];
  } });
}, 60_000);
afterAll(async () => {
  await rig?.close();
  rmSync(certs, { recursive: true, force: true });
});

describe('berthd -H tcp:// requires TLS client certificates', () => {
  test('the docker CLI with DOCKER_TLS_VERIFY and a client certificate lists and creates networks over TCP', async () => {
    const env = { DOCKER_HOST: `tcp://${rig.host.ip}:${String(PORT)}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(certs, 'docker') };
    const created = await inHost(['docker', 'network', 'create', '--subnet', '10.91.0.0/24', 'overtls'], env);
    expect(created.exitCode, created.stderr).toBe(0);
    const listed = await inHost(['docker', 'network', 'ls', '--format', '{{.Name}}'], env);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.stdout.split('\n')).toEqual(expect.arrayContaining(['overtls', 'none', 'host']));
    expect((await inHost(['docker', 'network', 'rm', 'overtls'], env)).exitCode).toBe(0);
    // curl with the same client certificate, for the record.
    const ping = await inHost(['curl', '-sS', '--max-time', '5', '--cacert', join(certs, 'ca.pem'), '--cert', join(certs, 'client.pem'), '--key', join(certs, 'client-key.pem'), url('/_ping')]);
    expect(ping.stdout).toBe('OK');
  });

  test('a client without a certificate, or with one from another CA, is refused in the handshake', async () => {
    const bare = await inHost(['curl', '-sS', '--max-time', '5', '--cacert', join(certs, 'ca.pem'), url('/_ping')]);
    expect(bare.exitCode).not.toBe(0);
    expect(bare.stdout).not.toContain('OK');
    const stranger = await inHost(['curl', '-sS', '--max-time', '5', '--cacert', join(certs, 'ca.pem'), '--cert', join(certs, 'stranger.pem'), '--key', join(certs, 'stranger-key.pem'), url('/_ping')]);
    expect(stranger.exitCode).not.toBe(0);
    expect(stranger.stdout).not.toContain('OK');
    // Plain HTTP gets no API either.
    const plain = await inHost(['curl', '-sS', '--max-time', '5', `http://${rig.host.ip}:${String(PORT)}/_ping`]);
    expect(plain.stdout).not.toBe('OK');
    // The docker CLI without TLS settings fails too.
    const noTls = await inHost(['docker', 'network', 'ls'], { DOCKER_HOST: `tcp://${rig.host.ip}:${String(PORT)}` });
    expect(noTls.exitCode).not.toBe(0);
    expect(rig.output.join('')).toContain('TLS client refused');
    expect(rig.daemon.exitCode).toBeNull();
  });

  test('berthd refuses to start a TCP listener without --tlscacert, --tlscert and --tlskey, naming them', async () => {
    // Options are checked before berthd touches anything, so this runs outside any lab.
    writeFileSync(join(certs, 'empty.json'), '{}');
    const result = await execa(process.execPath, [BERTHD, '--root', join(certs, 'root'), '--run-root', join(certs, 'run'), '--config-file', join(certs, 'empty.json'), '-H', 'tcp://127.0.0.1:2376', '--tlscert', join(certs, 'server.pem')], { reject: false, timeout: 20_000 });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('the TCP API requires TLS with client certificates; give --tlscacert, --tlscert and --tlskey (missing: --tlscacert, --tlskey)');
  });
});
