// Creates an 802.1Q sub-interface through berth's own kernel layer (built into dist/ by
// scripts/setup), so the full-kernel lane proves berth's IFLA_LINKINFO encoding for vlan.
// Usage: node test/full-kernel/create-vlan.mjs <parent> <name> <vlan id>
import { openNetnsKernel } from '../../dist/src/kernel/linux/index.js';

const [parent, name, id] = process.argv.slice(2);
const kernel = openNetnsKernel({ path: `/proc/${process.pid}/ns/net` });
const link = await kernel.links.create({ kind: 'vlan', name, parent, vlanId: Number(id) });
if (link.kind !== 'vlan' || link.vlanId !== Number(id)) throw new Error(`read back ${JSON.stringify(link)}`);
console.log(`berth created ${link.name}: vlan ${link.vlanId} on index ${link.parentIndex}`);
kernel.close();
