import { arch, cpus, hostname, release, totalmem } from 'node:os';
import { sendJson } from '../http-io.js';
import type { RouteTable } from './route-context.js';
import { API_VERSION, MIN_API_VERSION } from '../versions.js';

/** /version and /info (enough for `docker version` and `docker info`); /_ping is handled by the server. */
export const SYSTEM_ROUTES: RouteTable = [
  ['GET', /^\/version$/, ({ response, version }) => {
    sendJson(response, 200, {
      Platform: { Name: 'berth' },
      Components: [{ Name: 'Engine', Version: version, Details: { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: 'linux', Arch: arch() } }],
      Version: version,
      ApiVersion: API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      GitCommit: '',
      GoVersion: `node ${process.version}`,
      Os: 'linux',
      Arch: arch() === 'x64' ? 'amd64' : arch(),
      KernelVersion: release(),
      Experimental: false,
      BuildTime: '',
    });
  }],
  ['GET', /^\/info$/, ({ controller, runner, response, version }) => {
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
      Plugins: { Volume: [], Network: [...new Set(controller.listNetworks().map((view) => view.network.driver))].sort(), Authorization: null, Log: [] },
      Name: hostname(),
      ServerVersion: version,
      OperatingSystem: 'berth',
      OSType: 'linux',
      Architecture: arch(),
      KernelVersion: release(),
      NCPU: cpus().length,
      MemTotal: totalmem(),
      DockerRootDir: '',
      Labels: [],
      ExperimentalBuild: false,
      Swarm: { LocalNodeState: 'inactive', NodeID: '', NodeAddr: '', ControlAvailable: false, Error: '', RemoteManagers: null },
      SecurityOptions: [],
      Warnings: [],
    });
  }],
];
