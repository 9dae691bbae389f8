import type { FileFacts, HostProbe } from '../../src/doctor/index.js';

/** An in-memory machine for doctor checks: files, stat facts, processes and canned command output. */
export class FakeProbe implements HostProbe {
  readonly kernelRelease = '6.1.0-test';
  user: { uid: number; groups: number[] } = { uid: 0, groups: [] };
  readonly files = new Map<string, string>();
  readonly stats = new Map<string, FileFacts>();
  readonly commands = new Map<string, { code: number; stdout: string }>();
  processes: string[] = ['systemd', 'sshd'];
  /** host:port pairs that accept TCP connections. */
  readonly listening = new Set<string>();
  /** Every command run, to prove the doctor only reads. */
  readonly ran: string[] = [];

  /** A healthy machine: core modules loaded, the rest loadable, libnftables, forwarding on, a good socket. */
  static healthy(): FakeProbe {
    const probe = new FakeProbe();
    probe.files.set('/proc/modules', 'bridge 311296 0 - Live 0x0\nveth 32768 0 - Live 0x0\nnf_tables 278528 0 - Live 0x0\n');
    probe.files.set('/lib/modules/6.1.0-test/modules.builtin', 'kernel/drivers/net/dummy.ko\n');
    probe.files.set('/lib/modules/6.1.0-test/modules.dep', [
      'kernel/drivers/net/macvlan.ko: ', 'kernel/net/8021q/8021q.ko.xz: kernel/net/802/garp.ko', 'kernel/drivers/net/ipvlan/ipvlan.ko:',
      'kernel/drivers/net/vxlan/vxlan.ko: kernel/net/ipv4/udp_tunnel.ko', 'kernel/net/bridge/br_netfilter.ko: kernel/net/bridge/bridge.ko',
    ].join('\n'));
    probe.files.set('/usr/lib/x86_64-linux-gnu/libnftables.so.1', '');
    probe.files.set('/proc/sys/net/ipv4/ip_forward', '1\n');
    probe.files.set('/etc/group', 'root:x:0:\nberth:x:997:alice\n');
    probe.stats.set('/run/berth/berth.sock', { mode: 0o140660, uid: 0, gid: 997, socket: true });
    probe.commands.set('nft list ruleset', { code: 0, stdout: 'table inet berth {\n}\n' });
    probe.commands.set('iptables-save ', { code: 0, stdout: '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n' });
    probe.commands.set('ip -j -4 route show', { code: 0, stdout: JSON.stringify([{ dst: 'default', gateway: '10.0.0.1', dev: 'eth0' }, { dst: '10.0.0.0/24', dev: 'eth0', protocol: 'kernel' }]) });
    probe.commands.set('timedatectl show -p NTPSynchronized --value', { code: 0, stdout: 'yes\n' });
    probe.commands.set('ip -j link show', { code: 0, stdout: JSON.stringify([{ ifname: 'lo' }, { ifname: 'eth0' }]) });
    return probe;
  }

  readText(path: string): string | undefined {
    return this.files.get(path);
  }

  exists(path: string): boolean {
    return this.files.has(path) || this.stats.has(path);
  }

  stat(path: string): FileFacts | undefined {
    return this.stats.get(path);
  }

  connect(target: { readonly host: string; readonly port: number }): Promise<boolean> {
    return Promise.resolve(this.listening.has(`${target.host}:${target.port}`));
  }

  processNames(): readonly string[] {
    return this.processes;
  }

  run(command: string, args: readonly string[]): Promise<{ readonly code: number; readonly stdout: string } | undefined> {
    const key = `${command} ${args.join(' ')}`;
    this.ran.push(key);
    return Promise.resolve(this.commands.get(key));
  }
}
