import { describe, expect, it, vi } from 'vitest';
import { useGateway } from '../support/gateway.js';

describe('health', () => {
  const gateway = useGateway();

  it('answers /healthz with 200 {status: ok}', async () => {
    const response = await gateway.request({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 ready when the store answers', async () => {
    const response = await gateway.request({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', checks: { store: 'ok', config: 'ok', load: 'ok' } });
  });

  it('answers /readyz with 503 not_ready and store failing when the store cannot be reached', async () => {
    vi.spyOn(gateway.store, 'ping').mockRejectedValue(new Error('SQLITE_CANTOPEN'));
    const response = await gateway.request({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'not_ready', checks: { store: 'failing', config: 'ok', load: 'ok' } });
  });

  it('keeps /healthz at 200 while the store fails: liveness checks nothing else', async () => {
    vi.spyOn(gateway.store, 'ping').mockRejectedValue(new Error('SQLITE_CANTOPEN'));
    expect((await gateway.request({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('answers /readyz 503 when the store is closed', async () => {
    await gateway.store.close();
    const response = await gateway.request({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json().checks.store).toBe('failing');
  });
});
