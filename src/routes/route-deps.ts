import type { RouteHandler } from 'fastify';
import type { RouteHandlers } from '../../generated/gateway/fastify.gen.js';
import type { ConnectDeps } from '../connect/deps.js';

/** Options every routes plugin receives from app.ts. */
export interface RouteOptions {
  deps: ConnectDeps;
}

/** The request/reply types gateway.yaml gives an operation, to register its handler with. */
export type OperationTypes<K extends keyof RouteHandlers> = RouteHandlers[K] extends RouteHandler<infer Generic> ? Generic : never;
