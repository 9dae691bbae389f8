import { BerthError } from '../../errors/index.js';
import { sendEmpty, sendJson } from '../http-io.js';
import { containerInspect, containerSummary, parseSandboxCreate } from '../wire/container-wire.js';
import type { RouteContext } from './route-context.js';

function flag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value === 'true' || value === '1';
}

/** `GET /containers/json[?all=true]`: sandboxes in Docker's container list shape (exited ones only with all). */
export function listContainers({ controller, runner, query, response }: RouteContext): void {
  const all = flag(query, 'all');
  const views = controller.listSandboxes().filter((view) => all || (runner?.status(view.sandbox.id).status ?? 'created') !== 'exited');
  sendJson(response, 200, views.map((view) => containerSummary(view, runner)));
}

/** `GET /containers/{id}/json`: one sandbox as ContainerInspect. */
export function inspectContainer({ controller, runner, params, response }: RouteContext): void {
  sendJson(response, 200, containerInspect(controller.getSandbox(params[0] ?? ''), runner));
}

/** `DELETE /containers/{id}[?force=true]` → 204; 409 while its process runs without force. */
export async function removeContainer({ controller, runner, params, query, response }: RouteContext): Promise<void> {
  const view = controller.getSandbox(params[0] ?? '');
  const force = flag(query, 'force');
  if (runner !== undefined) {
    if (runner.status(view.sandbox.id).status === 'running' && !force) {
      throw new BerthError('SANDBOX_EXISTS', `cannot remove sandbox ${view.sandbox.name}: its process is running (stop it or use --force)`, { object: view.sandbox.name });
    }
    await runner.stop(view.sandbox.id);
  }
  await controller.removeSandbox({ sandbox: view.sandbox.id, force });
  sendEmpty(response, 204);
}

/** `POST /berth/sandboxes` → 201 {Id}: create the sandbox, then start Cmd in it (undone when the start fails). */
export async function createSandbox({ controller, runner, body, response }: RouteContext): Promise<void> {
  const { input, command } = parseSandboxCreate(await body());
  if (command.length > 0 && runner === undefined) throw new BerthError('NOT_IMPLEMENTED', 'this daemon runs no processes (no sandbox runner configured)', { object: 'Cmd' });
  const view = await controller.createSandbox(input);
  if (command.length > 0 && runner !== undefined) {
    try {
      await runner.start(view.sandbox.id, command);
    } catch (error) {
      await controller.removeSandbox({ sandbox: view.sandbox.id, force: true });
      throw error;
    }
  }
  sendJson(response, 201, { Id: view.sandbox.id, Warnings: [] });
}
