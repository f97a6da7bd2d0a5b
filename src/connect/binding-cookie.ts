// The binding cookie ties a flow to the browser that started it (RFC 9700 §4.7.1), and this module is the only
// place that knows it: its name, its attributes, and how it is set, cleared and read. Each flow has its own
// cookie, named after the flow, so two flows started in two tabs can both finish. The __Host- prefix (with
// Secure and Path=/) stops a subdomain from planting one; it needs https, so plain-http setups (local
// development) use the bare name, or the browser would drop the cookie: the most common "invalid state".
//
// SameSite=Lax is enough even when the app's page is on another site than the gateway: the cookie is set on
// the answer to the launch (a top-level navigation) and comes back on Zoom's top-level GET redirect to the
// callback, which Lax allows; a cross-site subresource or POST never carries it.

export interface BindingCookie {
  name: string;
  value: string;
  maxAgeS: number;
}

export interface BindingCookieAttributes {
  httpOnly: true;
  sameSite: 'lax';
  path: '/';
  secure: boolean;
}

/**
 * What the cookie is written to: a reply (Fastify's satisfies it, with @fastify/cookie). Structural, so the
 * flow stays free of Fastify.
 */
export interface CookieWriter {
  setCookie(name: string, value: string, options: BindingCookieAttributes & { maxAge: number }): unknown;
  clearCookie(name: string, options: BindingCookieAttributes): unknown;
}

export const bindingCookieName = (flowId: string, secure: boolean) => `${secure ? '__Host-zcg-flow' : 'zcg-flow'}-${flowId}`;

const attributes = (secure: boolean): BindingCookieAttributes => ({ httpOnly: true, sameSite: 'lax', path: '/', secure });

export function setBindingCookie(reply: CookieWriter, cookie: BindingCookie, secure: boolean): void {
  reply.setCookie(cookie.name, cookie.value, { ...attributes(secure), maxAge: cookie.maxAgeS });
}

/** Cleared with the attributes it was set with, or the browser keeps it. */
export function clearBindingCookie(reply: CookieWriter, name: string, secure: boolean): void {
  reply.clearCookie(name, attributes(secure));
}

/** The value this browser holds for the flow's cookie, if any. */
export function readBindingCookie(cookies: Record<string, string | undefined>, flowId: string, secure: boolean): string | undefined {
  return cookies[bindingCookieName(flowId, secure)];
}
