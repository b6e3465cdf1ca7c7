/**
 * The one TensorFlow.js entry point of the app: tfjs-core with gradients, the cpu and wasm
 * backends, and (when installed) tfjs-node / tfjs-node-gpu. Import `tf` from here.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

export { tf };
