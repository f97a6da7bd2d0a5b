// The binding cookie ties a flow to the browser that started it (RFC 9700 §4.7.1). Each flow has its own
// cookie, named after the flow, so two flows started in two tabs can both finish. The __Host- prefix (with
// Secure and Path=/) stops a subdomain from planting one; it needs https, so plain-http setups (local
// development) use the bare name, or the browser would drop the cookie: the most common "invalid state".
export interface BindingCookie {
  name: string;
  value: string;
  maxAgeS: number;
}

export const bindingCookieName = (flowId: string, secure: boolean) => `${secure ? '__Host-zcg-flow' : 'zcg-flow'}-${flowId}`;

/** The attributes every binding cookie is set (and cleared) with. */
export const bindingCookieAttributes = (secure: boolean) => ({ httpOnly: true, sameSite: 'lax' as const, path: '/', secure });
