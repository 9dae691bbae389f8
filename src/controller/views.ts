import type { EndpointRecord, NetworkRecord, SandboxRecord } from '../store/index.js';

/** A network with its endpoints and their sandboxes, as the API shows it. */
export interface NetworkView {
  readonly network: NetworkRecord;
  readonly endpoints: readonly { readonly endpoint: EndpointRecord; readonly sandbox: SandboxRecord | undefined }[];
}

/** A sandbox with its endpoints and their networks. */
export interface SandboxView {
  readonly sandbox: SandboxRecord;
  readonly endpoints: readonly { readonly endpoint: EndpointRecord; readonly network: NetworkRecord }[];
}
