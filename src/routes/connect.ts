// Tag `connect`: the browser's side of the flow. The launch (a form POST to connect_url from the app's own page)
// sends the browser to Zoom; a plain GET of connect_url is refused; the callback (at the path of
// ZOOM_REDIRECT_URI) finishes the flow. Each hands the outcome it gets from src/connect/ to the one responder
// (pages/flow-responder.ts); their own failures (a rate limit, a malformed request, the unexpected) go to the
// same responder, through these routes' own error handler.
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteHandlers } from '../../generated/gateway/fastify.gen.js';
import { zConnectCallbackQuery, zLaunchConnectBody, zLaunchConnectQuery } from '../../generated/gateway/zod.gen.js';
import { finishCallback } from '../connect/callback.js';
import { launchFlow, refuseNavigation } from '../connect/launch.js';
import { toProblem } from '../connect/problems.js';
import { launchPath } from '../connect/sessions.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { flowResponder, type FlowStep, type RespondToFlow } from '../pages/flow-responder.js';
import { unreadableBody } from '../plugins/contract-parsing.js';
import { browserRateLimit, type RateLimits } from './rate-limits.js';
import type { OperationTypes, RouteOptions } from './route-deps.js';

type ConnectRouteOptions = RouteOptions & { rateLimits: RateLimits; metrics: GatewayMetrics };

/** A flow route's failures before or outside its handler, answered the way the flow answers. */
const failuresOf =
  (respond: RespondToFlow, step: FlowStep) =>
  (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const failure = toProblem(error);
    if (failure.code === 'internal_error') request.log.error({ err: error }, `${step} failed`);
    respond(step, request, reply, { kind: 'failed', failure });
  };

export const connectRoutes: FastifyPluginAsync<ConnectRouteOptions> = async (app, { deps, rateLimits, metrics }) => {
  const respond = flowResponder({ secureCookies: deps.config.secureCookies, metrics });
  const limited = { rateLimit: browserRateLimit(rateLimits.browserPerMinute) };

  const handlers: Pick<RouteHandlers, 'launchConnect' | 'openConnectUrl' | 'connectCallback'> = {
    async launchConnect(request, reply) {
      const outcome = await launchFlow(deps, {
        queryCode: request.query?.launch,
        formCode: request.body?.launch,
        origin: request.headers.origin,
      });
      return respond('launch', request, reply, outcome);
    },
    async openConnectUrl(request, reply) {
      return respond('launch', request, reply, refuseNavigation());
    },
    async connectCallback(request, reply) {
      return respond('callback', request, reply, await finishCallback(deps, request.query ?? {}, request.cookies));
    },
  };

  // The launch reads HTML forms (application/x-www-form-urlencoded) and nothing else: its own scope, so the
  // form parser exists for this one route.
  await app.register(async (launch) => {
    launch.removeAllContentTypeParsers();
    launch.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
      // fromEntries defines own properties: a field named __proto__ stays a plain field.
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    launch.addContentTypeParser('*', (request, _payload, done) => done(unreadableBody(request), undefined));
    launch.post<OperationTypes<'launchConnect'>>(
      launchPath,
      {
        schema: { querystring: zLaunchConnectQuery, body: zLaunchConnectBody.optional() },
        config: limited,
        errorHandler: failuresOf(respond, 'launch'),
      },
      handlers.launchConnect,
    );
  });
  app.get<OperationTypes<'openConnectUrl'>>(launchPath, { config: limited, errorHandler: failuresOf(respond, 'launch') }, handlers.openConnectUrl);
  app.get<OperationTypes<'connectCallback'>>(
    deps.config.zoom.callbackPath,
    { schema: { querystring: zConnectCallbackQuery }, config: limited, errorHandler: failuresOf(respond, 'callback') },
    handlers.connectCallback,
  );
};
