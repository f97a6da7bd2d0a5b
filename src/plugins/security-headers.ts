// Security headers on every answer, as helmet makes them from the options below. API answers need no CSP beyond
// "nothing"; the pages set their own (with a nonce) and Swagger UI its own, over these.
//
// The headers never vary, so helmet runs once, at start-up, against a response that records what it sets, and
// every answer gets that fixed set from one onRequest hook. (@fastify/helmet rebuilt helmet's middleware from the
// options on every request, in two hooks: in a CPU profile of the launch under load, helmet and @fastify/helmet
// took about 3% of the process's time; the one hook that replaces them does not show.)
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

const options: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  // The popup's result page must keep window.opener to post its message back.
  crossOriginOpenerPolicy: false,
};

/** The headers helmet sets with `options` (it also removes X-Powered-By, which Fastify never sends). */
function securityHeaders(helmetOptions: HelmetOptions = options): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  helmet(helmetOptions)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

export default fp(
  async (app: FastifyInstance) => {
    const headers = securityHeaders();
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(headers);
      done();
    });
  },
  { name: 'security-headers' },
);
