// A webhook receiver for tests, as an app's backend would write one: a plain node:http server on 127.0.0.1
// that verifies every delivery with the standardwebhooks library before it trusts the body. It can answer an
// error or be down (its port closed), then come back on the same URL.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { GatewayEvent } from '../../generated/gateway/types.gen.js';

export interface Delivery {
  id: string;
  timestamp: string;
  event: GatewayEvent;
  /** The status the receiver answered. */
  answered: number;
}

export interface Receiver {
  readonly url: string;
  /** Every verified delivery, duplicates and refused ones included, in arrival order. */
  readonly deliveries: Delivery[];
  /** Deliveries whose signature did not verify (never expected). */
  readonly forged: string[];
  /** The status to answer verified deliveries with (200 by default). */
  status: number;
  /** The events acknowledged (2xx), each once (duplicates dropped by webhook-id), in order. */
  acknowledged(): GatewayEvent[];
  /** Closes the port: the gateway's connections are refused. */
  down(): Promise<void>;
  /** Listens again, on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(secret: string): Promise<Receiver> {
  const verifier = new Webhook(secret);
  const deliveries: Delivery[] = [];
  const forged: string[] = [];
  let port = 0;
  let server: Server | undefined;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const created = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
          try {
            const event = verifier.verify(body, headers) as GatewayEvent;
            deliveries.push({ id: headers['webhook-id']!, timestamp: headers['webhook-timestamp']!, event, answered: receiver.status });
            response.writeHead(receiver.status).end();
          } catch (error) {
            forged.push(`${headers['webhook-id']}: ${(error as Error).message}`);
            response.writeHead(400).end();
          }
        });
      });
      created.once('error', reject);
      created.listen(port, '127.0.0.1', () => {
        port = (created.address() as AddressInfo).port;
        server = created;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
      server = undefined;
    });

  await listen();
  const receiver: Receiver = {
    get url() {
      return `http://127.0.0.1:${port}/hooks/zoom`;
    },
    deliveries,
    forged,
    status: 200,
    acknowledged() {
      const seen = new Set<string>();
      return deliveries
        .filter((delivery) => delivery.answered >= 200 && delivery.answered < 300)
        .filter((delivery) => !seen.has(delivery.id) && Boolean(seen.add(delivery.id)))
        .map((delivery) => delivery.event);
    },
    down: stop,
    up: listen,
    close: stop,
  };
  return receiver;
}
