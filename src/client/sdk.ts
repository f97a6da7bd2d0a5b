// The package's `./sdk` entry, for the app's backend: hey-api's fetch SDK for every operation of gateway.yaml
// (generated/gateway-sdk: no zod, so the package has no runtime dependency, and no base URL baked in), plus
// createGatewayClient, which names the gateway and its API key once and hands back the operations bound to
// that client. Never import it with an API key into a browser bundle: the key is the app backend's secret.
import { createClient, createConfig, type Client, type Config } from '../../generated/gateway-sdk/client/index.js';
import { apiKeyOperations } from '../../generated/gateway-sdk/api-key-operations.gen.js';
import * as operations from '../../generated/gateway-sdk/sdk.gen.js';

export * from '../../generated/gateway-sdk/sdk.gen.js';
export { client } from '../../generated/gateway-sdk/client.gen.js';
export { createClient, createConfig, type Client, type Config } from '../../generated/gateway-sdk/client/index.js';
export type * from '../../generated/gateway-sdk/types.gen.js';

export interface GatewayClientOptions extends Omit<Config, 'auth' | 'baseUrl'> {
  /** The gateway's PUBLIC_URL, e.g. `https://connect.example.com`. */
  baseUrl: string;
  /** One of the gateway's GATEWAY_API_KEYS, sent as `Authorization: Bearer` to the operations secured by it, and only to them. */
  apiKey: string;
}

/** Every operation of gateway.yaml, already talking to one gateway with one API key. */
export type GatewayClient = typeof operations & {
  /** The hey-api client underneath the API-key operations (interceptors, `setConfig`). */
  readonly client: Client;
};

type Operation = (options?: { client?: Client }) => unknown;

export function createGatewayClient({ baseUrl, apiKey, ...config }: GatewayClientOptions): GatewayClient {
  // The key goes only to the operations gateway.yaml secures with it (apiKey): hey-api would hand `auth` to
  // every secured operation, and the session-token and binding-cookie operations are secured too, so a key
  // given to them would travel as a session bearer or a cookie. The others get a client without it.
  const client = createClient(createConfig({ ...config, baseUrl, auth: apiKey }));
  const withoutKey = createClient(createConfig({ ...config, baseUrl }));
  const takesKey = new Set<string>(apiKeyOperations);
  const bound = Object.entries(operations).map(([name, operation]) => [
    name,
    (options?: { client?: Client }) => (operation as Operation)({ client: takesKey.has(name) ? client : withoutKey, ...options }),
  ]);
  return { ...(Object.fromEntries(bound) as typeof operations), client };
}
