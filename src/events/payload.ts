// An outbox event as its receiver gets it: the body gateway.yaml describes under `webhooks:` (GatewayEvent),
// from the stored body and the outbox row's id and time. Every shape the outbox ever held is read here: the
// versioned bodies (bodies.ts), and the store's records of events that gateways before version 1 wrote
// (legacy-payload.ts), which a rolling upgrade may still be writing. The stored body never changes, so every
// retry sends the same body.
import type { GatewayEvent } from '../../generated/gateway/types.gen.js';
import type { OutboxEvent } from '../store/store.js';
import type { EventBodyV1 } from './bodies.js';
import { isLegacyPayload, legacyEventData } from './legacy-payload.js';

/** A stored body this gateway cannot read: written by a newer one (a later `v`), or damaged. */
export class UnreadableEventError extends Error {
  override readonly name = 'UnreadableEventError';
}

export function eventBody({ id, createdAt: timestamp, type, body }: OutboxEvent): GatewayEvent {
  if (isVersion1(body)) {
    const { v: _version, ...event } = body;
    return { id, timestamp, ...event } as GatewayEvent;
  }
  if (isLegacyPayload(body)) return { id, timestamp, ...legacyEventData(body) } as GatewayEvent;
  const version = isRecord(body) && 'v' in body ? `version ${String(body.v)}` : 'no known shape';
  throw new UnreadableEventError(`The stored ${type} event ${id} has ${version}; a newer gateway must deliver it.`);
}

function isVersion1(body: unknown): body is EventBodyV1 {
  return isRecord(body) && body.v === 1 && typeof body.type === 'string' && isRecord(body.data);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
