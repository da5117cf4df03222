import nodemailer from 'nodemailer';
import type { Logger } from 'pino';

export type Mail = { to: string; subject: string; text: string };
export type Mailer = { send: (mail: Mail) => Promise<void>; close: () => void };

/** SMTP when SMTP_URL is set; otherwise messages are written to the log (development). */
export function createMailer(options: { smtpUrl: string | undefined; from: string; logger: Logger }): Mailer {
  const transport = options.smtpUrl
    ? nodemailer.createTransport(options.smtpUrl)
    : nodemailer.createTransport({ jsonTransport: true });
  return {
    async send(mail) {
      const info = await transport.sendMail({ from: options.from, ...mail });
      if (!options.smtpUrl) {
        options.logger.info({ to: mail.to, subject: mail.subject, text: mail.text }, 'email (log transport)');
      } else {
        options.logger.info({ to: mail.to, subject: mail.subject, messageId: info.messageId }, 'email sent');
      }
    },
    close: () => transport.close(),
  };
}
