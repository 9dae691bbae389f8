import type {
  ConnectInput, CreateNetworkInput, CreateSandboxInput, DisconnectInput, NetworkController, NetworkView, RemoveSandboxInput, SandboxView,
} from '../controller/index.js';
import type { NetworkRecord, SandboxRecord } from '../store/index.js';
import type { UnstampedEvent } from './berth-event.js';

/** Where the decorator sends events (EventBus fits). */
export interface EventSink {
  publish(event: UnstampedEvent): unknown;
}

/** The image name sandboxes show where Docker shows containers (as GET /containers/json). */
const SANDBOX_IMAGE = 'berth-sandbox';

function networkEvent(network: NetworkRecord, action: UnstampedEvent['action'], sandboxId?: string): UnstampedEvent {
  const attributes: Record<string, string> = { name: network.name, type: network.driver };
  if (sandboxId !== undefined) attributes['container'] = sandboxId;
  return { type: 'network', action, actor: { id: network.id, attributes }, scope: network.scope };
}

function sandboxEvent(sandbox: SandboxRecord, action: UnstampedEvent['action']): UnstampedEvent {
  return { type: 'container', action, actor: { id: sandbox.id, attributes: { ...sandbox.labels, image: SANDBOX_IMAGE, name: sandbox.name } }, scope: 'local' };
}

function tryView<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/**
 * A NetworkController that publishes Docker-style events after each successful change of the
 * one it wraps (which stays untouched): network create/connect/disconnect/destroy and sandbox
 * create/destroy, with a connect per network a new sandbox joins and a disconnect per network
 * a removed sandbox leaves, in the order Docker reports them. Failed calls publish nothing.
 */
export class EventedController implements NetworkController {
  readonly #inner: NetworkController;
  readonly #sink: EventSink;

  constructor(options: { readonly controller: NetworkController; readonly sink: EventSink }) {
    this.#inner = options.controller;
    this.#sink = options.sink;
  }

  listNetworks(): readonly NetworkView[] {
    return this.#inner.listNetworks();
  }

  getNetwork(idOrName: string): NetworkView {
    return this.#inner.getNetwork(idOrName);
  }

  listSandboxes(): readonly SandboxView[] {
    return this.#inner.listSandboxes();
  }

  getSandbox(idOrName: string): SandboxView {
    return this.#inner.getSandbox(idOrName);
  }

  async createNetwork(input: CreateNetworkInput): Promise<NetworkView> {
    const view = await this.#inner.createNetwork(input);
    this.#sink.publish(networkEvent(view.network, 'create'));
    return view;
  }

  async removeNetwork(idOrName: string): Promise<void> {
    const before = tryView(() => this.#inner.getNetwork(idOrName));
    await this.#inner.removeNetwork(idOrName);
    if (before !== undefined) this.#sink.publish(networkEvent(before.network, 'destroy'));
  }

  async pruneNetworks(keep?: (view: NetworkView) => boolean): Promise<readonly string[]> {
    const before = new Map(this.#inner.listNetworks().map((view) => [view.network.name, view.network]));
    const removed = await (keep === undefined ? this.#inner.pruneNetworks() : this.#inner.pruneNetworks(keep));
    for (const name of removed) {
      const network = before.get(name);
      if (network !== undefined) this.#sink.publish(networkEvent(network, 'destroy'));
    }
    return removed;
  }

  async connect(input: ConnectInput): Promise<SandboxView> {
    const view = await this.#inner.connect(input);
    const network = tryView(() => this.#inner.getNetwork(input.network));
    if (network !== undefined) this.#sink.publish(networkEvent(network.network, 'connect', view.sandbox.id));
    return view;
  }

  async disconnect(input: DisconnectInput): Promise<void> {
    const network = tryView(() => this.#inner.getNetwork(input.network));
    const sandbox = tryView(() => this.#inner.getSandbox(input.sandbox));
    await this.#inner.disconnect(input);
    if (network !== undefined && sandbox !== undefined) this.#sink.publish(networkEvent(network.network, 'disconnect', sandbox.sandbox.id));
  }

  async createSandbox(input: CreateSandboxInput): Promise<SandboxView> {
    const view = await this.#inner.createSandbox(input);
    this.#sink.publish(sandboxEvent(view.sandbox, 'create'));
    for (const { network } of view.endpoints) this.#sink.publish(networkEvent(network, 'connect', view.sandbox.id));
    return view;
  }

  async removeSandbox(input: RemoveSandboxInput): Promise<void> {
    const before = tryView(() => this.#inner.getSandbox(input.sandbox));
    await this.#inner.removeSandbox(input);
    if (before === undefined) return;
    for (const { network } of before.endpoints) this.#sink.publish(networkEvent(network, 'disconnect', before.sandbox.id));
    this.#sink.publish(sandboxEvent(before.sandbox, 'destroy'));
  }
}
