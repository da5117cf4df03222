import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/**
 * A bare HTTP server answering `GET /metrics` from `registry` and 404 to anything else, for a port
 * only the private network reaches (the internet-facing gateway must not publish its metrics).
 */
export function createMetricsServer(registry: Registry): Server {
  return createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
}
