import { defineConfig } from 'tsup';

// Bundles the app with the workspace's TypeScript packages; npm dependencies stay external.
export default defineConfig({
  entry: ['src/main.ts', 'src/worker.ts'],
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  clean: true,
  sourcemap: true,
  noExternal: [/^@mna\//],
});
