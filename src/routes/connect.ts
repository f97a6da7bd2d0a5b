// Tag `connect`: the browser's side of the flow. Launch sends the browser to Zoom; the callback (at the
// path of ZOOM_REDIRECT_URI) finishes it. Both answer the browser where the app asked (pages/flow-answer.ts).
import type { FastifyPluginAsync } from 'fastify';
import type { RouteHandlers } from '../../generated/gateway/fastify.gen.js';
import { zConnectCallbackQuery, zLaunchConnectQuery } from '../../generated/gateway/zod.gen.js';
import { finishCallback } from '../connect/callback.js';
import { FlowProblem } from '../connect/flow-problem.js';
import { launchFlow } from '../connect/flow.js';
import { launchPath } from '../connect/sessions.js';
import { answerFlow, clearBindingCookie, setBindingCookie } from '../pages/flow-answer.js';
import { applyFlowHeaders } from '../pages/page-headers.js';
import { toProblem } from '../plugins/problems.js';
import { browserRateLimit, type RateLimits } from './rate-limits.js';
import type { OperationTypes, RouteOptions } from './route-deps.js';

export const connectRoutes: FastifyPluginAsync<RouteOptions & { rateLimits: RateLimits }> = async (app, { deps, rateLimits }) => {
  const secure = deps.config.secureCookies;
  const asFlowProblem = (error: unknown) => (error instanceof FlowProblem ? error : new FlowProblem(toProblem(error).code, toProblem(error).detail));

  const handlers: Pick<RouteHandlers, 'launchConnect' | 'connectCallback'> = {
    async launchConnect(request, reply) {
      try {
        const start = await launchFlow(deps, request.query.launch);
        setBindingCookie(reply, start.cookie, secure);
        applyFlowHeaders(reply);
        return reply.redirect(start.authorizeUrl, 302);
      } catch (error) {
        const problem = asFlowProblem(error);
        if (problem.code === 'internal_error') request.log.error({ err: error }, 'launch failed');
        return answerFlow(request, reply, problem.session, { ok: false, problem });
      }
    },

    async connectCallback(request, reply) {
      try {
        const outcome = await finishCallback(deps, request.query ?? {}, request.cookies);
        clearBindingCookie(reply, outcome.clearCookie, secure);
        if (outcome.kind === 'restarted') {
          setBindingCookie(reply, outcome.start.cookie, secure);
          applyFlowHeaders(reply);
          return reply.redirect(outcome.start.authorizeUrl, 302);
        }
        return answerFlow(request, reply, outcome.session, { ok: true, connectionId: outcome.connection.id });
      } catch (error) {
        const problem = asFlowProblem(error);
        // The flow's own failures are logged, with their cause, where they happen (connect/callback.ts).
        if (problem.code === 'internal_error' && !(error instanceof FlowProblem)) request.log.error({ err: error }, 'callback failed');
        clearBindingCookie(reply, problem.clearCookie, secure);
        return answerFlow(request, reply, problem.session, { ok: false, problem });
      }
    },
  };

  const limited = { rateLimit: browserRateLimit(rateLimits.browserPerMinute) };
  app.get<OperationTypes<'launchConnect'>>(launchPath, { schema: { querystring: zLaunchConnectQuery }, config: limited }, handlers.launchConnect);
  app.get<OperationTypes<'connectCallback'>>(
    deps.config.zoom.callbackPath,
    { schema: { querystring: zConnectCallbackQuery }, config: limited },
    handlers.connectCallback,
  );
};
