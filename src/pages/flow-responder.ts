// The one place the browser flow's outcomes (connect/flow-outcome.ts) become answers: it sets and clears the
// binding cookies, sends the browser to Zoom, back where the app asked (303 to return_to, or the popup's
// message to return_to's origin), or shows a small page (problem+json for a client that asks for JSON), and
// counts the outcome it was given. Nothing reads an answer back to learn what happened.
import '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clearBindingCookie, setBindingCookie } from '../connect/binding-cookie.js';
import type { FlowFailure, FlowOutcome } from '../connect/flow-outcome.js';
import { problemBody, problemStatus } from '../connect/problems.js';
import { returnToWithResult } from '../connect/return-to.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { applyProblemHeaders } from '../plugins/problems.js';
import type { ConnectSessionRecord } from '../store/store.js';
import { applyFlowHeaders, applyPageHeaders } from './page-headers.js';
import { renderResultPage } from './result-page.js';

/** Which step answers: the launch (connect_url) or the callback. */
export type FlowStep = 'launch' | 'callback';

export type RespondToFlow = (step: FlowStep, request: FastifyRequest, reply: FastifyReply, outcome: FlowOutcome) => FastifyReply;

type Result = { ok: true; connectionId: string } | { ok: false; failure: FlowFailure };

// JSON only for a client that asks for it and not for HTML: a browser's navigation asks for HTML.
const prefersJson = (request: FastifyRequest) => {
  const accept = request.headers.accept ?? '';
  return /application\/(problem\+)?json/.test(accept) && !/text\/html/.test(accept);
};

/** The metric's label: started, restarted, connected, replayed, or the problem code. */
function metricLabel(outcome: FlowOutcome): string {
  if (outcome.kind === 'connected') return outcome.replayed ? 'replayed' : 'connected';
  if (outcome.kind === 'failed' || outcome.kind === 'refused') return outcome.failure.code;
  return outcome.kind;
}

export function flowResponder(options: { secureCookies: boolean; metrics: GatewayMetrics }): RespondToFlow {
  const { secureCookies, metrics } = options;
  return (step, request, reply, outcome) => {
    if (step === 'launch') metrics.flowStarted(metricLabel(outcome));
    else metrics.flowFinished(metricLabel(outcome));
    if ('clearCookie' in outcome && outcome.clearCookie) clearBindingCookie(reply, outcome.clearCookie, secureCookies);
    switch (outcome.kind) {
      case 'started':
      case 'restarted':
        setBindingCookie(reply, outcome.start.cookie, secureCookies);
        applyFlowHeaders(reply);
        // 303 turns the launch's POST into a GET at Zoom; the callback is a GET already (302, as before).
        return reply.redirect(outcome.start.authorizeUrl, outcome.kind === 'started' ? 303 : 302);
      case 'connected':
        return answer(request, reply, outcome.session, { ok: true, connectionId: outcome.connectionId });
      case 'refused':
        return answer(request, reply, undefined, { ok: false, failure: outcome.failure });
      case 'failed':
        return answer(request, reply, outcome.session, { ok: false, failure: outcome.failure });
    }
  };
}

function answer(request: FastifyRequest, reply: FastifyReply, session: ConnectSessionRecord | undefined, result: Result): FastifyReply {
  applyFlowHeaders(reply);
  if (!result.ok) applyProblemHeaders(reply, result.failure.code);
  const status = result.ok ? 200 : problemStatus(result.failure.code);
  const resultQuery: Record<string, string> = result.ok
    ? { zoom_connect: 'connected', connection_id: result.connectionId }
    : { zoom_connect: 'error', error: result.failure.code };
  if (session?.returnTo && session.mode === 'redirect') {
    return reply.redirect(returnToWithResult(session.returnTo, resultQuery), 303);
  }
  if (!result.ok && !session?.returnTo && prefersJson(request)) {
    const { code, detail, errors } = result.failure;
    return reply
      .code(status)
      .type('application/problem+json')
      .send(problemBody(code, detail, errors ? { errors } : {}));
  }
  const { nonce } = applyPageHeaders(reply);
  const popup = session?.mode === 'popup' && session.returnTo ? session.returnTo : undefined;
  const page = renderResultPage({
    nonce,
    popupOrigin: popup ? new URL(popup).origin : undefined,
    noOpenerUrl: popup ? returnToWithResult(popup, resultQuery) : undefined,
    message: result.ok
      ? { ok: true, connection_id: result.connectionId, error: null }
      : { ok: false, connection_id: null, error: result.failure.code },
    title: result.ok ? 'Zoom is connected' : 'Zoom was not connected',
    detail: result.ok ? 'Your Zoom account is now connected.' : result.failure.detail,
  });
  return reply.code(status).type('text/html; charset=utf-8').send(page);
}
