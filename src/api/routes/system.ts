import { arch, cpus, hostname, release, totalmem } from 'node:os';
import { sendJson } from '../http-io.js';
import type { RouteContext } from './route-context.js';
import { API_VERSION, MIN_API_VERSION } from '../versions.js';

function goArch(): string {
  const name = arch();
  return name === 'x64' ? 'amd64' : name;
}

/** `GET|HEAD /_ping`: 200 `OK` (empty for HEAD) with Docker's cache and builder headers. */
export function ping({ method, response }: RouteContext): void {
  response.writeHead(200, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
    'Builder-Version': '1',
    Swarm: 'inactive',
    'Content-Length': method === 'HEAD' ? 0 : 2,
  });
  response.end(method === 'HEAD' ? undefined : 'OK');
}

/** `GET /version`, enough for `docker version`. */
export function getVersion({ response, version }: RouteContext): void {
  sendJson(response, 200, {
    Platform: { Name: 'berth' },
    Components: [{ Name: 'Engine', Version: version, Details: { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: 'linux', Arch: goArch(), KernelVersion: release() } }],
    Version: version,
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: '',
    GoVersion: `node ${process.version}`,
    Os: 'linux',
    Arch: goArch(),
    KernelVersion: release(),
    Experimental: false,
    BuildTime: '',
  });
}

/** `GET /info`: minimal but valid for `docker info`; sandboxes count as containers. */
export function getInfo({ controller, runner, response, version }: RouteContext): void {
  const sandboxes = controller.listSandboxes();
  const running = sandboxes.filter((view) => runner?.status(view.sandbox.id).status === 'running').length;
  sendJson(response, 200, {
    ID: 'berth',
    Containers: sandboxes.length,
    ContainersRunning: running,
    ContainersPaused: 0,
    ContainersStopped: sandboxes.length - running,
    Images: 0,
    Driver: 'none',
    DriverStatus: [],
    Plugins: { Volume: [], Network: [...new Set(controller.listNetworks().map((view) => view.network.driver))].sort(), Authorization: null, Log: [] },
    Name: hostname(),
    ServerVersion: version,
    OperatingSystem: 'berth',
    OSType: 'linux',
    OSVersion: '',
    Architecture: goArch(),
    KernelVersion: release(),
    NCPU: cpus().length,
    MemTotal: totalmem(),
    IndexServerAddress: '',
    DockerRootDir: '',
    Labels: [],
    ExperimentalBuild: false,
    Swarm: { LocalNodeState: 'inactive', NodeID: '', NodeAddr: '', ControlAvailable: false, Error: '', RemoteManagers: null },
    SecurityOptions: [],
    Warnings: [],
  });
}
