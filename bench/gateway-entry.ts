// The gateway as src/server.ts starts it (startGateway: buildApp with its plugins and background jobs, from the
// environment's configuration), with two differences for a load test from one address: the rate limits are
// lifted, and Recall is a fast stub inside this process (bench/recall-stub.ts), reached over HTTP on 127.0.0.1
// like the real one. Built by bench/run.ts with esbuild into bench/.build/, and run with node: what is measured
// is the compiled gateway.
import { loadConfig } from '../src/config.js';
import { startGateway } from '../src/start-gateway.js';
import { serveIpc } from './child-ipc.js';
import { startRecallStub } from './recall-stub.js';

const stub = await startRecallStub({
  oauthAppId: process.env.RECALL_ZOOM_OAUTH_APP_ID ?? '',
  zoomClientId: process.env.ZOOM_CLIENT_ID ?? '',
  delayMs: Number(process.env.BENCH_STUB_DELAY_MS ?? 0),
});
const config = loadConfig({ ...process.env, RECALL_BASE_URL: stub.url });
const app = await startGateway(config, { rateLimits: { sessionsPerMinute: 1_000_000_000, browserPerMinute: 1_000_000_000 } });
const { port } = app.server.address() as { port: number };
serveIpc(
  port,
  async () => {
    await app.close();
    await stub.close();
  },
  { stubUrl: stub.url },
);
