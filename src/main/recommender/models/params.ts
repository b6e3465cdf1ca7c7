/** Named, seeded model parameters (tf.Variables) and the layers built on them. */
import { tf } from '../backend';
import type { Rng } from '../../util/random';

let stores = 0;

export class ParamStore {
  /** tfjs registers variables by name process-wide; this keeps several models apart. */
  private readonly uid = ++stores;
  readonly vars = new Map<string, tf.Variable>();
  /** Batch-norm statistics updated outside the gradient tape. */
  readonly stats = new Map<string, tf.Variable>();
  constructor(private rng: Rng) {}

  private seed(): number {
    return Math.floor(this.rng.next() * 2 ** 31);
  }

  private add(name: string, init: tf.Tensor, trainable = true): tf.Variable {
    if (this.vars.has(name) || this.stats.has(name)) throw new Error(`parameter ${name} defined twice`);
    const v = tf.variable(init, trainable, `${name}#${this.uid}`);
    (trainable ? this.vars : this.stats).set(name, v);
    return v;
  }

  dense(name: string, inDim: number, outDim: number): Dense {
    const limit = Math.sqrt(6 / (inDim + outDim));
    return new Dense(
      this.add(`${name}/kernel`, tf.randomUniform([inDim, outDim], -limit, limit, 'float32', this.seed())),
      this.add(`${name}/bias`, tf.zeros([outDim])),
    );
  }

  embedding(name: string, n: number, dim: number): tf.Variable {
    return this.add(`${name}/embeddings`, tf.randomUniform([n, dim], -0.05, 0.05, 'float32', this.seed()));
  }

  batchNorm(name: string, dim: number): BatchNorm {
    return new BatchNorm(
      this.add(`${name}/gamma`, tf.ones([dim])),
      this.add(`${name}/beta`, tf.zeros([dim])),
      this.add(`${name}/moving_mean`, tf.zeros([dim]), false),
      this.add(`${name}/moving_variance`, tf.ones([dim]), false),
    );
  }

  scalar(name: string, value: number): tf.Variable {
    return this.add(name, tf.scalar(value));
  }

  /** Trainable variables in a fixed order (the optimizer's slots follow it). */
  trainable(): tf.Variable[] {
    return [...this.vars.values()];
  }

  all(): Map<string, tf.Variable> {
    return new Map([...this.vars, ...this.stats]);
  }

  dispose(): void {
    for (const v of this.all().values()) v.dispose();
  }
}

export class Dense {
  constructor(readonly kernel: tf.Variable, readonly bias: tf.Variable) {}
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.kernel as tf.Tensor2D), this.bias) as tf.Tensor2D;
  }
}

/** Collects batch-norm moments during a training forward pass; applied after the step. */
export class BnUpdates {
  readonly pending: { bn: BatchNorm; mean: tf.Tensor; variance: tf.Tensor }[] = [];
  apply(momentum = 0.99): void {
    tf.tidy(() => {
      for (const { bn, mean, variance } of this.pending) {
        bn.movingMean.assign(tf.add(tf.mul(bn.movingMean, momentum), tf.mul(mean, 1 - momentum)));
        bn.movingVariance.assign(tf.add(tf.mul(bn.movingVariance, momentum), tf.mul(variance, 1 - momentum)));
      }
    });
    for (const p of this.pending) {
      p.mean.dispose();
      p.variance.dispose();
    }
    this.pending.length = 0;
  }
}

export class BatchNorm {
  constructor(
    readonly gamma: tf.Variable,
    readonly beta: tf.Variable,
    readonly movingMean: tf.Variable,
    readonly movingVariance: tf.Variable,
  ) {}
  apply(x: tf.Tensor2D, updates: BnUpdates | null): tf.Tensor2D {
    if (updates) {
      const { mean, variance } = tf.moments(x, 0);
      updates.pending.push({ bn: this, mean: tf.keep(tf.clone(mean)), variance: tf.keep(tf.clone(variance)) });
      return tf.batchNorm(x, mean, variance, this.beta, this.gamma, 1e-3) as tf.Tensor2D;
    }
    return tf.batchNorm(x, this.movingMean, this.movingVariance, this.beta, this.gamma, 1e-3) as tf.Tensor2D;
  }
}
