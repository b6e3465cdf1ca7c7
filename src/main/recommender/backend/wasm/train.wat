;; SIMD kernels that run inside tfjs's own wasm heap (the memory is tfjs-backend-wasm's, imported),
;; compiled to train-wasm.ts by scripts/build-wasm.ts. Pointers are byte offsets; float32 data.
(module
  (import "env" "memory" (memory 1))

  ;; One Adam step for n values, in tfjs's order of operations:
  ;;   m' = m·β1 + g·(1−β1); v' = v·β2 + g²·(1−β2); p' = (m'/c1) / (sqrt(v'/c2) + ε) · (−lr) + p
  (func (export "adam") (param $p i32) (param $g i32) (param $m i32) (param $v i32)
        (param $op i32) (param $om i32) (param $ov i32) (param $n i32)
        (param $b1 f32) (param $k1 f32) (param $b2 f32) (param $k2 f32) (param $nlr f32) (param $eps f32) (param $c1 f32) (param $c2 f32)
    (local $i i32) (local $o i32) (local $n4 i32)
    (local $B1 v128) (local $K1 v128) (local $B2 v128) (local $K2 v128) (local $NLR v128) (local $EPS v128) (local $C1 v128) (local $C2 v128)
    (local $gv v128) (local $mv v128) (local $vv v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $K1 (f32x4.splat (local.get $k1)))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $K2 (f32x4.splat (local.get $k2)))
    (local.set $NLR (f32x4.splat (local.get $nlr)))
    (local.set $EPS (f32x4.splat (local.get $eps)))
    (local.set $C1 (f32x4.splat (local.get $c1)))
    (local.set $C2 (f32x4.splat (local.get $c2)))
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n4)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $o))))
        (local.set $mv (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $o))) (local.get $B1))
                                  (f32x4.mul (local.get $gv) (local.get $K1))))
        (local.set $vv (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $o))) (local.get $B2))
                                  (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (local.get $K2))))
        (v128.store (i32.add (local.get $om) (local.get $o)) (local.get $mv))
        (v128.store (i32.add (local.get $ov) (local.get $o)) (local.get $vv))
        (v128.store (i32.add (local.get $op) (local.get $o))
          (f32x4.add
            (f32x4.mul
              (f32x4.div (f32x4.div (local.get $mv) (local.get $C1))
                         (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vv) (local.get $C2))) (local.get $EPS)))
              (local.get $NLR))
            (v128.load (i32.add (local.get $p) (local.get $o)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l)))
    ;; the last n mod 4 values
    (block $tail_done
      (loop $t
        (br_if $tail_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $o))))
        (local.set $ms (f32.add (f32.mul (f32.load (i32.add (local.get $m) (local.get $o))) (local.get $b1)) (f32.mul (local.get $gs) (local.get $k1))))
        (local.set $vs (f32.add (f32.mul (f32.load (i32.add (local.get $v) (local.get $o))) (local.get $b2))
                                (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $k2))))
        (f32.store (i32.add (local.get $om) (local.get $o)) (local.get $ms))
        (f32.store (i32.add (local.get $ov) (local.get $o)) (local.get $vs))
        (f32.store (i32.add (local.get $op) (local.get $o))
          (f32.add
            (f32.mul (f32.div (f32.div (local.get $ms) (local.get $c1))
                              (f32.add (f32.sqrt (f32.div (local.get $vs) (local.get $c2))) (local.get $eps)))
                     (local.get $nlr))
            (f32.load (i32.add (local.get $p) (local.get $o)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $t))))

  ;; out[j] = Σ_r x[r·inner + j] for j < inner (inner a multiple of 4), rows walked in order.
  (func (export "sum_rows") (param $x i32) (param $rows i32) (param $inner i32) (param $out i32)
    (local $r i32) (local $j i32) (local $bytes i32) (local $row i32)
    (local.set $bytes (i32.shl (local.get $inner) (i32.const 2)))
    (local.set $j (i32.const 0))
    (block $z (loop $zl
      (br_if $z (i32.ge_u (local.get $j) (local.get $bytes)))
      (v128.store (i32.add (local.get $out) (local.get $j)) (v128.const f32x4 0 0 0 0))
      (local.set $j (i32.add (local.get $j) (i32.const 16)))
      (br $zl)))
    (local.set $row (local.get $x))
    (block $done
      (loop $rl
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $j (i32.const 0))
        (block $cd (loop $cl
          (br_if $cd (i32.ge_u (local.get $j) (local.get $bytes)))
          (v128.store (i32.add (local.get $out) (local.get $j))
            (f32x4.add (v128.load (i32.add (local.get $out) (local.get $j))) (v128.load (i32.add (local.get $row) (local.get $j)))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $cl)))
        (local.set $row (i32.add (local.get $row) (local.get $bytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rl))))
)
