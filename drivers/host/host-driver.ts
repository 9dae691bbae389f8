import { NullDriver } from '../null/null-driver.js';

/**
 * `host`: the sandbox uses the host's own network namespace, so there is nothing to create;
 * the controller gives such sandboxes the host's namespace path instead of a new one.
 */
export class HostDriver extends NullDriver {
  override readonly name: string = 'host';
}
