import { BerthError } from '../../errors/index.js';
import { sendEmpty, sendJson } from '../http-io.js';
import { containerInspect, containerSummary, parseSandboxCreate } from '../wire/container-wire.js';
import type { RouteTable } from './route-context.js';

/** Sandboxes, shown as containers (list, inspect, delete) plus berth's own create. */
export const CONTAINER_ROUTES: RouteTable = [
  ['GET', /^\/containers\/json$/, ({ controller, runner, query, response }) => {
    const all = query.get('all') === 'true' || query.get('all') === '1';
    const views = controller.listSandboxes().filter((view) => all || (runner?.status(view.sandbox.id).status ?? 'created') !== 'exited');
    sendJson(response, 200, views.map((view) => containerSummary(view, runner)));
  }],
  ['GET', /^\/containers\/([^/]+)\/json$/, ({ controller, runner, params, response }) => {
    sendJson(response, 200, containerInspect(controller.getSandbox(params[0] ?? ''), runner));
  }],
  ['DELETE', /^\/containers\/([^/]+)$/, async ({ controller, runner, params, query, response }) => {
    const view = controller.getSandbox(params[0] ?? '');
    const force = query.get('force') === 'true' || query.get('force') === '1';
    if (runner?.status(view.sandbox.id).status === 'running') {
      if (!force) throw new BerthError('SANDBOX_EXISTS', `cannot remove sandbox ${view.sandbox.name}: its process is running (stop it or use --force)`, { object: view.sandbox.name });
      await runner.stop(view.sandbox.id);
    }
    await controller.removeSandbox({ sandbox: view.sandbox.id, force });
    sendEmpty(response, 204);
  }],
  ['POST', /^\/berth\/sandboxes$/, async ({ controller, runner, body, response }) => {
    const { input, command } = parseSandboxCreate(await body());
    if (command.length > 0 && runner === undefined) throw new BerthError('NOT_IMPLEMENTED', 'this daemon runs no processes', { object: 'Cmd' });
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
  }],
];
