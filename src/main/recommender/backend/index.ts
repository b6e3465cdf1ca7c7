/**
 * Backend chain: tfjs-node-gpu (CUDA) → tfjs-node → wasm → cpu, each tried only when present and
 * working. The choice is logged and reported.
 */
import { getLogger } from '../../logging';
import { registerFastKernels } from './kernels';
import { ensureGradients, tf } from './tf';

export type BackendChoice = 'auto' | 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** What was asked for. */
  requested: BackendChoice;
  /** The tfjs backend name in use: tensorflow, wasm or cpu. */
  name: string;
  /** Human description, e.g. "wasm (SIMD, 1 thread)". */
  description: string;
  /** Backends tried before this one, with why they were not used. */
  skipped: { name: string; why: string }[];
}

const log = getLogger('backend');
let current: BackendInfo | null = null;

async function tryNode(pkg: string): Promise<string | null> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(pkg);
    if (!(await tf.setBackend('tensorflow'))) return `${pkg} loaded but its backend did not start`;
    return null;
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    return /Cannot find module/.test(msg) ? 'not installed' : msg;
  }
}

async function trySet(name: 'wasm' | 'cpu'): Promise<string | null> {
  try {
    return (await tf.setBackend(name)) ? null : 'failed to initialise';
  } catch (e) {
    return (e as Error).message;
  }
}

/** Selects and initialises the backend (once per process unless `force`). */
export async function initBackend(requested: BackendChoice = 'auto', force = false): Promise<BackendInfo> {
  if (current && !force && (requested === 'auto' || requested === current.requested)) return current;
  registerFastKernels();
  tf.env().set('IS_TEST', false);
  const skipped: BackendInfo['skipped'] = [];
  const order: Exclude<BackendChoice, 'auto'>[] =
    requested === 'auto' ? ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] : [requested];
  for (const cand of order) {
    let why: string | null;
    if (cand === 'tensorflow-gpu') why = await tryNode('@tensorflow/tfjs-node-gpu');
    else if (cand === 'tensorflow') why = await tryNode('@tensorflow/tfjs-node');
    else if (cand === 'webgpu') why = 'the WebGPU backend is not available in this build';
    else why = await trySet(cand);
    if (why === null) {
      await tf.ready();
      const name = tf.getBackend();
      // The cpu backend prints a banner recommending tfjs-node on first use; our log says it instead.
      if (name === 'cpu') (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
      let description = cand === 'tensorflow-gpu' ? 'TensorFlow (CUDA)' : cand === 'tensorflow' ? 'TensorFlow (native CPU)' : name;
      if (name === 'wasm') {
        const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
        description = `wasm (${simd ? 'SIMD' : 'no SIMD'})`;
      }
      current = { requested, name, description, skipped };
      log.info(`compute backend: ${description}${skipped.length ? ` (not used: ${skipped.map((s) => `${s.name}: ${s.why}`).join('; ')})` : ''}`);
      return current;
    }
    skipped.push({ name: cand, why });
    if (requested !== 'auto') throw new Error(`the ${cand} backend is not available: ${why}`);
  }
  throw new Error('no TensorFlow.js backend could be started');
}

export function backendInfo(): BackendInfo | null {
  return current;
}

export { tf, ensureGradients };
