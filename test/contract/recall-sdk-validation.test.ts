// The generated Recall SDK validates request bodies with zod before anything leaves: a broken create must
// never reach Prism, whose answer to an invalid request is the operation's first 400 example, a body that
// could pass for a real Recall outcome.
import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { createClient, createConfig } from '../../generated/recall/client/index.js';
import { createZoomOauthCredential } from '../../generated/recall/sdk.gen.js';
import type { ZoomOauthCredentialCreate } from '../../generated/recall/types.gen.js';

function recordingClient() {
  const sent: Request[] = [];
  const client = createClient(
    createConfig({
      baseUrl: 'http://127.0.0.1:9',
      headers: { Authorization: 'Token test-key' },
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
        sent.push(new Request(input, init));
        return new Response('{}', { status: 201, headers: { 'content-type': 'application/json' } });
      },
    }),
  );
  return { client, sent };
}

const valid: ZoomOauthCredentialCreate = {
  oauth_app: '9a03bb66-31f6-4272-8074-38c7c675ecb0',
  authorization_code: { code: 'zoom-code', redirect_uri: 'https://connect.example.com/v1/connect/zoom/callback' },
};

describe('the generated Recall SDK', () => {
  it.each([
    ['an oauth_app that is not a uuid', { ...valid, oauth_app: 'not-a-uuid' }],
    ['a missing authorization code', { oauth_app: valid.oauth_app, authorization_code: { redirect_uri: valid.authorization_code.redirect_uri } }],
    ['an empty code', { ...valid, authorization_code: { ...valid.authorization_code, code: '' } }],
    ['a redirect_uri that is not a URI', { ...valid, authorization_code: { ...valid.authorization_code, redirect_uri: 'not a uri' } }],
  ])('rejects %s before any request leaves', async (_, body) => {
    const { client, sent } = recordingClient();
    await expect(createZoomOauthCredential({ client, body: body as ZoomOauthCredentialCreate })).rejects.toBeInstanceOf(ZodError);
    expect(sent).toHaveLength(0);
  });

  it('sends a valid create with the Token authorization header and the body as given', async () => {
    const { client, sent } = recordingClient();
    await createZoomOauthCredential({ client, body: valid });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.method).toBe('POST');
    expect(sent[0]!.url).toBe('http://127.0.0.1:9/api/v2/zoom-oauth-credentials/');
    expect(sent[0]!.headers.get('authorization')).toBe('Token test-key');
    expect(await sent[0]!.json()).toEqual(valid);
  });
});
