/** Loss functions of the plan. */
import { tf } from '../backend';

/** Σ wᵢ·xᵢ / Σ wᵢ: every loss here averages its per-example values this way. */
function weightedMean(per: tf.Tensor, weights: tf.Tensor1D): tf.Scalar {
  return tf.div(tf.sum(tf.mul(per, weights)), tf.add(tf.sum(weights), 1e-8)) as tf.Scalar;
}

/** Weighted binary cross-entropy on logits, numerically stable: max(z,0) − z·y + log(1 + e^−|z|). */
export function weightedBce(logits: tf.Tensor1D, labels: tf.Tensor1D, weights: tf.Tensor1D): tf.Scalar {
  const per = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, labels)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
  return weightedMean(per, weights);
}

/**
 * In-batch sampled softmax: each user's positive against the other positives of the batch,
 * with the log-Q correction for their sampling probability (popular items appear more often).
 */
export function sampledSoftmax(u: tf.Tensor2D, v: tf.Tensor2D, logQ: tf.Tensor1D, weights: tf.Tensor1D, temperature: number): tf.Scalar {
  // The batch softmax below with one candidate per row: row i's own column is its positive.
  return mixedSoftmax(tf.div(tf.matMul(u, v, false, true), temperature) as tf.Tensor2D, tf.range(0, u.shape[0], 1, 'int32') as tf.Tensor1D, logQ, weights);
}

/**
 * Softmax over a batch's distinct items (mixed negatives): each positive row's scores `logits`
 * (positives × candidates) against every item of the batch — the other rows' positives
 * (in-batch negatives) and the sampled catalogue negatives — less `logQ`, the log of how likely
 * each candidate was to be in the batch, so popular items are not penalised for turning up
 * often. `target` is each positive's own column.
 */
export function mixedSoftmax(logits: tf.Tensor2D, target: tf.Tensor1D, logQ: tf.Tensor1D, weights: tf.Tensor1D): tf.Scalar {
  const corrected = tf.sub(logits, tf.expandDims(logQ, 0));
  const labels = tf.oneHot(target, logits.shape[1]);
  const per = tf.losses.softmaxCrossEntropy(labels, corrected, undefined, 0, tf.Reduction.NONE) as tf.Tensor1D;
  return weightedMean(per, weights);
}

/**
 * A listwise loss over lists whose first column is the positive (a positive and its own sampled
 * negatives): −log softmax(row)[0], averaged with `weights`.
 */
export function listSoftmax(logits: tf.Tensor2D, weights: tf.Tensor1D): tf.Scalar {
  const first = tf.reshape(tf.slice(logits, [0, 0], [-1, 1]), [-1]);
  const per = tf.sub(tf.logSumExp(logits, 1), first);
  return weightedMean(per, weights);
}
