import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The dashboard's build: everything bundled (no CDN at run time), relative asset paths so the same
 * files work under the local stack's /ui/ and at a CloudFront root, written to dist/dashboard
 * where the local stack serves it from and the CDK construct deploys it from.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/dashboard',
    emptyOutDir: true,
    sourcemap: false,
    reportCompressedSize: false,
    target: 'es2022',
  },
});
