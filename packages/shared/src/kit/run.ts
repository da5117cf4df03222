import closeWithGrace from 'close-with-grace';
import type { Logger } from 'pino';
import type { ServiceApp } from './service-app.js';

/** Something to close on shutdown, in the order given (workers, then Redis, then Postgres). */
export type Closer = { name: string; close: () => Promise<unknown> };

export type RunOptions = {
  app: ServiceApp;
  host: string;
  port: number;
  logger: Logger;
  graceMs: number;
  /**
   * How long to keep serving (readiness 503, `Connection: close` on every response) before the server
   * closes: load balancers stop routing and keep-alive clients stop reusing sockets, so no request is
   * written to a socket at the instant the server closes it.
   */
  drainMs?: number;
  /**
   * Pending-connection queue of the listening socket (Node's default 511; the kernel caps it at
   * net.core.somaxconn). A public entry hit by bursts of new connections wants more: an overflowing
   * queue drops SYNs, and clients wait for their 1 s, 3 s, ... retransmits.
   */
  backlog?: number;
  closers?: Closer[];
};

/**
 * Listens, then on SIGTERM/SIGINT: readiness goes 503, the server stops accepting and lets in-flight
 * requests finish, the closers run in order, and the process exits 0 (1 if anything failed).
 */
export async function runService(options: RunOptions): Promise<void> {
  const { app, logger } = options;
  closeWithGrace({ delay: options.graceMs, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'fatal error, shutting down');
    logger.info({ signal }, 'shutting down');
    app.draining = true;
    await new Promise((resolve) => setTimeout(resolve, options.drainMs ?? 1_000));
    await app.close();
    for (const closer of options.closers ?? []) {
      await closer.close();
      logger.info({ dependency: closer.name }, 'closed');
    }
    logger.info('shutdown complete');
  });
  const address = await app.listen({
    host: options.host,
    port: options.port,
    ...(options.backlog ? { backlog: options.backlog } : {}),
  });
  logger.info({ address }, 'listening');
}

/** The same shutdown, for a worker process without an HTTP server. */
export function runWorker(options: { logger: Logger; graceMs: number; closers: Closer[] }): void {
  closeWithGrace({ delay: options.graceMs, logger: options.logger }, async ({ signal, err }) => {
    if (err) options.logger.error({ err }, 'fatal error, shutting down');
    options.logger.info({ signal }, 'worker shutting down');
    for (const closer of options.closers) await closer.close();
  });
  options.logger.info('worker started');
}
