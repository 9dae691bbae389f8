// Commits transactions (a network and its endpoint together) in a loop and prints each id once
// its commit returned, until killed. Used by crash.int.test.ts; runs the built store from dist/.
// stdout is a pipe, which Node writes synchronously on Linux: a printed id was acknowledged.
import { SqliteStore } from '../../dist/src/store/index.js';

const [path, prefix] = process.argv.slice(2);
const store = SqliteStore.open(path);
for (let i = 0; i < 1_000_000; i += 1) {
  const id = `${prefix}-${i}`;
  await store.transaction((tx) => {
    tx.putNetwork({
      id, name: id, driver: 'bridge', scope: 'local', created: new Date().toISOString(), internal: false, attachable: false,
      enableIpv4: true, enableIpv6: false, options: {}, labels: { padding: 'x'.repeat(2000 + (i % 7) * 1000) }, predefined: false, driverState: {},
      ipam: { driver: 'default', options: {}, ipv4: [], ipv6: [] },
    });
    tx.putEndpoint({ id: `ep-${id}`, networkId: id, sandboxId: 's', name: id, aliases: [], interfaceName: 'eth0', driverState: {}, created: '' });
  });
  process.stdout.write(`${id}\n`);
}
