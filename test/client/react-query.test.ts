// For React teams: the TanStack Query options the client package ships (./react-query, generated into
// generated/gateway-sdk/@tanstack/) compile against @tanstack/react-query's hooks with the spec's types (checked
// by `npm run typecheck`, as test/ is part of it), and run through a real QueryClient against the Prism mock.
import { QueryClient, useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  deleteMyConnectionMutation,
  getMyConnectionOptions,
  getMyConnectionQueryKey,
  listConnectionsInfiniteOptions,
} from '../../generated/gateway-sdk/@tanstack/react-query.gen.js';
import { createClient, createConfig } from '../../generated/gateway-sdk/client/index.js';
import type { Connection, ConnectionPage, GetMyConnectionError, Problem, ProblemCode } from '../../generated/gateway-sdk/types.gen.js';
import { usePrism } from '../support/prism.js';

// Never rendered: a component as a React team would write it, for the compiler to check.
export function ZoomStatus({ token }: { token: string }): string {
  const headers = { Authorization: `Bearer ${token}` };
  const connection = useQuery({ ...getMyConnectionOptions({ headers }), retry: false });
  expectTypeOf(connection.data).toEqualTypeOf<Connection | undefined>();
  expectTypeOf(connection.error).toEqualTypeOf<GetMyConnectionError | null>();
  expectTypeOf<GetMyConnectionError>().toEqualTypeOf<Problem>();

  const disconnect = useMutation(deleteMyConnectionMutation({ headers }));
  expectTypeOf(disconnect.mutate).parameter(0).toHaveProperty('headers');
  // @ts-expect-error GET /v1/me/connection takes no path parameters
  getMyConnectionOptions({ path: { id: 'x' } });
  expectTypeOf(connection.error?.code).toEqualTypeOf<ProblemCode | undefined>();

  if (connection.data?.status === 'connected') return `Connected: ${connection.data.zoom_user_id ?? connection.data.zoom_account_id}`;
  return connection.error?.code === 'not_connected' ? 'Not connected' : 'Loading';
}

export function ConnectionList({ apiKey }: { apiKey: string }): number {
  const list = useInfiniteQuery({
    ...listConnectionsInfiniteOptions({ headers: { Authorization: `Bearer ${apiKey}` }, query: { limit: 10, status: 'needs_reauth' } }),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  expectTypeOf(list.data!.pages).toEqualTypeOf<ConnectionPage[]>();
  // @ts-expect-error status filters by the spec's enum
  listConnectionsInfiniteOptions({ query: { status: 'broken' } });
  return list.data?.pages.length ?? 0;
}

describe('the generated TanStack Query options against the Prism mock of gateway.yaml', () => {
  const prism = usePrism('gateway');
  const options = (prefer?: string) => ({
    client: createClient(createConfig({ baseUrl: prism.url })),
    headers: { Authorization: 'Bearer demo-session-token', ...(prefer ? { Prefer: prefer } : {}) },
  });

  it('fetches my connection through a QueryClient, keyed by the operation', async () => {
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const connection = await queryClient.fetchQuery(getMyConnectionOptions(options()));
    expect(connection).toMatchObject({ id: '4514327a-fb47-471b-a0b3-4f1f2300723a', status: 'connected' });
    expect(getMyConnectionQueryKey(options())[0]).toMatchObject({ _id: 'getMyConnection', baseUrl: prism.url });
  });

  it("rejects with the spec's problem when there is no connection", async () => {
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const error = await queryClient.fetchQuery(getMyConnectionOptions(options('code=404, example=not_connected'))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'not_connected', status: 404 });
  });

  it('disconnects through the mutation options, and rejects with the problem when there is nothing to delete', async () => {
    const mutation = deleteMyConnectionMutation();
    await mutation.mutationFn!(options(), undefined as never);
    await expect(mutation.mutationFn!(options('code=404, example=not_connected'), undefined as never)).rejects.toMatchObject({
      code: 'not_connected',
    });
  });
});
