// `npm run build:electron`: bundles the Electron shells with esbuild, no Electron binary needed.
//   electron/main.ts    → dist-electron/main.js     ESM (the host uses import.meta.url); packages
//                                                   from node_modules stay external, and so does
//                                                   the native kernel (../native/index.js)
//   electron/preload.ts → dist-electron/preload.cjs one CommonJS file with everything inlined
//                                                   but 'electron', as a sandboxed preload needs
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist-electron');
const nativeDir = path.join(root, 'native');

/**
 * Keeps the napi-rs kernel (native/index.js and its .node addon) out of the bundle, imported
 * from its place in the repository, relative to dist-electron/.
 */
const nativeExternal = {
  name: 'native-external',
  setup(b) {
    b.onResolve({ filter: /(^|\/)native(\/index(\.js)?)?$/ }, (args) => {
      const target = path.resolve(args.resolveDir, args.path);
      const dir = target.endsWith('.js') ? path.dirname(target) : target;
      if (dir !== nativeDir) return undefined;
      const relative = path.relative(outdir, path.join(nativeDir, 'index.js')).split(path.sep).join('/');
      return { path: relative.startsWith('.') ? relative : `./${relative}`, external: true };
    });
  },
};

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  legalComments: 'none',
};

rmSync(outdir, { recursive: true, force: true });

await Promise.all([
  build({
    ...common,
    entryPoints: { main: 'electron/main.ts' },
    outdir,
    format: 'esm',
    outExtension: { '.js': '.js' },
    packages: 'external',
    external: ['electron'],
    plugins: [nativeExternal],
  }),
  build({
    ...common,
    entryPoints: { preload: 'electron/preload.ts' },
    outdir,
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    external: ['electron'],
  }),
]);

console.log(`build:electron: ${path.relative(root, outdir)}/main.js and preload.cjs written`);
