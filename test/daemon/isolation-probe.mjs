// Probe helper of the isolation matrix test, run inside a namespace with `nsenter --net=…`.
//   node isolation-probe.mjs serve        — echo servers: TCP 7000 and UDP 7001 on :: (both families)
//   node isolation-probe.mjs probe JSON   — JSON is [{ proto: 'tcp'|'udp', ip, port }]; prints a JSON
//                                           array of booleans: did an echo come back within 1.5 s?
import { createServer, connect } from 'node:net';
import { createSocket } from 'node:dgram';

const TIMEOUT_MS = 1500;

function serve() {
  createServer((socket) => socket.on('data', (data) => socket.end(data)).on('error', () => {})).listen({ host: '::', port: 7000, ipv6Only: false });
  const udp = createSocket({ type: 'udp6', ipv6Only: false });
  udp.on('message', (message, from) => udp.send(message, from.port, from.address));
  udp.bind(7001, '::', () => console.log('serving'));
}

function probeTcp(ip, port) {
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port });
    const done = (result) => { clearTimeout(timer); socket.destroy(); resolve(result); };
    const timer = setTimeout(() => done(false), TIMEOUT_MS);
    socket.on('connect', () => socket.write('ping'));
    socket.on('data', (data) => done(data.toString() === 'ping'));
    socket.on('error', () => done(false));
  });
}

function probeUdp(ip, port) {
  return new Promise((resolve) => {
    const socket = createSocket(ip.includes(':') ? 'udp6' : 'udp4');
    const done = (result) => { clearTimeout(timer); socket.close(); resolve(result); };
    const timer = setTimeout(() => done(false), TIMEOUT_MS);
    socket.on('message', (message) => done(message.toString() === 'ping'));
    socket.on('error', () => done(false));
    socket.send('ping', port, ip);
  });
}

if (process.argv[2] === 'serve') serve();
else {
  const probes = JSON.parse(process.argv[3] ?? '[]');
  const results = await Promise.all(probes.map((probe) => (probe.proto === 'tcp' ? probeTcp(probe.ip, probe.port) : probeUdp(probe.ip, probe.port))));
  console.log(JSON.stringify(results));
}
