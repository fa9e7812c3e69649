import type { Server } from 'node:http';
import { AddressInfo, createServer } from 'node:net';
import { ExitCode, StartupError, errorCode } from './startup-error';

/** A failure to listen on PORT as one line naming it; undefined for anything else. */
export function portStartupError(e: unknown, port: number): StartupError | undefined {
  const code = errorCode(e);
  if (code === 'EADDRINUSE') return new StartupError([`PORT ${port} is already in use`], ExitCode.PORT_IN_USE);
  if (code === 'EACCES') return new StartupError([`PORT ${port}: permission denied (ports below 1024 need privileges)`], ExitCode.NO_PERMISSION);
  return undefined;
}

/**
 * Binds PORT the way the HTTP server will (all interfaces) and lets it go again, so a busy port stops startup at once
 * instead of after migrations and module initialisation. The real listen still reports a port taken in between.
 */
export async function assertPortFree(port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e) => reject(portStartupError(e, port) ?? e));
    probe.listen(port, () => probe.close(() => resolve()));
  });
}

/** `http://localhost:3000` for a server on all interfaces, else its address. */
export function listeningUrl(server: Server): string {
  const a = server.address() as AddressInfo;
  const host = a.address === '::' || a.address === '0.0.0.0' ? 'localhost' : a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return `http://${host}:${a.port}`;
}
