import pino, { type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/**
 * Every field name that may ever hold a secret is censored, wherever it is nested, so a careless
 * `log.info({ body })` cannot leak one. The list errs on the side of hiding.
 */
export const REDACTED_PATHS = [
  'password',
  'newPassword',
  'temporaryPassword',
  'secret',
  'clientSecret',
  'client_secret',
  'privateKey',
  'publicKey',
  'accessToken',
  'access_token',
  'token',
  'authorization',
  'cookie',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.newPassword',
  '*.temporaryPassword',
  '*.secret',
  '*.clientSecret',
  '*.client_secret',
  '*.privateKey',
  '*.publicKey',
  '*.accessToken',
  '*.access_token',
  '*.token',
  '*.authorization',
  '*.cookie',
];

export type LoggerOptions = {
  level?: string;
  /** Where lines go; tests pass a stream to read them back. */
  destination?: pino.DestinationStream;
};

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { service: 'toolbox' },
    },
    options.destination,
  );
}

/** A logger that writes nothing: for tests that do not read the log. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
