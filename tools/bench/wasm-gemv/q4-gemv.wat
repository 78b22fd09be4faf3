;; One-row q4 GEMV (a decode step's linear) in WebAssembly SIMD, to measure how fast this runtime can
;; stream int4 weights: see wasm-gemv.ts. Weights are MatMulNBits' layout (blocks of 32: 16 bytes, the
;; even-indexed value in each byte's low nibble, zero point 8, a float32 scale per block); activations are
;; int8 values widened to int16, per block the 16 even-indexed ones then the 16 odd, with a float32 scale
;; per block and a correction vector whose lanes sum to 8 * the block's sum (the zero point, once).
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; y[r] for rows [r0, r1) of a [rows, blocks * 32] matrix: weights at $w ([rows, blocks, 16] bytes),
  ;; scales at $s ([rows, blocks] f32), activations at $a ([blocks, 32] i16), activation scales at $as
  ;; ([blocks] f32), corrections at $c ([blocks] i32x4), outputs at $y ([rows] f32).
  (func (export "gemv") (param $w i32) (param $s i32) (param $a i32) (param $as i32) (param $c i32)
    (param $y i32) (param $blocks i32) (param $r0 i32) (param $r1 i32)
    (local $r i32) (local $b i32) (local $wp i32) (local $sp i32) (local $ap i32) (local $asp i32)
    (local $cp i32) (local $acc v128) (local $q v128) (local $lo v128) (local $hi v128) (local $dot v128)
    (local.set $r (local.get $r0))
    (local.set $wp (i32.add (local.get $w) (i32.mul (local.get $r0) (i32.shl (local.get $blocks) (i32.const 4)))))
    (local.set $sp (i32.add (local.get $s) (i32.mul (local.get $r0) (i32.shl (local.get $blocks) (i32.const 2)))))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $r1)))
        (local.set $acc (v128.const i64x2 0 0))
        (local.set $ap (local.get $a))
        (local.set $asp (local.get $as))
        (local.set $cp (local.get $c))
        (local.set $b (local.get $blocks))
        (loop $block
          (local.set $q (v128.load (local.get $wp)))
          (local.set $lo (v128.and (local.get $q) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)))
          (local.set $hi (i8x16.shr_u (local.get $q) (i32.const 4)))
          (local.set $dot
            (i32x4.sub
              (i32x4.add
                (i32x4.add
                  (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_u (local.get $lo)) (v128.load offset=0 (local.get $ap)))
                  (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $lo)) (v128.load offset=16 (local.get $ap))))
                (i32x4.add
                  (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_u (local.get $hi)) (v128.load offset=32 (local.get $ap)))
                  (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $hi)) (v128.load offset=48 (local.get $ap)))))
              (v128.load (local.get $cp))))
          (local.set $acc (f32x4.add (local.get $acc)
            (f32x4.mul (f32x4.convert_i32x4_s (local.get $dot))
              (f32x4.splat (f32.mul (f32.load (local.get $sp)) (f32.load (local.get $asp)))))))
          (local.set $wp (i32.add (local.get $wp) (i32.const 16)))
          (local.set $sp (i32.add (local.get $sp) (i32.const 4)))
          (local.set $ap (i32.add (local.get $ap) (i32.const 64)))
          (local.set $asp (i32.add (local.get $asp) (i32.const 4)))
          (local.set $cp (i32.add (local.get $cp) (i32.const 16)))
          (local.set $b (i32.sub (local.get $b) (i32.const 1)))
          (br_if $block (local.get $b)))
        (f32.store (i32.add (local.get $y) (i32.shl (local.get $r) (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
            (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))
)
