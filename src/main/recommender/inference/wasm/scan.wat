;; SIMD scans for retrieval (compiled to scan-wasm.ts by scripts/build-wasm.ts; do not edit that file).
;; All pointers are byte offsets into the imported memory, which is shared so that several threads
;; can scan parts of one index.
(module
  (import "env" "memory" (memory 1 65536 shared))

;; out[i] = Σ_d items[i·dim + d] · q[d] over int8 codes, as int32. dim is a multiple of 64 and
  ;; |code| ≤ 63, so the eight products that meet in one i16 lane over a group of 64 dims (≤ 8·63²
  ;; = 31,752) cannot overflow; each group is widened to i32 once.
  (func (export "scan_i8") (param $items i32) (param $n i32) (param $dim i32) (param $q i32) (param $out i32)
    (local $end i32) (local $d i32) (local $p i32) (local $acc v128) (local $s v128) (local $x v128) (local $y v128)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $items_loop
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $d (i32.const 0))
        (loop $groups
          (local.set $p (i32.add (local.get $items) (local.get $d)))
          (local.set $x (v128.load (local.get $p)))
          (local.set $y (v128.load (i32.add (local.get $q) (local.get $d))))
          (local.set $s (i16x8.add (i16x8.extmul_low_i8x16_s (local.get $x) (local.get $y)) (i16x8.extmul_high_i8x16_s (local.get $x) (local.get $y))))
          (local.set $x (v128.load offset=16 (local.get $p)))
          (local.set $y (v128.load offset=16 (i32.add (local.get $q) (local.get $d))))
          (local.set $s (i16x8.add (local.get $s) (i16x8.add (i16x8.extmul_low_i8x16_s (local.get $x) (local.get $y)) (i16x8.extmul_high_i8x16_s (local.get $x) (local.get $y)))))
          (local.set $x (v128.load offset=32 (local.get $p)))
          (local.set $y (v128.load offset=32 (i32.add (local.get $q) (local.get $d))))
          (local.set $s (i16x8.add (local.get $s) (i16x8.add (i16x8.extmul_low_i8x16_s (local.get $x) (local.get $y)) (i16x8.extmul_high_i8x16_s (local.get $x) (local.get $y)))))
          (local.set $x (v128.load offset=48 (local.get $p)))
          (local.set $y (v128.load offset=48 (i32.add (local.get $q) (local.get $d))))
          (local.set $s (i16x8.add (local.get $s) (i16x8.add (i16x8.extmul_low_i8x16_s (local.get $x) (local.get $y)) (i16x8.extmul_high_i8x16_s (local.get $x) (local.get $y)))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.extadd_pairwise_i16x8_s (local.get $s))))
          (local.set $d (i32.add (local.get $d) (i32.const 64)))
          (br_if $groups (i32.lt_u (local.get $d) (local.get $dim))))
        (local.set $acc (i32x4.add (local.get $acc) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $acc) (local.get $acc))))
        (i32.store (local.get $out)
          (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc))))
        (local.set $items (i32.add (local.get $items) (local.get $dim)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $items_loop))))

;; Indexes i with scores[i] ≥ $thr, written as int32 to $idx; returns how many (at most $cap).
  ;; Four scores are compared at once and most groups of four have none above the threshold.
  (func (export "filter_ge") (param $scores i32) (param $n i32) (param $thr i32) (param $idx i32) (param $cap i32) (result i32)
    (local $i i32) (local $c i32) (local $t v128) (local $n4 i32) (local $j i32) (local $e i32)
    (local.set $t (i32x4.splat (local.get $thr)))
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (block $done
      (loop $l
        (if (i32.ge_u (local.get $i) (local.get $n4))
          (then (local.set $e (local.get $n)))
          (else
            (local.set $e (i32.add (local.get $i) (i32.const 4)))
            (if (i32.eqz (v128.any_true (i32x4.ge_s (v128.load (i32.add (local.get $scores) (i32.shl (local.get $i) (i32.const 2)))) (local.get $t))))
              (then
                (local.set $i (local.get $e))
                (br $l)))))
        ;; the scalar check of [i, e)
        (block $group
          (loop $s
            (br_if $group (i32.ge_u (local.get $i) (local.get $e)))
            (if (i32.ge_s (i32.load (i32.add (local.get $scores) (i32.shl (local.get $i) (i32.const 2)))) (local.get $thr))
              (then
                (br_if $done (i32.ge_u (local.get $c) (local.get $cap)))
                (i32.store (i32.add (local.get $idx) (i32.shl (local.get $c) (i32.const 2))) (local.get $i))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $s)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
    (local.get $c))

    ;; out[i] = Σ_d items[i·dim + d] · q[d] in float32 (dim counted in floats, a multiple of 4).
  (func (export "scan_f32") (param $items i32) (param $n i32) (param $dim i32) (param $q i32) (param $out i32)
    (local $end i32) (local $d i32) (local $bytes i32) (local $acc v128)
    (local.set $bytes (i32.shl (local.get $dim) (i32.const 2)))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $items_loop
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $d (i32.const 0))
        (loop $dims
          (local.set $acc
            (f32x4.add (local.get $acc)
              (f32x4.mul (v128.load (i32.add (local.get $items) (local.get $d)))
                         (v128.load (i32.add (local.get $q) (local.get $d))))))
          (local.set $d (i32.add (local.get $d) (i32.const 16)))
          (br_if $dims (i32.lt_u (local.get $d) (local.get $bytes))))
        (f32.store (local.get $out)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
            (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
        (local.set $items (i32.add (local.get $items) (local.get $bytes)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $items_loop))))
)
