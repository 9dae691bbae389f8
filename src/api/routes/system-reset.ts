import { BerthError } from '../../errors/index.js';
import { sendJson } from '../http-io.js';
import type { RouteContext } from './route-context.js';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * `POST /berth/system/reset?force=1`: removes every sandbox (stopping its process) and every
 * custom network through the controller, then has the daemon stop and, as it stops, remove the
 * rest (predefined networks' kernel objects, firewall tables). Goes on past failures and reports
 * them: 200 {SandboxesRemoved, NetworksRemoved, Errors, DaemonStopping}.
 */
export async function resetSystem({ controller, runner, reset, query, response }: RouteContext): Promise<void> {
  if (!['1', 'true'].includes(query.get('force') ?? '')) {
    throw new BerthError('BAD_REQUEST', 'system reset removes every sandbox and network: repeat with force=1', { object: 'force' });
  }
  const errors: string[] = [];
  const sandboxes: string[] = [];
  for (const view of controller.listSandboxes()) {
    try {
      await runner?.stop(view.sandbox.id);
      await controller.removeSandbox({ sandbox: view.sandbox.id, force: true });
      sandboxes.push(view.sandbox.name);
    } catch (error) {
      errors.push(`sandbox ${view.sandbox.name}: ${message(error)}`);
    }
  }
  const networks: string[] = [];
  for (const view of controller.listNetworks()) {
    if (view.network.predefined) continue;
    try {
      await controller.removeNetwork(view.network.id);
      networks.push(view.network.name);
    } catch (error) {
      errors.push(`network ${view.network.name}: ${message(error)}`);
    }
  }
  sendJson(response, 200, { SandboxesRemoved: sandboxes, NetworksRemoved: networks, Errors: errors, DaemonStopping: reset !== undefined });
  if (reset !== undefined) response.once('finish', () => reset.cleanUpAndStop());
}
