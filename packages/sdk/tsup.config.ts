import { defineConfig } from 'tsup';

// The shared contracts (@mna/shared, private to the workspace) are bundled in, JavaScript and
// declarations alike, so the published package depends only on zod and standardwebhooks.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  platform: 'neutral',
  target: 'es2022',
  dts: { resolve: true },
  noExternal: [/^@mna\//],
  external: ['zod', 'standardwebhooks'],
  clean: true,
  sourcemap: true,
  treeshake: true,
});
