/**
 * A partner's webhook receiver for the outbound-webhooks bench, in its own process so the bench's CPU
 * figures are the delivery worker's. Prints its URL, then answers 200 (or, with probability
 * RECEIVER_FAIL_RATE, 503). On SIGTERM prints how many requests it got.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const failRate = Number(process.env.RECEIVER_FAIL_RATE ?? 0);
let requests = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    requests++;
    if (Math.random() < failRate) res.writeHead(503).end('busy');
    else res.end('ok');
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`http://127.0.0.1:${port}/hooks\n`);
});
process.on('SIGTERM', () => {
  process.stdout.write(`${requests}\n`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
