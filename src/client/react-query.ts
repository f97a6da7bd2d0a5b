// The package's `./react-query` entry: hey-api's TanStack Query options for every operation of gateway.yaml
// (@tanstack/react-query is an optional peer dependency). They call the SDK's default `client`, re-exported
// here: it is the same object as `./sdk`'s (one shared module in the build), so one `client.setConfig` serves both.
export * from '../../generated/gateway-sdk/@tanstack/react-query.gen.js';
export { client } from '../../generated/gateway-sdk/client.gen.js';
export { createClient, createConfig, type Client, type Config } from '../../generated/gateway-sdk/client/index.js';
export type * from '../../generated/gateway-sdk/types.gen.js';
