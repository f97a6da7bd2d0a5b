// Logging that cannot leak a secret: authorization and cookie headers are redacted, and requests are logged
// by path only, because the query string carries the launch code, the state and Zoom's code. JSON lines, for log
// collectors; readable lines on a developer's terminal.
import type { FastifyServerOptions } from 'fastify';
import type { DestinationStream } from 'pino';
import type { Config } from './config.js';

export function loggerOptions(level: Config['logLevel'], stream?: DestinationStream): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'headers.authorization', 'headers.cookie'],
      censor: '[redacted]',
    },
    serializers: {
      req: (request: { method: string; url: string; id: string; ip?: string }) => ({
        id: request.id,
        method: request.method,
        path: request.url.split('?')[0],
        ip: request.ip,
      }),
    },
  };
}

/**
 * Where the process logs when its stdout is a terminal and pino-pretty (a dev dependency) is installed: readable
 * lines, in order with the banner (sync). Otherwise undefined: JSON lines on stdout, which is what a production
 * install (no dev dependencies) and every log collector get. Redaction happens before either.
 */
export async function terminalLogStream(stdout: { isTTY?: boolean } = process.stdout): Promise<DestinationStream | undefined> {
  if (!stdout.isTTY) return undefined;
  try {
    const { default: pretty } = await import('pino-pretty');
    return pretty({ sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  } catch {
    // Not installed (a production install): JSON, as anywhere else.
    return undefined;
  }
}
