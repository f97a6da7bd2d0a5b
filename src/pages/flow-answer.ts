// How the browser flow answers, in one place: where the app asked (303 to return_to, or the popup's
// message to return_to's origin), otherwise a small page, or problem+json for a client that asks for JSON.
import '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bindingCookieAttributes, type BindingCookie } from '../connect/binding-cookie.js';
import type { FlowProblem } from '../connect/flow-problem.js';
import { problemBody } from '../connect/problems.js';
import { returnToWithResult } from '../connect/return-to.js';
import type { ConnectSessionRecord } from '../store/store.js';
import { applyFlowHeaders, applyPageHeaders } from './page-headers.js';
import { renderResultPage } from './result-page.js';

type Result = { ok: true; connectionId: string } | { ok: false; problem: FlowProblem };

const prefersJson = (request: FastifyRequest) => {
  const accept = request.headers.accept ?? '';
  return /application\/(problem\+)?json/.test(accept) && !/text\/html/.test(accept);
};

export function setBindingCookie(reply: FastifyReply, cookie: BindingCookie, secure: boolean): void {
  reply.setCookie(cookie.name, cookie.value, { ...bindingCookieAttributes(secure), maxAge: cookie.maxAgeS });
}

export function clearBindingCookie(reply: FastifyReply, name: string | undefined, secure: boolean): void {
  if (name) reply.clearCookie(name, bindingCookieAttributes(secure));
}

export function answerFlow(request: FastifyRequest, reply: FastifyReply, session: ConnectSessionRecord | undefined, result: Result): FastifyReply {
  applyFlowHeaders(reply);
  const status = result.ok ? 200 : result.problem.status;
  const resultQuery: Record<string, string> = result.ok
    ? { zoom_connect: 'connected', connection_id: result.connectionId }
    : { zoom_connect: 'error', error: result.problem.code };
  if (session?.returnTo && session.mode === 'redirect') {
    return reply.redirect(returnToWithResult(session.returnTo, resultQuery), 303);
  }
  if (!result.ok && !session?.returnTo && prefersJson(request)) {
    return reply.code(status).type('application/problem+json').send(problemBody(result.problem.code, result.problem.detail));
  }
  const { nonce } = applyPageHeaders(reply);
  const page = renderResultPage({
    nonce,
    popupOrigin: session?.mode === 'popup' && session.returnTo ? new URL(session.returnTo).origin : undefined,
    noOpenerUrl: session?.mode === 'popup' && session.returnTo ? returnToWithResult(session.returnTo, resultQuery) : undefined,
    message: result.ok
      ? { ok: true, connection_id: result.connectionId, error: null }
      : { ok: false, connection_id: null, error: result.problem.code },
    title: result.ok ? 'Zoom is connected' : 'Zoom was not connected',
    detail: result.ok ? 'Your Zoom account is now connected.' : result.problem.detail,
  });
  return reply.code(status).type('text/html; charset=utf-8').send(page);
}
