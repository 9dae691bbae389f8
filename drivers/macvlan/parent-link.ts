import { BerthError } from '../../src/errors/index.js';
import type { LinkInfo, NetnsKernel } from '../../src/kernel/index.js';
import type { ParentSpec } from './parent-option.js';

/** Owner marker of the links a network makes on the host (parent, shim). */
export function networkAlias(networkId: string): string {
  return `berth:${networkId}`;
}

/** A parent must be up and must not be a bridge port (the bridge owns its receive path). */
async function checkUsable(host: NetnsKernel, link: LinkInfo, role: string): Promise<void> {
  if (link.masterIndex !== undefined) {
    const master = (await host.links.list()).find((candidate) => candidate.index === link.masterIndex);
    throw new BerthError('INVALID_OPTION', `${role} ${link.name} is a port of ${master?.kind ?? 'master'} ${master?.name ?? `#${link.masterIndex}`}: its frames belong to that device; use ${master?.name ?? 'the bridge'} itself or another interface as parent`, { object: link.name });
  }
  if (!link.up) {
    throw new BerthError('INVALID_OPTION', `${role} ${link.name} is down: bring it up first (ip link set ${link.name} up)`, { object: link.name });
  }
}

async function mustExist(host: NetnsKernel, name: string, description: string): Promise<LinkInfo> {
  const link = await host.links.find(name);
  if (link === undefined) throw new BerthError('INVALID_OPTION', `${description} does not exist on this host`, { object: name });
  return link;
}

/**
 * Converges the network's parent: an existing interface is checked (exists, up, not a bridge
 * port); a missing VLAN sub-interface is created on its lower device, and a dummy parent is
 * created, both marked with the network's id. Returns whether berth created it now.
 */
export async function ensureParent(host: NetnsKernel, init: { readonly networkId: string; readonly parent: ParentSpec; readonly mtu?: number | undefined }): Promise<{ readonly created: boolean }> {
  const { parent, networkId } = init;
  const existing = await host.links.find(parent.name);
  if (existing !== undefined) {
    if (parent.kind === 'vlan' && existing.kind === 'vlan' && existing.vlanId !== parent.vlanId) {
      throw new BerthError('INVALID_OPTION', `parent ${parent.name} exists but is VLAN ${existing.vlanId ?? '?'}, not ${parent.vlanId}`, { object: parent.name });
    }
    const owner = existing.alias;
    if (owner?.startsWith('berth:') === true && owner !== networkAlias(networkId)) {
      throw new BerthError('PARENT_IN_USE', `parent ${parent.name} was made by berth for another network (${owner})`, { object: parent.name });
    }
    await checkUsable(host, existing, 'parent interface');
    return { created: false };
  }
  switch (parent.kind) {
    case 'link':
      throw new BerthError('INVALID_OPTION', `parent interface ${parent.name} does not exist on this host (-o parent=${parent.name})`, { object: parent.name });
    case 'vlan': {
      const lower = await mustExist(host, parent.lower, `trunk interface ${parent.lower} of VLAN parent ${parent.name}`);
      await checkUsable(host, lower, `trunk interface ${parent.lower} of ${parent.name}`);
      await host.links.create({ kind: 'vlan', name: parent.name, parent: parent.lower, vlanId: parent.vlanId, alias: networkAlias(networkId), up: true, ...(init.mtu === undefined ? {} : { mtu: init.mtu }) });
      return { created: true };
    }
    case 'dummy':
      await host.links.create({ kind: 'dummy', name: parent.name, alias: networkAlias(networkId), up: true, ...(init.mtu === undefined ? {} : { mtu: init.mtu }) });
      return { created: true };
  }
}

/** Deletes the parent if berth made it for this network (and it still carries its marker); idempotent. */
export async function removeParent(host: NetnsKernel, init: { readonly networkId: string; readonly parent: ParentSpec; readonly createdByBerth: boolean }): Promise<void> {
  if (!init.createdByBerth) return;
  const link = await host.links.find(init.parent.name);
  if (link?.alias !== networkAlias(init.networkId)) return;
  await host.links.remove(init.parent.name);
}
