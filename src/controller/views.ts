import type { EndpointRecord, NetworkRecord, SandboxRecord } from '../store/index.js';
import type { DriftFinding } from './kernel-drift.js';

/** A network with its endpoints and their sandboxes, as the API shows it. */
export interface NetworkView {
  readonly network: NetworkRecord;
  readonly endpoints: readonly { readonly endpoint: EndpointRecord; readonly sandbox: SandboxRecord | undefined }[];
  /** Kernel objects of this network found removed behind berth's back, latest last (kernel-drift.ts). */
  readonly kernelDrift?: readonly DriftFinding[];
}

/** A sandbox with its endpoints and their networks. */
export interface SandboxView {
  readonly sandbox: SandboxRecord;
  readonly endpoints: readonly { readonly endpoint: EndpointRecord; readonly network: NetworkRecord }[];
}
