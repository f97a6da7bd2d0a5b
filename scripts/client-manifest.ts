// The package.json of the client package (dist/client/package.json), written by `npm run build`. Its version
// is the gateway's (the root package.json), so a client and the gateway it was generated from share a number.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const clientPackageName = '@zoom-connect-gateway/client';

/** The package's entries: the name an app imports -> the built file, without its extension. */
export const clientEntries = { '.': 'index', './sdk': 'sdk', './react-query': 'react-query' } as const;

export async function clientManifest(root: string): Promise<Record<string, unknown>> {
  const gateway = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string; license: string };
  const exports = Object.fromEntries(
    Object.entries(clientEntries).map(([entry, file]) => [entry, { types: `./${file}.d.ts`, default: `./${file}.js` }]),
  );
  return {
    name: clientPackageName,
    version: gateway.version,
    description: "Connect end users' Zoom accounts through the Zoom Connect Gateway: browser helper, typed fetch SDK, TanStack Query options",
    license: gateway.license,
    type: 'module',
    sideEffects: false,
    exports: { ...exports, './package.json': './package.json' },
    // No `dependencies`: the generated fetch client is bundled in. TanStack Query only for ./react-query.
    peerDependencies: { '@tanstack/react-query': '^5.0.0' },
    peerDependenciesMeta: { '@tanstack/react-query': { optional: true } },
  };
}
