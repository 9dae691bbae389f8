import type { ServerResponse } from 'node:http';
import type { NetworkController } from '../../controller/index.js';
import type { EventSource } from '../../events/index.js';
import type { SandboxRunner } from '../sandbox-runner.js';
import type { SystemResetHook } from '../system-reset-hook.js';

/** What a route handler gets: the controller, path parameters, query, a lazy JSON body and the response. */
export interface RouteContext {
  readonly controller: NetworkController;
  readonly runner: SandboxRunner | undefined;
  /** The daemon's events, for `GET /events` (501 without). */
  readonly events: EventSource | undefined;
  /** The daemon's part of `POST /berth/system/reset` (absent: only the controller part runs). */
  readonly reset: SystemResetHook | undefined;
  readonly method: string;
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  readonly body: () => Promise<unknown>;
  readonly response: ServerResponse;
  readonly version: string;
}

/** One endpoint of the API; throws BerthError, and the server turns it into a status. */
export type RouteHandler = (context: RouteContext) => Promise<void> | void;

/** Method, path pattern (captures become params, already URI-decoded), handler. */
export type RouteTable = readonly (readonly [string, RegExp, RouteHandler])[];
