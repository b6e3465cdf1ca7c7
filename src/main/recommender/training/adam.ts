/**
 * Adam with each variable's update as one kernel.
 *
 * tfjs's Adam runs about ten element-wise ops per variable per step, each a pass over the whole
 * tensor with a fresh allocation: for the 30,000 × 32 artist table of W-TRAIN that is ~10 passes
 * over 3.8 MB, ~10 ms of a 60 ms step. On wasm the update is one SIMD loop (backend/wasm/
 * train.wat) over tfjs's own heap that reads value, gradient and both moments once and writes the
 * three new tensors (new ones: tensors are immutable, and clones may share memory); on cpu the
 * same loop in JavaScript. The arithmetic is tfjs's, operation for operation in float32, and the
 * optimizer state (getWeights / setWeights, inherited) is the same, so checkpoints carry over.
 * Elsewhere (tfjs-node) it is tfjs's own Adam.
 */
import { tf } from '../backend';
import { trainKernels, type CpuBackendLike, type WasmBackendLike } from '../backend/kernels';

const KERNEL = 'OmrAdamUpdate';
type KernelArgs = Parameters<tf.KernelFunc>[0];
interface Attrs {
  beta1: number;
  beta2: number;
  lr: number;
  epsilon: number;
  /** 1 − β1^t and 1 − β2^t, in float32 as tfjs computes them */
  c1: number;
  c2: number;
}
const f = Math.fround;

function wasmKernel({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo[] {
  const { value, gradient, m, v } = inputs as Record<string, tf.TensorInfo>;
  const a = attrs as unknown as Attrs;
  const b = backend as unknown as WasmBackendLike;
  const outs = [b.makeOutput(value.shape, 'float32'), b.makeOutput(value.shape, 'float32'), b.makeOutput(value.shape, 'float32')];
  const at = (t: tf.TensorInfo) => b.typedArrayFromHeap(t).byteOffset;
  const n = value.shape.reduce((x, y) => x * y, 1);
  trainKernels(backend)!.adam(at(value), at(gradient), at(m), at(v), at(outs[0]), at(outs[1]), at(outs[2]), n,
    a.beta1, f(1 - a.beta1), a.beta2, f(1 - a.beta2), -a.lr, a.epsilon, a.c1, a.c2);
  return outs;
}

function cpuKernel({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo[] {
  const { value, gradient, m, v } = inputs as Record<string, tf.TensorInfo>;
  const a = attrs as unknown as Attrs;
  const b = backend as unknown as CpuBackendLike;
  const d = (t: tf.TensorInfo) => b.data.get(t.dataId).values;
  const [P, G, M, V] = [d(value), d(gradient), d(m), d(v)];
  const n = P.length;
  const [op, om, ov] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  const [b1, k1, b2, k2, nlr, eps] = [f(a.beta1), f(1 - a.beta1), f(a.beta2), f(1 - a.beta2), f(-a.lr), f(a.epsilon)];
  for (let i = 0; i < n; i++) {
    const g = G[i];
    const mi = f(f(M[i] * b1) + f(g * k1));
    const vi = f(f(V[i] * b2) + f(f(g * g) * k2));
    om[i] = mi;
    ov[i] = vi;
    op[i] = f(f(f(f(mi / a.c1) / f(f(Math.sqrt(f(vi / a.c2))) + eps)) * nlr) + P[i]);
  }
  return [op, om, ov].map((x) => b.makeTensorInfo(value.shape, 'float32', x));
}

let registered = false;
function register(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: KERNEL, backendName: 'wasm', kernelFunc: wasmKernel as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: KERNEL, backendName: 'cpu', kernelFunc: cpuKernel as unknown as tf.KernelFunc });
}

interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export class FusedAdam extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon);
    register();
  }

  private fused(): boolean {
    const name = tf.getBackend();
    return name === 'cpu' || (name === 'wasm' && trainKernels(tf.backend()) !== null);
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (!this.fused()) {
      super.applyGradients(variableGradients);
      return;
    }
    const s = this as unknown as AdamState;
    const list = Array.isArray(variableGradients) ? (variableGradients as { name: string; tensor: tf.Tensor }[]) : null;
    const map = variableGradients as Record<string, tf.Tensor>;
    const names = list ? list.map((x) => x.name) : Object.keys(map);
    const c1 = f(1 - s.accBeta1.dataSync()[0]);
    const c2 = f(1 - s.accBeta2.dataSync()[0]);
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        s.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        s.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const gradient = list ? list[i].tensor : map[name];
        if (gradient == null) return;
        const m = s.accumulatedFirstMoment[i].variable;
        const v = s.accumulatedSecondMoment[i].variable;
        const attrs: Attrs = { beta1: s.beta1, beta2: s.beta2, lr: s.learningRate, epsilon: s.epsilon, c1, c2 };
        const [np, nm, nv] = tf.engine().runKernel(KERNEL, { value, gradient, m, v } as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(nm);
        v.assign(nv);
        value.assign(np);
      });
      s.accBeta1.assign(tf.mul(s.accBeta1, s.beta1));
      s.accBeta2.assign(tf.mul(s.accBeta2, s.beta2));
    });
    (this as unknown as { incrementIterations(): void }).incrementIterations();
  }
}

/** The project's Adam (see FusedAdam). */
export function adam(learningRate: number): tf.Optimizer {
  return new FusedAdam(learningRate);
}
