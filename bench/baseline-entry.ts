// The baselines, measured in the same run as the gateway and in a process of their own like it:
// - `bare`: a bare Fastify route answering a connection-shaped JSON object (no validation, no store, no plugins);
// - `oauth2`: @fastify/oauth2's start-redirect route with PKCE S256, the peer a team would otherwise pick to send
//   users to Zoom: it makes a state and a verifier, sets two cookies and redirects, storing nothing server side.
// Usage: node bench/.build/baseline.mjs bare|oauth2
import oauth2, { type FastifyOAuth2Options } from '@fastify/oauth2';
import Fastify from 'fastify';
import { serveIpc } from './child-ipc.js';

const connection = {
  id: '4514327a-fb47-471b-a0b3-4f1f2300723a',
  end_user_id: 'user_42',
  status: 'connected',
  recall_credential_id: '3e61f7a6-1983-4b88-8a75-c5078831ee16',
  recall_status: 'healthy',
  zoom_user_id: '85bc3ZZhXp48OwjsJzJpXQ',
  zoom_account_id: null,
  meeting_sync_status: 'completed',
  created_at: '2025-06-18T14:00:00.000Z',
  updated_at: '2025-06-18T14:00:00.000Z',
  last_checked_at: '2025-06-18T14:00:00.000Z',
};

const mode = process.argv[2];
const app = Fastify();
app.get('/ready', async () => ({ status: 'ready' }));
if (mode === 'bare') {
  app.get('/bare', async () => connection);
} else if (mode === 'oauth2') {
  const options: FastifyOAuth2Options = {
    name: 'zoomOAuth2',
    scope: [],
    credentials: {
      client: { id: 'slSJlqiDrYRufiuCxVlIuQ', secret: 'bench-client-secret' },
      auth: { authorizeHost: 'https://zoom.us', authorizePath: '/oauth/authorize', tokenHost: 'https://zoom.us', tokenPath: '/oauth/token' },
    },
    startRedirectPath: '/login/zoom',
    callbackUri: 'http://127.0.0.1:3000/v1/connect/zoom/callback',
    pkce: 'S256',
  };
  await app.register(oauth2, options);
} else {
  throw new Error('usage: baseline.mjs bare|oauth2');
}
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
serveIpc((app.server.address() as { port: number }).port, () => app.close());
