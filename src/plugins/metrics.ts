// Counts connect flows by outcome from the answer the browser gets, in one place for the launch and the
// callback: a 302 to Zoom (started, or restarted after a spent code), a 303 to return_to carrying
// zoom_connect=connected or error=<code>, a problem+json body, or a result page. Whatever form the flow's
// answer takes (redirect, popup, a client asking for JSON), the outcome is the one the user saw.
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';

export interface MetricsOptions {
  metrics: GatewayMetrics;
  launchPath: string;
  callbackPath: string;
}

// The result page names the code for people ("Error code: <code>state_expired</code>"); a popup page also
// carries it in the message it posts ("error":"state_expired").
const PAGE_CODE = /Error(?: code)?:\s*(?:<code>)?([a-z_]+)|"error":"([a-z_]+)"/;

// A label value is a problem code or nothing: never free text, which would let anyone mint new series.
const asLabel = (code: unknown) => (typeof code === 'string' && /^[a-z_]{1,40}$/.test(code) ? code : 'unknown');

/** The outcome of a flow answer: `redirected` for a 302 (to Zoom), `connected`, or the problem code. */
export function flowOutcome(reply: Pick<FastifyReply, 'statusCode' | 'getHeader'>, payload: unknown): string {
  return asLabel(rawFlowOutcome(reply, payload));
}

function rawFlowOutcome(reply: Pick<FastifyReply, 'statusCode' | 'getHeader'>, payload: unknown): unknown {
  if (reply.statusCode === 302) return 'redirected';
  const location = reply.getHeader('location');
  if (reply.statusCode === 303 && typeof location === 'string') {
    const query = URL.parse(location, 'http://return-to.invalid')?.searchParams;
    if (query?.get('zoom_connect') === 'connected') return 'connected';
    return query?.get('error');
  }
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
  const type = String(reply.getHeader('content-type') ?? '');
  if (type.includes('json')) {
    try {
      return (JSON.parse(text) as { code?: unknown }).code;
    } catch {
      return undefined;
    }
  }
  if (reply.statusCode === 200) return 'connected';
  const match = PAGE_CODE.exec(text);
  return match?.[1] ?? match?.[2];
}

export default fp<MetricsOptions>(
  async (app, { metrics, launchPath, callbackPath }) => {
    app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const route = request.routeOptions.url;
      if (route === launchPath) {
        const outcome = flowOutcome(reply, payload);
        metrics.flowStarted(outcome === 'redirected' ? 'started' : outcome);
      } else if (route === callbackPath) {
        const outcome = flowOutcome(reply, payload);
        metrics.flowFinished(outcome === 'redirected' ? 'restarted' : outcome);
      }
      return payload;
    });
  },
  { name: 'metrics' },
);
