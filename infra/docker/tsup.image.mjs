// tsup config for the container images, used as `tsup --config ../../infra/docker/tsup.image.mjs` from an
// app's directory. It bundles only the workspace's TypeScript packages (@mna/*); every npm package stays
// external and is resolved from the flat node_modules that `pnpm deploy --config.node-linker=hoisted`
// writes, so a CommonJS dependency is never half-bundled. Entries are the app's server, its worker and
// its migration command, whichever exist. Plain .mjs without imports from tsup: the build stage runs
// it before anything outside the app is installed.
import { existsSync } from 'node:fs';

const entries = { main: 'src/main.ts', worker: 'src/worker.ts', migrate: 'src/db/migrate.ts' };

export default {
  entry: Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file))),
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  clean: true,
  sourcemap: true,
  noExternal: [/^@mna\//],
  external: [/^(?!@mna\/)(@[^/]+\/)?[^./][^/]*/],
};
