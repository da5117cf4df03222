import { type Logger, type LoggerOptions, pino } from 'pino';

/** Paths whose values never reach a log line. */
export const REDACT_PATHS = [
  'authorization',
  'cookie',
  'headers.authorization',
  'headers.cookie',
  'headers["stripe-signature"]',
  'headers["x-internal-token"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["stripe-signature"]',
  'req.headers["x-internal-token"]',
  'res.headers["set-cookie"]',
  'apiKey',
  'secret',
  '*.apiKey',
  '*.secret',
  '*.password',
  '*.token',
];

export type LoggerSettings = {
  service: string;
  level: string;
  /** Where lines go; tests pass a stream to read them back. */
  destination?: NodeJS.WritableStream;
  /** Pretty output is only for a human at a terminal; defaults to whether stdout is a TTY. */
  pretty?: boolean;
};

/** The one pino logger of a process, JSON everywhere but on a TTY. */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    name: settings.service,
    level: settings.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: settings.service },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (settings.destination) return pino(options, settings.destination as pino.DestinationStream);
  const pretty = settings.pretty ?? Boolean(process.stdout.isTTY);
  if (pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino(options);
}

export type { Logger };
