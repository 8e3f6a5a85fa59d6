// Builds the window. Root is renderer/, output dist/renderer at the repo root;
// base './' so the Electron app can load it from file:// or a custom protocol
// and the browser host can serve it at `/`. No inline scripts (CSP script-src 'self').
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// import.meta.dirname needs Node ≥ 20.11; the URL form covers older 20.x (POSIX paths).
const here: string = import.meta.dirname ?? decodeURIComponent(new URL('.', import.meta.url).pathname);

export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    modulePreload: { polyfill: false },
  },
});
