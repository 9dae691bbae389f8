import type { SandboxRecord } from '../store/index.js';
import type { ControllerDeps } from './controller-deps.js';
import { sandboxFilePaths, writeSandboxFiles } from './sandbox-files.js';

/** Writes a sandbox's files: all of them at creation, then only /etc/hosts when its addresses change. */
export function refreshSandboxFiles(deps: ControllerDeps, sandbox: SandboxRecord, options: { readonly all: boolean; readonly embeddedDns?: boolean } = { all: false }): void {
  const addresses = deps.state
    .endpointsOf({ sandboxId: sandbox.id })
    .flatMap((endpoint) => [endpoint.address, endpoint.addressIpv6])
    .filter((address): address is string => address !== undefined);
  writeSandboxFiles({
    paths: sandboxFilePaths(deps.paths.sandboxDir, sandbox.id),
    sandbox,
    addresses,
    hostResolvConf: deps.paths.hostResolvConf,
    upstreamDns: deps.paths.upstreamDns,
    embeddedDns: options.embeddedDns === true,
    all: options.all,
  });
}
