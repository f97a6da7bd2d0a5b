// Security headers on every answer (@fastify/helmet). API answers need no CSP beyond "nothing"; the pages set
// their own (with a nonce) and Swagger UI its own.
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export default fp(
  async (app: FastifyInstance) => {
    await app.register(helmet, {
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      // The popup's result page must keep window.opener to post its message back.
      crossOriginOpenerPolicy: false,
    });
  },
  { name: 'security-headers' },
);
