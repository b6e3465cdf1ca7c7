/**
 * The one TensorFlow.js entry point of the app: tfjs-core with gradients, the cpu and wasm
 * backends, and (when installed) tfjs-node / tfjs-node-gpu. Import `tf` from here.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

let gradients = false;
/**
 * Registers tfjs's gradient functions — needed to train, not to serve, so the app starts without
 * them. tfjs-core ships them only as ES modules (`dist/register_all_gradients`), which `require`
 * cannot load from a bundle (the built Electron main crashed on it); the `@tensorflow/tfjs`
 * package's CommonJS build registers the same functions into the same tfjs-core.
 */
export function ensureGradients(): void {
  if (gradients) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('@tensorflow/tfjs');
  gradients = true;
}

export { tf };
