// Builds the window. Root is renderer/, output dist/renderer at the repo root;
// base './' so the Electron app can load it from file:// or a custom protocol
// and the browser host can serve it at `/`. No inline scripts (CSP script-src 'self').
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    modulePreload: { polyfill: false },
  },
});
