// Delivering the outbox to WEBHOOK_URL (events/dispatcher.ts) as a plugin, when WEBHOOK_URL is set: polling from
// when the app is ready; closing the app stops polling and lets the deliveries in flight finish.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { webhookDeliverer } from '../events/delivery.js';
import { startOutboxDispatcher, type DispatcherSettings, type OutboxDispatcher } from '../events/dispatcher.js';

export interface WebhookOptions {
  /** How long one delivery may take. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface OutboxDispatcherOptions {
  /** Off in most tests; an object overrides the dispatcher's settings. */
  enabled?: boolean | (Partial<DispatcherSettings> & WebhookOptions);
}

export default fp(
  async (app: FastifyInstance, { enabled = false }: OutboxDispatcherOptions) => {
    const { config, store, now, log } = app.connectDeps;
    if (!enabled || !config.webhook) return;
    const { timeoutMs = 10_000, fetch, ...settings } = typeof enabled === 'object' ? enabled : {};
    const deliver = webhookDeliverer(config.webhook, { timeoutMs, fetch });
    let dispatcher: OutboxDispatcher | undefined;
    app.addHook('onReady', async () => {
      dispatcher = startOutboxDispatcher({ store, now, log, deliver, onAttempt: app.metrics.webhookAttempt }, settings);
    });
    app.addHook('onClose', async () => dispatcher?.stop());
  },
  { name: 'outbox-dispatcher', dependencies: ['connect-deps', 'metrics'] },
);
