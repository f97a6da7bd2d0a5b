// gateway.yaml describes every event the gateway sends: one `webhooks` entry per event type, with the
// Standard Webhooks headers, a body schema and valid, named examples; and every event the domain publishes
// (src/events/bodies.ts) is delivered (eventBody) as exactly such a body.
import { describe, expect, it } from 'vitest';
import { connectFailed, connectionCreated, connectionDeleted, connectionReauthorized, connectionStatusChanged } from '../../src/events/bodies.js';
import { eventBody } from '../../src/events/payload.js';
import type { ConnectionRecord, OutboxEntry } from '../../src/store/store.js';
import { deref, loadSpec, pointer, schemaValidator } from '../support/spec.js';

type Json = Record<string, any>;
const doc = loadSpec('gateway') as Json;
const validate = schemaValidator(doc);
const eventTypes: string[] = doc.components.schemas.EventType.enum;

const connection: ConnectionRecord = {
  id: '4514327a-fb47-471b-a0b3-4f1f2300723a',
  endUserId: 'user_42',
  status: 'connected',
  recallCredentialId: '3e61f7a6-1983-4b88-8a75-c5078831ee16',
  recallStatus: 'healthy',
  zoomUserId: '85bc3ZZhXp48OwjsJzJpXQ',
  zoomAccountId: null,
  meetingSyncStatus: 'completed',
  createdAt: '2025-06-18T14:02:38.120Z',
  updatedAt: '2025-06-18T14:02:38.120Z',
  lastCheckedAt: '2025-06-18T14:02:38.120Z',
  reauthReason: null,
};
const storeEvents: OutboxEntry[] = [
  connectionCreated(connection),
  connectionReauthorized({ ...connection, zoomUserId: 'nIUvkgzzrl5eiNpANtL90A' }, connection),
  connectionStatusChanged('connected', { ...connection, status: 'needs_reauth', recallStatus: 'unhealthy' }),
  connectionDeleted(connection),
  connectFailed('user_42', null, 'recall_invalid_grant'),
];

describe('the webhooks of gateway.yaml', () => {
  it('has one entry per event type, named after it', () => {
    expect(Object.keys(doc.webhooks).sort()).toEqual([...eventTypes].sort());
  });

  it.each(eventTypes)('describes %s: signature headers, a body whose type is the event name, named valid examples', (type) => {
    const operation = doc.webhooks[type].post as Json;
    expect(operation.tags).toEqual(['events']);
    const headers = (operation.parameters as Json[]).map((raw) => deref(doc, raw, '').node).map((p) => [p.in, p.name, p.required]);
    expect(headers).toEqual([
      ['header', 'webhook-id', true],
      ['header', 'webhook-timestamp', true],
      ['header', 'webhook-signature', true],
    ]);
    const media = operation.requestBody.content['application/json'];
    const schema = deref(doc, media.schema, '').node as Json;
    expect(schema.properties.type.const).toBe(type);
    const examples = Object.entries(media.examples as Json);
    expect(examples.length).toBeGreaterThan(0);
    for (const [name, raw] of examples) {
      const value = deref(doc, raw, '').node.value as Json;
      expect(value.type, name).toBe(type);
      expect(validate(pointer('webhooks', type, 'post', 'requestBody', 'content', 'application/json', 'schema'), value), name).toEqual([]);
    }
  });

  it('lists every event body under GatewayEvent', () => {
    const mapping = doc.components.schemas.GatewayEvent.discriminator.mapping as Record<string, string>;
    expect(Object.keys(mapping).sort()).toEqual([...eventTypes].sort());
  });

  it.each(storeEvents.map((event) => [event.type, event] as const))('gets a %s body from eventBody that matches its schema', (type, event) => {
    const stored = JSON.parse(JSON.stringify(event.body)) as unknown;
    const body = eventBody({
      id: 'evt_6f1c0b8e2d4a4c7f9e3b5a1d0c8e7f62',
      seq: 1,
      type,
      body: stored,
      createdAt: '2025-06-18T14:02:38.120Z',
      attempts: 0,
    });
    expect(body.type).toBe(type);
    expect(validate(pointer('webhooks', type, 'post', 'requestBody', 'content', 'application/json', 'schema'), body)).toEqual([]);
  });

  it('covers every event type with a store event', () => {
    expect(storeEvents.map((event) => event.type).sort()).toEqual([...eventTypes].sort());
  });
});
