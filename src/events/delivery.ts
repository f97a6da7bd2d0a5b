// One delivery attempt: the body signed the Standard Webhooks way (webhook-id, webhook-timestamp,
// webhook-signature over "id.timestamp.body" with the whsec_ key) and POSTed to WEBHOOK_URL.
import { Webhook } from 'standardwebhooks';

export interface WebhookTarget {
  url: string;
  /** whsec_<base64 key> */
  secret: string;
}

export type DeliveryOutcome = { delivered: true } | { delivered: false; error: string };

export interface Deliverer {
  (attempt: { id: string; body: string; signedAt: Date }): Promise<DeliveryOutcome>;
}

export function webhookDeliverer(target: WebhookTarget, options: { timeoutMs: number; fetch?: typeof fetch }): Deliverer {
  const signer = new Webhook(target.secret);
  const send = options.fetch ?? globalThis.fetch;
  return async ({ id, body, signedAt }) => {
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'zoom-connect-gateway',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(signedAt.getTime() / 1000)),
      'webhook-signature': signer.sign(id, signedAt, body),
    };
    try {
      // A redirect is not an acknowledgement (Standard Webhooks): it is retried like any other failure.
      const response = await send(target.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs) });
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return { delivered: true };
      return { delivered: false, error: `HTTP ${response.status}` };
    } catch (error) {
      return { delivered: false, error: describeFailure(error) };
    }
  };
}

/** What went wrong, without the URL (it may carry a token) or anything of the body. */
function describeFailure(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timeout';
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
  return code ?? (cause instanceof Error ? cause.name : 'network error');
}
