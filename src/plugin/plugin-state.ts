import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import type { DriverEndpoint, DriverNetwork, PortMapping } from '../driver-api/index.js';
import { BerthError } from '../errors/index.js';

/** A network dockerd created through the plugin, with the berth driver that made it. */
export interface PluginNetwork {
  readonly driver: string;
  readonly network: DriverNetwork;
}

export interface PluginEndpoint {
  readonly networkId: string;
  readonly endpoint: DriverEndpoint;
  /** The interface made at Join, in the host namespace until dockerd moves it. */
  readonly sourceName?: string;
  readonly ports: readonly PortMapping[];
}

/** A pool handed to dockerd through the IPAM plugin, and the addresses in it. */
export interface PluginPool {
  readonly pool: string;
  readonly subPool?: string;
  readonly addressSpace: string;
  readonly v6: boolean;
  readonly addresses: readonly string[];
  /** The gateway address (allocated with the gateway flag). */
  readonly gateway?: string;
}

export interface PluginStateData {
  readonly networks: Readonly<Record<string, PluginNetwork>>;
  readonly endpoints: Readonly<Record<string, PluginEndpoint>>;
  readonly pools: Readonly<Record<string, PluginPool>>;
}

const EMPTY: PluginStateData = { networks: {}, endpoints: {}, pools: {} };

/**
 * The plugin's own state — dockerd keeps its networks and containers; berth keeps what its
 * drivers and IPAM need to answer dockerd's later calls and to come back after a restart. One
 * JSON file, replaced atomically (write, fsync, rename) on every change.
 */
export class PluginState {
  readonly #path: string;
  #data: PluginStateData;

  private constructor(path: string, data: PluginStateData) {
    this.#path = path;
    this.#data = data;
  }

  static open(path: string): PluginState {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return new PluginState(path, EMPTY);
    }
    try {
      const parsed = JSON.parse(text) as Partial<PluginStateData>;
      return new PluginState(path, { networks: parsed.networks ?? {}, endpoints: parsed.endpoints ?? {}, pools: parsed.pools ?? {} });
    } catch (error) {
      throw new BerthError('STORE_FAILURE', `plugin state ${path} is unreadable: ${String(error)}`, { object: path });
    }
  }

  get data(): PluginStateData {
    return this.#data;
  }

  /** Applies `change` to a copy and makes it durable before it becomes the state. */
  update(change: (data: PluginStateData) => PluginStateData): void {
    const next = change(this.#data);
    const temporary = `${this.#path}.tmp`;
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(next));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.#path);
    this.#data = next;
  }
}

/** A record without one key (immutable update helper). */
export function without<T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}
