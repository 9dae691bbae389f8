import type { FirewallBackend } from './firewall.js';

/** `--firewall none`: berth programs no firewall rules at all (the admin takes care of it). */
export class NoFirewall implements FirewallBackend {
  readonly name = 'none' as const;
  readonly transport = 'none';

  apply(): Promise<void> {
    return Promise.resolve();
  }

  listOwn(): Promise<string> {
    return Promise.resolve('');
  }

  removeOwn(): Promise<void> {
    return Promise.resolve();
  }

  flushConntrack(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    // nothing to release
  }
}
