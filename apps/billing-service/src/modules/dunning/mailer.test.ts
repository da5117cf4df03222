import { createServer } from 'node:net';
import { createLogger } from '@mna/shared';
import { createLogCapture } from '@mna/testing';
import { describe, expect, it } from 'vitest';
import { createMailer } from './mailer.js';

describe('mailer', () => {
  it('writes the message to the log when SMTP is not configured', async () => {
    const capture = createLogCapture();
    const logger = createLogger({ service: 'billing-test', level: 'info', destination: capture.stream });
    const mailer = createMailer({ smtpUrl: undefined, from: 'billing@mna.test', logger });
    await mailer.send({
      to: 'cfo@acme.test',
      subject: 'Your payment failed',
      text: 'Please update your card.',
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(capture.lines.some((l) => l.msg === 'email (log transport)' && l.to === 'cfo@acme.test')).toBe(
      true,
    );
    mailer.close();
  });

  it('speaks SMTP to the configured server', async () => {
    const received: string[] = [];
    const server = createServer((socket) => {
      let data = false;
      socket.write('220 fake ESMTP\r\n');
      socket.on('data', (chunk) => {
        for (const line of chunk.toString().split('\r\n').filter(Boolean)) {
          if (data) {
            received.push(line);
            if (line === '.') {
              data = false;
              socket.write('250 queued\r\n');
            }
          } else if (/^(EHLO|HELO)/i.test(line)) socket.write('250 fake\r\n');
          else if (/^DATA/i.test(line)) {
            data = true;
            socket.write('354 go\r\n');
          } else if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
          else socket.write('250 ok\r\n');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const mailer = createMailer({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      from: 'billing@mna.test',
      logger: createLogger({ service: 't', level: 'silent' }),
    });
    await mailer.send({ to: 'cfo@acme.test', subject: 'Final notice', text: 'Access ends soon.' });
    mailer.close();
    server.close();
    expect(received.join('\n')).toContain('Subject: Final notice');
  });
});
