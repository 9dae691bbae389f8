/**
 * The `scripts/try` tour: builds a lab, then uses berth's kernel layer the way the bridge
 * driver will — a bridge, a sandbox namespace joined by a veth pair, addresses, a default
 * route, a firewall table — proves it with a ping, shows it all, and removes it.
 */
import { execa } from 'execa';
import { Lab } from './lab.js';
import { LinuxNetnsOps, openNetnsKernel } from '../kernel/linux/index.js';
import { createFirewall } from '../kernel/linux/firewall/index.js';

function say(text: string): void {
  process.stdout.write(`\n\x1b[1m== ${text}\x1b[0m\n`);
}

async function show(lab: Lab, label: string, command: readonly string[]): Promise<void> {
  process.stdout.write(`$ ${label}\n${(await lab.run(lab.host.netns, command)).replace(/^/gm, '  ')}\n`);
}

async function main(): Promise<void> {
  say('Creating a lab: a router namespace with a switch, and a host namespace with uplink eth0');
  const lab = await Lab.create({ prefix: 'berth-try' });
  const firewall = createFirewall({ backend: 'nftables', log: (message) => process.stdout.write(`(firewall) ${message}\n`) });
  try {
    const host = lab.host;
    process.stdout.write(`lab ${lab.id}: host ${host.name} at ${host.ip}, router ${lab.router.ip}\n`);
    await show(lab, `ip -br link   (inside ${host.name})`, ['ip', '-br', 'link']);
    await show(lab, `ip -br addr   (inside ${host.name})`, ['ip', '-br', 'addr']);

    say('Kernel layer: a bridge, a sandbox namespace and a veth pair, through netlink (no ip processes)');
    const started = process.hrtime.bigint();
    const netnsOps = new LinuxNetnsOps({ dir: `${host.runDir}/netns` });
    const sandbox = await netnsOps.create('demo-sandbox');
    const inSandbox = openNetnsKernel(sandbox);
    try {
      await host.kernel.links.create({ kind: 'bridge', name: 'br-demo', alias: 'berth:demo', up: true });
      await host.kernel.addresses.add('br-demo', '172.18.0.1/16');
      await host.kernel.links.create({ kind: 'veth', name: 'vethdemo', alias: 'berth:demo:ep1', master: 'br-demo', up: true, peer: { name: 'eth0', netnsPath: sandbox.path } });
      await inSandbox.links.set('lo', { up: true });
      await inSandbox.links.set('eth0', { up: true });
      await inSandbox.addresses.add('eth0', '172.18.0.2/16');
      await inSandbox.routes.add({ destination: 'default', gateway: '172.18.0.1' });
      await firewall.apply(host.netns, { backend: 'nftables', script: 'add table inet berth { comment "berth"; }\nadd chain inet berth forward { type filter hook forward priority 0; }\nadd rule inet berth forward ct state invalid drop\n' });
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      process.stdout.write(`set up in ${elapsed.toFixed(1)} ms\n`);
      await show(lab, 'ip -br link   (host)', ['ip', '-br', 'link']);
      process.stdout.write(`$ ip -br addr; ip route   (sandbox)\n${(await execa('nsenter', [`--net=${sandbox.path}`, 'sh', '-c', 'ip -br addr; ip route'])).stdout.replace(/^/gm, '  ')}\n`);
      await show(lab, 'nft list table inet berth   (host)', ['nft', 'list', 'table', 'inet', 'berth']);
      say('Traffic: the sandbox pings its gateway on the bridge');
      process.stdout.write(`${(await execa('nsenter', [`--net=${sandbox.path}`, 'ping', '-c', '2', '-i', '0.2', '172.18.0.1'])).stdout.replace(/^/gm, '  ')}\n`);
    } finally {
      inSandbox.close();
      await netnsOps.remove(sandbox);
      await firewall.removeOwn(host.netns);
    }
  } finally {
    firewall.close();
    say('Tearing the lab down');
    await lab.close();
    process.stdout.write('done: no namespaces, links or rules are left behind.\n');
  }
}

await main();
