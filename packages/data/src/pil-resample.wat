;; The two passes of Pillow's 8-bit resampling (pil-resample.ts) with 128-bit
;; SIMD, for packed RGB bytes in this module's memory. Same integer arithmetic
;; as Pillow: 22-bit fixed-point weights, a rounding term of 1 << 21, the sum
;; shifted right by 22 and clamped to 0..255 (saturating narrows).
;; Built into pil-resample-wasm.ts by `npm run build:wasm -w @contrastive/data`.
;;
;; Both passes write whole 4- or 16-byte groups past the end of a pixel or a
;; row; rows are written in order, so only the last one spills, and callers
;; leave 16 spare bytes after every buffer (reads spill the same way).
(module
  (memory (export "memory") 1)

  ;; Horizontal pass: `rows` rows starting at byte `src` (`srcStride` bytes
  ;; apart) to `outWidth` pixels per row at `dst` (`dstStride` apart). For
  ;; output pixel x: `count[x]` taps from byte offset `first[x]` of the row,
  ;; weights at `weights + 4 * x * taps`. `first`, `count`: i32 arrays.
  (func (export "horizontal")
    (param $src i32) (param $srcStride i32) (param $rows i32)
    (param $outWidth i32) (param $first i32) (param $count i32) (param $weights i32) (param $taps i32)
    (param $dst i32) (param $dstStride i32)
    (local $y i32) (local $x i32) (local $row i32) (local $d i32)
    (local $p i32) (local $k i32) (local $kEnd i32) (local $acc v128)
    (local.set $y (i32.const 0))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $rows)))
        (local.set $row (i32.add (local.get $src) (i32.mul (local.get $y) (local.get $srcStride))))
        (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $y) (local.get $dstStride))))
        (local.set $x (i32.const 0))
        (block $pixelsDone
          (loop $pixelLoop
            (br_if $pixelsDone (i32.ge_u (local.get $x) (local.get $outWidth)))
            (local.set $p (i32.add (local.get $row)
              (i32.load (i32.add (local.get $first) (i32.shl (local.get $x) (i32.const 2))))))
            (local.set $k (i32.add (local.get $weights)
              (i32.shl (i32.mul (local.get $x) (local.get $taps)) (i32.const 2))))
            (local.set $kEnd (i32.add (local.get $k)
              (i32.shl (i32.load (i32.add (local.get $count) (i32.shl (local.get $x) (i32.const 2)))) (i32.const 2))))
            (local.set $acc (i32x4.splat (i32.const 2097152)))
            (block $tapsDone
              (loop $tapLoop
                (br_if $tapsDone (i32.ge_u (local.get $k) (local.get $kEnd)))
                (local.set $acc (i32x4.add (local.get $acc)
                  (i32x4.mul
                    (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $p))))
                    (i32x4.splat (i32.load (local.get $k))))))
                (local.set $p (i32.add (local.get $p) (i32.const 3)))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (br $tapLoop)))
            (v128.store32_lane 0 (local.get $d)
              (i8x16.narrow_i16x8_u
                (i16x8.narrow_i32x4_s (i32x4.shr_s (local.get $acc) (i32.const 22)) (v128.const i32x4 0 0 0 0))
                (v128.const i32x4 0 0 0 0)))
            (local.set $d (i32.add (local.get $d) (i32.const 3)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $pixelLoop)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rowLoop))))

  ;; Vertical pass: `outHeight` rows of `rowBytes` bytes at `dst` (packed).
  ;; Output row y sums `count[y]` rows from byte `src + first[y]`, `srcStride`
  ;; apart, weights at `weights + 4 * y * taps`.
  (func (export "vertical")
    (param $src i32) (param $srcStride i32) (param $outHeight i32) (param $rowBytes i32)
    (param $first i32) (param $count i32) (param $weights i32) (param $taps i32) (param $dst i32)
    (local $y i32) (local $c i32) (local $base i32) (local $n i32) (local $k i32) (local $j i32)
    (local $d i32) (local $p i32) (local $w v128) (local $v v128) (local $lo v128) (local $hi v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $y (i32.const 0))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $outHeight)))
        (local.set $base (i32.add (local.get $src)
          (i32.load (i32.add (local.get $first) (i32.shl (local.get $y) (i32.const 2))))))
        (local.set $n (i32.load (i32.add (local.get $count) (i32.shl (local.get $y) (i32.const 2)))))
        (local.set $k (i32.add (local.get $weights)
          (i32.shl (i32.mul (local.get $y) (local.get $taps)) (i32.const 2))))
        (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $y) (local.get $rowBytes))))
        (local.set $c (i32.const 0))
        (block $chunksDone
          (loop $chunkLoop
            (br_if $chunksDone (i32.ge_u (local.get $c) (local.get $rowBytes)))
            (local.set $a0 (i32x4.splat (i32.const 2097152)))
            (local.set $a1 (local.get $a0))
            (local.set $a2 (local.get $a0))
            (local.set $a3 (local.get $a0))
            (local.set $p (i32.add (local.get $base) (local.get $c)))
            (local.set $j (i32.const 0))
            (block $tapsDone
              (loop $tapLoop
                (br_if $tapsDone (i32.ge_u (local.get $j) (local.get $n)))
                (local.set $w (i32x4.splat (i32.load (i32.add (local.get $k) (i32.shl (local.get $j) (i32.const 2))))))
                (local.set $v (v128.load (local.get $p)))
                (local.set $lo (i16x8.extend_low_i8x16_u (local.get $v)))
                (local.set $hi (i16x8.extend_high_i8x16_u (local.get $v)))
                (local.set $a0 (i32x4.add (local.get $a0) (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $lo)) (local.get $w))))
                (local.set $a1 (i32x4.add (local.get $a1) (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $lo)) (local.get $w))))
                (local.set $a2 (i32x4.add (local.get $a2) (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $hi)) (local.get $w))))
                (local.set $a3 (i32x4.add (local.get $a3) (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $hi)) (local.get $w))))
                (local.set $p (i32.add (local.get $p) (local.get $srcStride)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $tapLoop)))
            (v128.store (i32.add (local.get $d) (local.get $c))
              (i8x16.narrow_i16x8_u
                (i16x8.narrow_i32x4_s (i32x4.shr_s (local.get $a0) (i32.const 22)) (i32x4.shr_s (local.get $a1) (i32.const 22)))
                (i16x8.narrow_i32x4_s (i32x4.shr_s (local.get $a2) (i32.const 22)) (i32x4.shr_s (local.get $a3) (i32.const 22)))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $chunkLoop)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rowLoop))))
)
