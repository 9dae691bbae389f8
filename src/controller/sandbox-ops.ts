import { BerthError } from '../errors/index.js';
import type { NetworkRecord, SandboxRecord } from '../store/index.js';
import type { ControllerDeps } from './controller-deps.js';
import type { CreateSandboxInput } from './inputs.js';
import { connectEndpoint, disconnectEndpoint } from './endpoint-ops.js';
import { refreshSandboxFiles } from './sandbox-ops-support.js';
import { usesEmbeddedDns } from './sandbox-dns.js';
import { removeSandboxFiles, sandboxFilePaths } from './sandbox-files.js';
import { UndoStack, runAll } from './undo-stack.js';
import { parsePortSpec } from '../driver-api/index.js';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const HOSTNAME_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/;
const EXTRA_HOST_PATTERN = /^[^\s:]+:\S+$/;

function validateSandbox(deps: ControllerDeps, input: CreateSandboxInput, name: string): NetworkRecord[] {
  if (!NAME_PATTERN.test(name)) throw new BerthError('INVALID_ARGUMENT', `invalid sandbox name ${JSON.stringify(name)}: use [A-Za-z0-9][A-Za-z0-9_.-]*`, { object: name });
  if ([...deps.state.sandboxes.values()].some((sandbox) => sandbox.name === name)) {
    throw new BerthError('SANDBOX_EXISTS', `Conflict. The sandbox name "/${name}" is already in use`, { object: name });
  }
  if (input.hostname !== undefined && (input.hostname.length > 253 || !HOSTNAME_PATTERN.test(input.hostname))) {
    throw new BerthError('INVALID_ARGUMENT', `invalid hostname ${JSON.stringify(input.hostname)}`, { object: input.hostname });
  }
  for (const entry of input.extraHosts ?? []) {
    if (!EXTRA_HOST_PATTERN.test(entry)) throw new BerthError('INVALID_ARGUMENT', `invalid add-host ${JSON.stringify(entry)}: expected name:ip`, { object: entry });
  }
  for (const spec of input.ports ?? []) parsePortSpec(spec);
  if ((input.ports ?? []).length > 0 && (input.networks ?? []).length === 0) {
    throw new BerthError('INVALID_ARGUMENT', 'publishing ports (-p) needs a network to publish from', { object: 'ports' });
  }
  const networks = (input.networks ?? []).map((endpoint) => deps.state.network(endpoint.network));
  if (new Set(networks.map((network) => network.id)).size !== networks.length) {
    throw new BerthError('INVALID_ARGUMENT', 'a sandbox cannot be attached to the same network twice', { object: name });
  }
  const usesHost = networks.some((network) => network.driver === 'host');
  if (usesHost && networks.length > 1) throw new BerthError('INVALID_ARGUMENT', 'a sandbox on the host network cannot join other networks', { object: name });
  return networks;
}

/** Creates a sandbox: its namespace (or the host's), files, record, then one endpoint per network in order. */
export async function createSandbox(deps: ControllerDeps, input: CreateSandboxInput): Promise<SandboxRecord> {
  const id = deps.newId();
  const name = input.name ?? `berth-${id.slice(0, 8)}`;
  const networks = validateSandbox(deps, input, name);
  const usesHost = networks.some((network) => network.driver === 'host');
  const undo = new UndoStack();
  try {
    let netnsPath = deps.kernel.netns.host.path;
    if (!usesHost) {
      const netns = await deps.kernel.netns.create(id.slice(0, 12));
      undo.push('remove namespace', async () => { deps.kernel.release(netns); await deps.kernel.netns.remove(netns); });
      await deps.kernel.in(netns).links.set('lo', { up: true });
      netnsPath = netns.path;
    }
    const sandbox: SandboxRecord = {
      id, name, netnsPath, created: deps.now().toISOString(),
      hostname: input.hostname ?? id.slice(0, 12),
      dns: { servers: input.dns?.servers ?? [], search: input.dns?.search ?? [], options: input.dns?.options ?? [] },
      extraHosts: input.extraHosts ?? [],
      labels: input.labels ?? {},
    };
    refreshSandboxFiles(deps, sandbox, { all: true, embeddedDns: deps.dns !== undefined && networks.some(usesEmbeddedDns) });
    undo.push('remove files', () => removeSandboxFiles(sandboxFilePaths(deps.paths.sandboxDir, id)));
    await deps.state.commit((tx) => tx.putSandbox(sandbox));
    undo.push('forget sandbox', () => deps.state.commit((tx) => tx.deleteSandbox(id)));
    for (const [index, network] of networks.entries()) {
      const given = input.networks?.[index];
      const endpointInput = given === undefined || index > 0 || (input.ports ?? []).length === 0 ? given : { ...given, publish: input.ports ?? [] };
      if (endpointInput === undefined) continue;
      await deps.lock.with([network.id, id], async () => {
        const endpoint = await connectEndpoint(deps, { network: deps.state.network(network.id), sandbox, input: endpointInput });
        undo.push(`disconnect ${network.name}`, () => disconnectEndpoint(deps, { endpoint, force: true }));
      });
    }
    deps.log.info({ sandbox: id, name }, 'sandbox created');
    return sandbox;
  } catch (error) {
    const failures = await undo.unwind();
    if (failures.length > 0) deps.log.error({ sandbox: id, failures }, 'undo of a failed sandbox create was incomplete');
    throw error;
  }
}

/** Removes a sandbox: every endpoint (forced), its namespace, files and record. */
export async function removeSandbox(deps: ControllerDeps, sandbox: SandboxRecord): Promise<void> {
  const endpoints = deps.state.endpointsOf({ sandboxId: sandbox.id });
  const steps: [string, () => Promise<void>][] = endpoints.map((endpoint) => [
    `disconnect ${endpoint.networkId.slice(0, 12)}`,
    () => deps.lock.with([endpoint.networkId, sandbox.id], () => disconnectEndpoint(deps, { endpoint, force: true })),
  ]);
  steps.push(['stop embedded DNS', async () => deps.dns?.stop(sandbox.id)]);
  if (sandbox.netnsPath !== deps.kernel.netns.host.path) {
    steps.push(['remove namespace', async () => { deps.kernel.release({ path: sandbox.netnsPath }); await deps.kernel.netns.remove({ path: sandbox.netnsPath }); }]);
  }
  steps.push(['remove files', async () => removeSandboxFiles(sandboxFilePaths(deps.paths.sandboxDir, sandbox.id))]);
  steps.push(['forget sandbox', () => deps.state.commit((tx) => tx.deleteSandbox(sandbox.id))]);
  await runAll(`remove sandbox ${sandbox.name}`, steps);
  deps.log.info({ sandbox: sandbox.id, name: sandbox.name }, 'sandbox removed');
}
