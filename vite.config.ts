import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Cross-origin isolation (COOP + COEP): SharedArrayBuffer, so the CPU engine can run its products on
// every core (src/models/cpu/threads.ts) and TF.js's wasm backend can thread in the bench. A host
// serving the built app must send the same two headers; without them the CPU engine uses one thread.
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  plugins: [react()],
  server: { port: 5173, headers: isolation },
  preview: { headers: isolation },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
  optimizeDeps: { exclude: ['quickjs-emscripten'] },
});
