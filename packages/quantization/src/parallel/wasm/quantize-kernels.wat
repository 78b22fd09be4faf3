;; SIMD kernels for the worker quantizers (quantize-rows.ts): bf16 rows in, the bytes that
;; `quantizeBlocks` (symmetric) and `quantizeChannelsInt8` write out. Every value goes through the
;; same double arithmetic as the JS reference (f64x2 lanes: y = x * inverse, floor(y + 0.5) with
;; the one double below 0.5 rounding to 0, + zero point, clamp), so the bytes are equal, not close.
;; Rebuild the embedded bytes after an edit: `pnpm --filter @gemma3/quantization build:wasm`.
(module
  (memory (export "memory") 1)

  ;; Two doubles -> two ints in lanes 0 and 1: floor(y + 0.5) (0 for y = 0.49999999999999994,
  ;; as Math.round), + zp, truncated (NaN -> 0, beyond int32 saturated: both clamped afterwards).
  (func $round2 (param $d v128) (param $inverse v128) (param $zp v128) (result v128)
    (local $y v128)
    (local.set $y (f64x2.mul (local.get $d) (local.get $inverse)))
    (i32x4.trunc_sat_f64x2_s_zero
      (f64x2.add
        (v128.bitselect
          (v128.const i64x2 0 0)
          (f64x2.floor (f64x2.add (local.get $y) (v128.const f64x2 0.5 0.5)))
          (f64x2.eq (local.get $y) (v128.const f64x2 0x1.fffffffffffffp-2 0x1.fffffffffffffp-2)))
        (local.get $zp))))

  ;; Eight bf16 values -> eight int16 lanes, each clamp(round(x * inverse) + zp, lo, hi).
  (func $quantize8 (param $v v128) (param $inverse v128) (param $zp v128) (param $lo v128) (param $hi v128)
    (result v128)
    (local $a v128) (local $b v128)
    ;; bf16 bits << 16 are the float32 bits of the same value.
    (local.set $a (i32x4.shl (i32x4.extend_low_i16x8_u (local.get $v)) (i32.const 16)))
    (local.set $b (i32x4.shl (i32x4.extend_high_i16x8_u (local.get $v)) (i32.const 16)))
    ;; [x0 x1 x2 x3] as ints, then [x4 .. x7]: each from two f64x2 conversions.
    (local.set $a
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
        (call $round2 (f64x2.promote_low_f32x4 (local.get $a)) (local.get $inverse) (local.get $zp))
        (call $round2
          (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a) (local.get $a)))
          (local.get $inverse) (local.get $zp))))
    (local.set $b
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
        (call $round2 (f64x2.promote_low_f32x4 (local.get $b)) (local.get $inverse) (local.get $zp))
        (call $round2
          (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $b) (local.get $b)))
          (local.get $inverse) (local.get $zp))))
    (i16x8.narrow_i32x4_s
      (i32x4.min_s (i32x4.max_s (local.get $a) (local.get $lo)) (local.get $hi))
      (i32x4.min_s (i32x4.max_s (local.get $b) (local.get $lo)) (local.get $hi))))

  ;; The largest unsigned int16 lane.
  (func $max_u16 (param $m v128) (result i32)
    (local.set $m (i16x8.max_u (local.get $m)
      (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $m) (local.get $m))))
    (local.set $m (i16x8.max_u (local.get $m)
      (i8x16.shuffle 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 (local.get $m) (local.get $m))))
    (local.set $m (i16x8.max_u (local.get $m)
      (i8x16.shuffle 2 3 0 1 2 3 0 1 2 3 0 1 2 3 0 1 (local.get $m) (local.get $m))))
    (i16x8.extract_lane_u 0 (local.get $m)))

  ;; Symmetric blocks: `blocks` runs of `size` bf16 values (size a multiple of 8) from `src`, each
  ;; scaled by its first value of largest magnitude (NaN never wins) to -2^(bits-1); `bits` 4 (two
  ;; values a byte, the first in the low nibble) or 8. Writes size * bits / 8 bytes a block at `data`
  ;; and one float32 scale a block at `scales`.
  (func (export "symmetricBlocks")
    (param $src i32) (param $blocks i32) (param $size i32) (param $bits i32) (param $data i32)
    (param $scales i32)
    (local $end i32) (local $p i32) (local $blockEnd i32) (local $m v128) (local $best i32)
    (local $at i32) (local $mask i32) (local $half f64) (local $extreme f64) (local $scale f32) (local $inverse v128)
    (local $zp v128) (local $hi v128) (local $q v128)
    (local.set $half (f64.convert_i32_u (i32.shl (i32.const 1) (i32.sub (local.get $bits) (i32.const 1)))))
    (local.set $zp (f64x2.splat (local.get $half)))
    (local.set $hi (i32x4.splat (i32.sub (i32.shl (i32.const 1) (local.get $bits)) (i32.const 1))))
    (local.set $end (i32.add (local.get $src) (i32.mul (i32.mul (local.get $blocks) (local.get $size)) (i32.const 2))))
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $blockEnd (i32.add (local.get $src) (i32.shl (local.get $size) (i32.const 1))))
        ;; Largest magnitude: |x|'s bits without the sign order as |x| does; NaNs (> 0x7f80) count as 0.
        (local.set $m (v128.const i64x2 0 0))
        (local.set $p (local.get $src))
        (loop $scan
          (local.set $q (v128.and (v128.load (local.get $p)) (v128.const i16x8 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff)))
          (local.set $m (i16x8.max_u (local.get $m)
            (v128.andnot (local.get $q) (i16x8.gt_u (local.get $q) (v128.const i16x8 0x7f80 0x7f80 0x7f80 0x7f80 0x7f80 0x7f80 0x7f80 0x7f80)))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br_if $scan (i32.lt_u (local.get $p) (local.get $blockEnd))))
        (local.set $best (call $max_u16 (local.get $m)))
        ;; The first value of that magnitude is the extreme (0 if all are 0): scale = extreme / -half
        ;; (-0 for a block of zeros, as the reference's division gives).
        (local.set $extreme (f64.const 0))
        (if (local.get $best)
          (then
            (local.set $p (local.get $src))
            (loop $find
              (local.set $mask (i16x8.bitmask (i16x8.eq
                (v128.and (v128.load (local.get $p)) (v128.const i16x8 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff))
                (i16x8.splat (local.get $best)))))
              (if (i32.eqz (local.get $mask))
                (then
                  (local.set $p (i32.add (local.get $p) (i32.const 16)))
                  (br $find))))
            (local.set $at (i32.add (local.get $p) (i32.shl (i32.ctz (local.get $mask)) (i32.const 1))))
            (local.set $extreme
              (f64.promote_f32 (f32.reinterpret_i32 (i32.shl (i32.load16_u (local.get $at)) (i32.const 16)))))))
        (local.set $scale (f32.demote_f64 (f64.div (local.get $extreme) (f64.neg (local.get $half)))))
        (f32.store (local.get $scales) (local.get $scale))
        (local.set $inverse (f64x2.splat
          (if (result f64) (f32.eq (local.get $scale) (f32.const 0))
            (then (f64.const 0))
            (else (f64.div (f64.const 1) (f64.promote_f32 (local.get $scale)))))))
        ;; The values, eight at a time.
        (local.set $p (local.get $src))
        (loop $values
          (local.set $q (call $quantize8 (v128.load (local.get $p)) (local.get $inverse) (local.get $zp)
            (v128.const i64x2 0 0) (local.get $hi)))
          (if (i32.eq (local.get $bits) (i32.const 8))
            (then
              (v128.store64_lane 0 (local.get $data) (i8x16.narrow_i16x8_u (local.get $q) (local.get $q)))
              (local.set $data (i32.add (local.get $data) (i32.const 8))))
            (else
              ;; As int32 lanes each pair is even | odd << 16: even | odd << 4 is one byte.
              (local.set $q (v128.or
                (v128.and (local.get $q) (v128.const i32x4 0xffff 0xffff 0xffff 0xffff))
                (i32x4.shr_u (local.get $q) (i32.const 12))))
              (local.set $q (i16x8.narrow_i32x4_u (local.get $q) (local.get $q)))
              (v128.store32_lane 0 (local.get $data) (i8x16.narrow_i16x8_u (local.get $q) (local.get $q)))
              (local.set $data (i32.add (local.get $data) (i32.const 4)))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br_if $values (i32.lt_u (local.get $p) (local.get $blockEnd))))
        (local.set $src (local.get $blockEnd))
        (local.set $scales (i32.add (local.get $scales) (i32.const 4)))
        (br $block))))

;; int8 per row: `rows` rows of `cols` bf16 values (cols a multiple of 8) from `src`, each scaled by
  ;; max |x| / 127 and clamped to [-127, 127], row after row at `out`, float32 scales at `scales`.
  ;; Returns 1, having written nothing, if a value is a NaN (the caller takes the float path, which
  ;; gives the row the NaN scale the reference gives it).
  (func (export "int8Rows")
    (param $src i32) (param $rows i32) (param $cols i32) (param $out i32) (param $scales i32)
    (result i32)
    (local $rowBytes i32) (local $end i32) (local $p i32) (local $rowEnd i32) (local $m v128)
    (local $scale f32) (local $inverse v128) (local $q v128)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 1)))
    (local.set $end (i32.add (local.get $src) (i32.mul (local.get $rows) (local.get $rowBytes))))
    (local.set $m (v128.const i64x2 0 0))
    (local.set $p (local.get $src))
    (block $scanned
      (loop $scan
        (br_if $scanned (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $m (i16x8.max_u (local.get $m)
          (v128.and (v128.load (local.get $p)) (v128.const i16x8 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $scan)))
    (if (i32.gt_u (call $max_u16 (local.get $m)) (i32.const 0x7f80)) (then (return (i32.const 1))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $rowEnd (i32.add (local.get $src) (local.get $rowBytes)))
        (local.set $m (v128.const i64x2 0 0))
        (local.set $p (local.get $src))
        (loop $rowMax
          (local.set $m (i16x8.max_u (local.get $m)
            (v128.and (v128.load (local.get $p)) (v128.const i16x8 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br_if $rowMax (i32.lt_u (local.get $p) (local.get $rowEnd))))
        (local.set $scale (f32.demote_f64 (f64.div
          (f64.promote_f32 (f32.reinterpret_i32 (i32.shl (call $max_u16 (local.get $m)) (i32.const 16))))
          (f64.const 127))))
        (f32.store (local.get $scales) (local.get $scale))
        (local.set $inverse (f64x2.splat
          (if (result f64) (f32.eq (local.get $scale) (f32.const 0))
            (then (f64.const 0))
            (else (f64.div (f64.const 1) (f64.promote_f32 (local.get $scale)))))))
        (local.set $p (local.get $src))
        (loop $values
          (local.set $q (call $quantize8 (v128.load (local.get $p)) (local.get $inverse)
            (v128.const i64x2 0 0)
            (v128.const i32x4 -127 -127 -127 -127) (v128.const i32x4 127 127 127 127)))
          (v128.store64_lane 0 (local.get $out) (i8x16.narrow_i16x8_s (local.get $q) (local.get $q)))
          (local.set $out (i32.add (local.get $out) (i32.const 8)))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br_if $values (i32.lt_u (local.get $p) (local.get $rowEnd))))
        (local.set $src (local.get $rowEnd))
        (local.set $scales (i32.add (local.get $scales) (i32.const 4)))
        (br $row)))
    (i32.const 0))

  ;; [rows, cols] bytes at `src` -> [cols, rows] at `out` (cols a multiple of 8): eight columns at a
  ;; time, so each row's eight bytes are one load and the eight output columns fill in order.
  (func (export "transposeBytes") (param $src i32) (param $rows i32) (param $cols i32) (param $out i32)
    (local $c i32) (local $j i32) (local $p i32) (local $o i32) (local $v v128)
    (block $columnsDone
      (loop $columns
        (br_if $columnsDone (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $p (i32.add (local.get $src) (local.get $c)))
        (local.set $o (i32.add (local.get $out) (i32.mul (local.get $c) (local.get $rows))))
        (local.set $j (i32.const 0))
        (block $rowsDone
          (loop $row
            (br_if $rowsDone (i32.ge_u (local.get $j) (local.get $rows)))
            (local.set $v (v128.load64_zero (local.get $p)))
            (v128.store8_lane 0 (local.get $o) (local.get $v))
            (v128.store8_lane 1 (i32.add (local.get $o) (local.get $rows)) (local.get $v))
            (v128.store8_lane 2 (i32.add (local.get $o) (i32.mul (local.get $rows) (i32.const 2))) (local.get $v))
            (v128.store8_lane 3 (i32.add (local.get $o) (i32.mul (local.get $rows) (i32.const 3))) (local.get $v))
            (v128.store8_lane 4 (i32.add (local.get $o) (i32.mul (local.get $rows) (i32.const 4))) (local.get $v))
            (v128.store8_lane 5 (i32.add (local.get $o) (i32.mul (local.get $rows) (i32.const 5))) (local.get $v))
            (v128.store8_lane 6 (i32.add (local.get $o) (i32.mul (local.get $rows) (i32.const 6))) (local.get $v))
            (v128.store8_lane 7 (i32.add (local.get $o) (i32.mul (local.get $rows) (i32.const 7))) (local.get $v))
            (local.set $p (i32.add (local.get $p) (local.get $cols)))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $row)))
        (local.set $c (i32.add (local.get $c) (i32.const 8)))
        (br $columns))))
)
