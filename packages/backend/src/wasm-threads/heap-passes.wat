;; The heap passes of heap-passes.ts in WebAssembly, for the threaded
;; backend: this module imports the threaded tfjs module's shared memory, so
;; the passes read and write tensors in place with wasm loads, stores and bulk
;; copies. (JavaScript typed arrays on a SharedArrayBuffer copy and loop
;; 3-5x slower than on an ArrayBuffer in Node 20; these run at native speed.)
;;
;; Every pass takes (src, dst, dstLength) in 4-byte elements of the heap, the
;; parameters q of its JavaScript twin in heap-passes.ts, then (part, parts):
;; piece `part` of `parts` writes exactly the elements the JavaScript piece
;; writes, with the same values (col2im adds in the same order per element;
;; its f32x4 lanes are independent elements).
;;
;; Assembled by `npm run build:wasm -w @contrastive/backend` into
;; heap-passes-wasm.ts.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; floor(n * part / parts) without 32-bit overflow.
  (func $share (param $n i32) (param $part i32) (param $parts i32) (result i32)
    (i32.wrap_i64
      (i64.div_u
        (i64.mul (i64.extend_i32_u (local.get $n)) (i64.extend_i32_u (local.get $part)))
        (i64.extend_i32_u (local.get $parts)))))

  ;; First element of piece `part` of [0, length) cut at multiples of `align`
  ;; (pieceRange in heap-passes.ts; piece `parts` starts at `length`).
  (func $pieceStart (param $length i32) (param $align i32) (param $part i32) (param $parts i32) (result i32)
    (local $at i32)
    (if (i32.ge_u (local.get $part) (local.get $parts)) (then (return (local.get $length))))
    (local.set $at
      (i32.mul
        (call $share
          (i32.div_u (i32.add (local.get $length) (i32.sub (local.get $align) (i32.const 1))) (local.get $align))
          (local.get $part) (local.get $parts))
        (local.get $align)))
    (select (local.get $length) (local.get $at) (i32.gt_u (local.get $at) (local.get $length))))

  ;; Zeros `count` elements at element `at`.
  (func $zero (param $at i32) (param $count i32)
    (if (i32.gt_s (local.get $count) (i32.const 0))
      (then (memory.fill (i32.shl (local.get $at) (i32.const 2)) (i32.const 0) (i32.shl (local.get $count) (i32.const 2))))))

  ;; Copies `count` elements from element `from` to element `to`.
  (func $copy (param $to i32) (param $from i32) (param $count i32)
    (if (i32.gt_s (local.get $count) (i32.const 0))
      (then (memory.copy (i32.shl (local.get $to) (i32.const 2)) (i32.shl (local.get $from) (i32.const 2)) (i32.shl (local.get $count) (i32.const 2))))))

  ;; ceil(a / b) for b > 0, any sign of a.
  (func $ceilDiv (param $a i32) (param $b i32) (result i32)
    (if (result i32) (i32.gt_s (local.get $a) (i32.const 0))
      (then (i32.div_s (i32.add (local.get $a) (i32.sub (local.get $b) (i32.const 1))) (local.get $b)))
      (else (i32.sub (i32.const 0) (i32.div_s (i32.sub (i32.const 0) (local.get $a)) (local.get $b))))))

  ;; floor(a / b) for b > 0, any sign of a.
  (func $floorDiv (param $a i32) (param $b i32) (result i32)
    (if (result i32) (i32.ge_s (local.get $a) (i32.const 0))
      (then (i32.div_s (local.get $a) (local.get $b)))
      (else (i32.sub (i32.const 0) (call $ceilDiv (i32.sub (i32.const 0) (local.get $a)) (local.get $b))))))

  (func $min (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.lt_s (local.get $a) (local.get $b))))

  (func $max (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.gt_s (local.get $a) (local.get $b))))

  ;; im2colChannelMajorPass: src [c, total, h, w], dst [kh*kw*c, count*oh*ow],
  ;; rows (ky, kx, ci) split between pieces.
  (func (export "im2colChannelMajor")
    (param $src i32) (param $dst i32) (param $dstLength i32)
    (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
    (param $padTop i32) (param $padLeft i32) (param $oh i32) (param $ow i32) (param $h i32) (param $w i32)
    (param $c i32) (param $first i32) (param $count i32) (param $total i32) (param $minRun i32)
    (param $part i32) (param $parts i32)
    (local $r i32) (local $r1 i32) (local $ci i32) (local $tap i32) (local $kx i32) (local $ky i32)
    (local $x0 i32) (local $lo i32) (local $hi i32) (local $o i32) (local $b i32) (local $plane i32)
    (local $oy i32) (local $iy i32) (local $row i32) (local $ox i32)
    (local.set $r (call $share (i32.mul (i32.mul (local.get $kh) (local.get $kw)) (local.get $c)) (local.get $part) (local.get $parts)))
    (local.set $r1 (call $share (i32.mul (i32.mul (local.get $kh) (local.get $kw)) (local.get $c)) (i32.add (local.get $part) (i32.const 1)) (local.get $parts)))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $r1)))
      (local.set $ci (i32.rem_u (local.get $r) (local.get $c)))
      (local.set $tap (i32.div_u (local.get $r) (local.get $c)))
      (local.set $kx (i32.rem_u (local.get $tap) (local.get $kw)))
      (local.set $ky (i32.div_u (local.get $tap) (local.get $kw)))
      (local.set $x0 (i32.sub (i32.mul (local.get $kx) (local.get $dw)) (local.get $padLeft)))
      ;; Output columns whose input column is inside [0, w).
      (local.set $lo (call $min (local.get $ow) (call $max (i32.const 0) (call $ceilDiv (i32.sub (i32.const 0) (local.get $x0)) (local.get $sw)))))
      (local.set $hi (call $max (local.get $lo)
        (call $min (local.get $ow) (i32.add (call $floorDiv (i32.sub (i32.sub (local.get $w) (i32.const 1)) (local.get $x0)) (local.get $sw)) (i32.const 1)))))
      (local.set $o (i32.add (local.get $dst) (i32.mul (local.get $r) (i32.mul (local.get $count) (i32.mul (local.get $oh) (local.get $ow))))))
      (local.set $b (local.get $first))
      (block $imagesDone (loop $images
        (br_if $imagesDone (i32.ge_s (local.get $b) (i32.add (local.get $first) (local.get $count))))
        (local.set $plane (i32.mul (i32.add (i32.mul (local.get $ci) (local.get $total)) (local.get $b)) (local.get $h)))
        (local.set $oy (i32.const 0))
        (block $outRowsDone (loop $outRows
          (br_if $outRowsDone (i32.ge_s (local.get $oy) (local.get $oh)))
          (local.set $iy (i32.sub (i32.add (i32.mul (local.get $oy) (local.get $sh)) (i32.mul (local.get $ky) (local.get $dh))) (local.get $padTop)))
          (if (i32.or (i32.lt_s (local.get $iy) (i32.const 0)) (i32.ge_s (local.get $iy) (local.get $h)))
            (then (call $zero (local.get $o) (local.get $ow)))
            (else
              (local.set $row (i32.add (local.get $src) (i32.add (i32.mul (i32.add (local.get $plane) (local.get $iy)) (local.get $w)) (local.get $x0))))
              (call $zero (local.get $o) (local.get $lo))
              (if (i32.eq (local.get $sw) (i32.const 1))
                (then (call $copy (i32.add (local.get $o) (local.get $lo)) (i32.add (local.get $row) (local.get $lo)) (i32.sub (local.get $hi) (local.get $lo))))
                (else
                  (local.set $ox (local.get $lo))
                  (block $colsDone (loop $cols
                    (br_if $colsDone (i32.ge_s (local.get $ox) (local.get $hi)))
                    (i32.store
                      (i32.shl (i32.add (local.get $o) (local.get $ox)) (i32.const 2))
                      (i32.load (i32.shl (i32.add (local.get $row) (i32.mul (local.get $ox) (local.get $sw))) (i32.const 2))))
                    (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                    (br $cols)))))
              (call $zero (i32.add (local.get $o) (local.get $hi)) (i32.sub (local.get $ow) (local.get $hi)))))
          (local.set $o (i32.add (local.get $o) (local.get $ow)))
          (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
          (br $outRows)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $images)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; im2colBatchInnerPass: src [h, w, c, total], dst [kh*kw*c, oh*ow*count],
  ;; rows (ky, kx, ci) split between pieces.
  (func (export "im2colBatchInner")
    (param $src i32) (param $dst i32) (param $dstLength i32)
    (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
    (param $padTop i32) (param $padLeft i32) (param $oh i32) (param $ow i32) (param $h i32) (param $w i32)
    (param $c i32) (param $first i32) (param $count i32) (param $total i32) (param $minRun i32)
    (param $part i32) (param $parts i32)
    (local $r i32) (local $r1 i32) (local $ci i32) (local $tap i32) (local $kx i32) (local $ky i32)
    (local $o i32) (local $oy i32) (local $iy i32) (local $ox i32) (local $ix i32)
    (local.set $r (call $share (i32.mul (i32.mul (local.get $kh) (local.get $kw)) (local.get $c)) (local.get $part) (local.get $parts)))
    (local.set $r1 (call $share (i32.mul (i32.mul (local.get $kh) (local.get $kw)) (local.get $c)) (i32.add (local.get $part) (i32.const 1)) (local.get $parts)))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $r1)))
      (local.set $ci (i32.rem_u (local.get $r) (local.get $c)))
      (local.set $tap (i32.div_u (local.get $r) (local.get $c)))
      (local.set $kx (i32.rem_u (local.get $tap) (local.get $kw)))
      (local.set $ky (i32.div_u (local.get $tap) (local.get $kw)))
      (local.set $o (i32.add (local.get $dst) (i32.mul (local.get $r) (i32.mul (local.get $count) (i32.mul (local.get $oh) (local.get $ow))))))
      (local.set $oy (i32.const 0))
      (block $outRowsDone (loop $outRows
        (br_if $outRowsDone (i32.ge_s (local.get $oy) (local.get $oh)))
        (local.set $iy (i32.sub (i32.add (i32.mul (local.get $oy) (local.get $sh)) (i32.mul (local.get $ky) (local.get $dh))) (local.get $padTop)))
        (if (i32.or (i32.lt_s (local.get $iy) (i32.const 0)) (i32.ge_s (local.get $iy) (local.get $h)))
          (then
            (call $zero (local.get $o) (i32.mul (local.get $ow) (local.get $count)))
            (local.set $o (i32.add (local.get $o) (i32.mul (local.get $ow) (local.get $count)))))
          (else
            (local.set $ox (i32.const 0))
            (block $colsDone (loop $cols
              (br_if $colsDone (i32.ge_s (local.get $ox) (local.get $ow)))
              (local.set $ix (i32.sub (i32.add (i32.mul (local.get $ox) (local.get $sw)) (i32.mul (local.get $kx) (local.get $dw))) (local.get $padLeft)))
              (if (i32.or (i32.lt_s (local.get $ix) (i32.const 0)) (i32.ge_s (local.get $ix) (local.get $w)))
                (then (call $zero (local.get $o) (local.get $count)))
                (else
                  (call $copy (local.get $o)
                    (i32.add (local.get $src)
                      (i32.add
                        (i32.mul
                          (i32.add (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $w)) (local.get $ix)) (local.get $c)) (local.get $ci))
                          (local.get $total))
                        (local.get $first)))
                    (local.get $count))))
              (local.set $o (i32.add (local.get $o) (local.get $count)))
              (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
              (br $cols)))))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $outRows)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; dyRowsPass: the dy rows of images [first, first + count) of
  ;; src [total, perImage, cout] in (b, s) order (batchInner 0) or (s, b) (1).
  (func (export "dyRows")
    (param $src i32) (param $dst i32) (param $dstLength i32)
    (param $batchInner i32) (param $first i32) (param $count i32) (param $perImage i32) (param $cout i32)
    (param $part i32) (param $parts i32)
    (local $begin i32) (local $s i32) (local $s1 i32) (local $b i32) (local $o i32)
    (if (i32.eqz (local.get $batchInner))
      (then
        (local.set $begin (call $pieceStart (local.get $dstLength) (i32.const 16) (local.get $part) (local.get $parts)))
        (call $copy
          (i32.add (local.get $dst) (local.get $begin))
          (i32.add (local.get $src) (i32.add (i32.mul (local.get $first) (i32.mul (local.get $perImage) (local.get $cout))) (local.get $begin)))
          (i32.sub (call $pieceStart (local.get $dstLength) (i32.const 16) (i32.add (local.get $part) (i32.const 1)) (local.get $parts)) (local.get $begin)))
        (return)))
    (local.set $s (call $share (local.get $perImage) (local.get $part) (local.get $parts)))
    (local.set $s1 (call $share (local.get $perImage) (i32.add (local.get $part) (i32.const 1)) (local.get $parts)))
    (local.set $o (i32.add (local.get $dst) (i32.mul (local.get $s) (i32.mul (local.get $count) (local.get $cout)))))
    (block $done (loop $positions
      (br_if $done (i32.ge_s (local.get $s) (local.get $s1)))
      (local.set $b (local.get $first))
      (block $imagesDone (loop $images
        (br_if $imagesDone (i32.ge_s (local.get $b) (i32.add (local.get $first) (local.get $count))))
        (call $copy (local.get $o)
          (i32.add (local.get $src) (i32.mul (i32.add (i32.mul (local.get $b) (local.get $perImage)) (local.get $s)) (local.get $cout)))
          (local.get $cout))
        (local.set $o (i32.add (local.get $o) (local.get $cout)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $images)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $positions))))

  ;; swapMiddleAxesPass: dst[b, j, i, k] = src[b, i, j, k] for src [n, r, c, d],
  ;; rows i split between pieces in whole tiles.
  (func (export "swapMiddleAxes")
    (param $src i32) (param $dst i32) (param $dstLength i32)
    (param $n i32) (param $r i32) (param $c i32) (param $d i32) (param $tile i32)
    (param $part i32) (param $parts i32)
    (local $rowBegin i32) (local $rowEnd i32) (local $b i32) (local $base i32)
    (local $i i32) (local $j i32) (local $i0 i32) (local $i1 i32) (local $j0 i32) (local $j1 i32)
    (local.set $rowBegin (call $pieceStart (local.get $r) (local.get $tile) (local.get $part) (local.get $parts)))
    (local.set $rowEnd (call $pieceStart (local.get $r) (local.get $tile) (i32.add (local.get $part) (i32.const 1)) (local.get $parts)))
    (block $planesDone (loop $planes
      (br_if $planesDone (i32.ge_s (local.get $b) (local.get $n)))
      (local.set $base (i32.mul (local.get $b) (i32.mul (local.get $r) (i32.mul (local.get $c) (local.get $d)))))
      (if (i32.ne (local.get $d) (i32.const 1))
        (then
          (local.set $i (local.get $rowBegin))
          (block $iDone (loop $iLoop
            (br_if $iDone (i32.ge_s (local.get $i) (local.get $rowEnd)))
            (local.set $j (i32.const 0))
            (block $jDone (loop $jLoop
              (br_if $jDone (i32.ge_s (local.get $j) (local.get $c)))
              (call $copy
                (i32.add (local.get $dst) (i32.add (local.get $base) (i32.mul (i32.add (i32.mul (local.get $j) (local.get $r)) (local.get $i)) (local.get $d))))
                (i32.add (local.get $src) (i32.add (local.get $base) (i32.mul (i32.add (i32.mul (local.get $i) (local.get $c)) (local.get $j)) (local.get $d))))
                (local.get $d))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br $jLoop)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $iLoop))))
        (else
          ;; tile by tile, each tile walked along the target rows
          (local.set $i0 (local.get $rowBegin))
          (block $tilesDone (loop $tiles
            (br_if $tilesDone (i32.ge_s (local.get $i0) (local.get $rowEnd)))
            (local.set $i1 (call $min (local.get $rowEnd) (i32.add (local.get $i0) (local.get $tile))))
            (local.set $j0 (i32.const 0))
            (block $colTilesDone (loop $colTiles
              (br_if $colTilesDone (i32.ge_s (local.get $j0) (local.get $c)))
              (local.set $j1 (call $min (local.get $c) (i32.add (local.get $j0) (local.get $tile))))
              (local.set $j (local.get $j0))
              (block $jDone (loop $jLoop
                (br_if $jDone (i32.ge_s (local.get $j) (local.get $j1)))
                (local.set $i (local.get $i0))
                (block $iDone (loop $iLoop
                  (br_if $iDone (i32.ge_s (local.get $i) (local.get $i1)))
                  (i32.store
                    (i32.shl (i32.add (local.get $dst) (i32.add (local.get $base) (i32.add (i32.mul (local.get $j) (local.get $r)) (local.get $i)))) (i32.const 2))
                    (i32.load (i32.shl (i32.add (local.get $src) (i32.add (local.get $base) (i32.add (i32.mul (local.get $i) (local.get $c)) (local.get $j)))) (i32.const 2))))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br $iLoop)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $jLoop)))
              (local.set $j0 (local.get $j1))
              (br $colTiles)))
            (local.set $i0 (local.get $i1))
            (br $tiles)))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $planes))))

  ;; col2imAddPass: adds the float32 columns src [count*oh*ow, kh*kw*cin] of
  ;; images [first, first + count) into dst = dx [n, h, w, cin], channels split
  ;; between pieces; four channels at a time with f32x4 (lanes are separate
  ;; elements, so every element gets the scalar sums in the same order).
  (func (export "col2imAdd")
    (param $src i32) (param $dst i32) (param $dstLength i32)
    (param $h i32) (param $w i32) (param $cin i32) (param $oh i32) (param $ow i32)
    (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $padTop i32) (param $padLeft i32)
    (param $first i32) (param $count i32)
    (param $part i32) (param $parts i32)
    (local $c0 i32) (local $c1 i32) (local $k i32) (local $row i32) (local $b i32) (local $oy i32) (local $ox i32)
    (local $ky i32) (local $kx i32) (local $iy i32) (local $ix i32) (local $d i32) (local $s i32) (local $ci i32)
    (local.set $c0 (call $share (local.get $cin) (local.get $part) (local.get $parts)))
    (local.set $c1 (call $share (local.get $cin) (i32.add (local.get $part) (i32.const 1)) (local.get $parts)))
    (if (i32.le_s (local.get $c1) (local.get $c0)) (then (return)))
    (local.set $k (i32.mul (i32.mul (local.get $kh) (local.get $kw)) (local.get $cin)))
    (local.set $row (local.get $src))
    (local.set $b (local.get $first))
    (block $imagesDone (loop $images
      (br_if $imagesDone (i32.ge_s (local.get $b) (i32.add (local.get $first) (local.get $count))))
      (local.set $oy (i32.const 0))
      (block $oyDone (loop $oyLoop
        (br_if $oyDone (i32.ge_s (local.get $oy) (local.get $oh)))
        (local.set $ox (i32.const 0))
        (block $oxDone (loop $oxLoop
          (br_if $oxDone (i32.ge_s (local.get $ox) (local.get $ow)))
          (local.set $ky (i32.const 0))
          (block $kyDone (loop $kyLoop
            (br_if $kyDone (i32.ge_s (local.get $ky) (local.get $kh)))
            (local.set $iy (i32.sub (i32.add (i32.mul (local.get $oy) (local.get $sh)) (local.get $ky)) (local.get $padTop)))
            (if (i32.and (i32.ge_s (local.get $iy) (i32.const 0)) (i32.lt_s (local.get $iy) (local.get $h)))
              (then
                (local.set $kx (i32.const 0))
                (block $kxDone (loop $kxLoop
                  (br_if $kxDone (i32.ge_s (local.get $kx) (local.get $kw)))
                  (local.set $ix (i32.sub (i32.add (i32.mul (local.get $ox) (local.get $sw)) (local.get $kx)) (local.get $padLeft)))
                  (if (i32.and (i32.ge_s (local.get $ix) (i32.const 0)) (i32.lt_s (local.get $ix) (local.get $w)))
                    (then
                      (local.set $d (i32.add (local.get $dst)
                        (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $h)) (local.get $iy)) (local.get $w)) (local.get $ix)) (local.get $cin))))
                      (local.set $s (i32.add (local.get $row) (i32.mul (i32.add (i32.mul (local.get $ky) (local.get $kw)) (local.get $kx)) (local.get $cin))))
                      (local.set $ci (local.get $c0))
                      (block $vecDone (loop $vec
                        (br_if $vecDone (i32.gt_s (i32.add (local.get $ci) (i32.const 4)) (local.get $c1)))
                        (v128.store
                          (i32.shl (i32.add (local.get $d) (local.get $ci)) (i32.const 2))
                          (f32x4.add
                            (v128.load (i32.shl (i32.add (local.get $d) (local.get $ci)) (i32.const 2)))
                            (v128.load (i32.shl (i32.add (local.get $s) (local.get $ci)) (i32.const 2)))))
                        (local.set $ci (i32.add (local.get $ci) (i32.const 4)))
                        (br $vec)))
                      (block $scalarDone (loop $scalar
                        (br_if $scalarDone (i32.ge_s (local.get $ci) (local.get $c1)))
                        (f32.store
                          (i32.shl (i32.add (local.get $d) (local.get $ci)) (i32.const 2))
                          (f32.add
                            (f32.load (i32.shl (i32.add (local.get $d) (local.get $ci)) (i32.const 2)))
                            (f32.load (i32.shl (i32.add (local.get $s) (local.get $ci)) (i32.const 2)))))
                        (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
                        (br $scalar)))))
                  (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
                  (br $kxLoop)))))
            (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
            (br $kyLoop)))
          (local.set $row (i32.add (local.get $row) (local.get $k)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $oxLoop)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $oyLoop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $images))))

  ;; copyRangePass: dst = src[from, from + dstLength), split between pieces.
  (func (export "copyRange")
    (param $src i32) (param $dst i32) (param $dstLength i32) (param $from i32)
    (param $part i32) (param $parts i32)
    (local $begin i32)
    (local.set $begin (call $pieceStart (local.get $dstLength) (i32.const 16) (local.get $part) (local.get $parts)))
    (call $copy
      (i32.add (local.get $dst) (local.get $begin))
      (i32.add (local.get $src) (i32.add (local.get $from) (local.get $begin)))
      (i32.sub (call $pieceStart (local.get $dstLength) (i32.const 16) (i32.add (local.get $part) (i32.const 1)) (local.get $parts)) (local.get $begin))))
;; fillPass: every element of dst set to the 32-bit pattern `bits`, the range
  ;; split between pieces (src unused).
  (func (export "fill")
    (param $src i32) (param $dst i32) (param $dstLength i32) (param $bits i32)
    (param $part i32) (param $parts i32)
    (local $at i32) (local $end i32) (local $splat v128)
    (local.set $at (i32.add (local.get $dst) (call $pieceStart (local.get $dstLength) (i32.const 16) (local.get $part) (local.get $parts))))
    (local.set $end (i32.add (local.get $dst) (call $pieceStart (local.get $dstLength) (i32.const 16) (i32.add (local.get $part) (i32.const 1)) (local.get $parts))))
    (local.set $splat (i32x4.splat (local.get $bits)))
    (block $vecDone (loop $vec
      (br_if $vecDone (i32.gt_s (i32.add (local.get $at) (i32.const 4)) (local.get $end)))
      (v128.store (i32.shl (local.get $at) (i32.const 2)) (local.get $splat))
      (local.set $at (i32.add (local.get $at) (i32.const 4)))
      (br $vec)))
    (block $done (loop $scalar
      (br_if $done (i32.ge_s (local.get $at) (local.get $end)))
      (i32.store (i32.shl (local.get $at) (i32.const 2)) (local.get $bits))
      (local.set $at (i32.add (local.get $at) (i32.const 1)))
      (br $scalar))))

  ;; MaxPoolGrad: dx [n, inH, inW, c] from dy [n, outH, outW, c] (src) and the
  ;; pooled input x [n, inH, inW, c] (at element xAt), dilation 1, as tfjs's
  ;; cpu backend defines it: every output's dy goes to the first strict
  ;; maximum of its window in row-major scan order (none if the window holds
  ;; no number above -infinity); windows are visited in (yR, yC) order, so a
  ;; dx element under overlapping windows sums its terms in that order;
  ;; images split between pieces. No JavaScript twin: the kernel
  ;; (max-pool-grad-heap.ts) uses it on the threaded backend only.
  (func (export "maxPoolGrad")
    (param $src i32) (param $dst i32) (param $dstLength i32)
    (param $xAt i32) (param $n i32) (param $inH i32) (param $inW i32) (param $c i32)
    (param $outH i32) (param $outW i32) (param $fH i32) (param $fW i32) (param $sH i32) (param $sW i32)
    (param $padTop i32) (param $padLeft i32)
    (param $part i32) (param $parts i32)
    (local $b1 i32) (local $pixels i32) (local $b i32) (local $yR i32) (local $yC i32)
    (local $d i32) (local $r0 i32) (local $r1 i32) (local $q0 i32) (local $q1 i32) (local $r i32) (local $q i32)
    (local $best f32) (local $at i32) (local $v f32) (local $cell i32) (local $dyAt i32)
    ;; this piece's images: zero their dx, then visit their windows
    (local.set $b (call $share (local.get $n) (local.get $part) (local.get $parts)))
    (local.set $b1 (call $share (local.get $n) (i32.add (local.get $part) (i32.const 1)) (local.get $parts)))
    (local.set $pixels (i32.mul (local.get $inH) (i32.mul (local.get $inW) (local.get $c))))
    (call $zero (i32.add (local.get $dst) (i32.mul (local.get $b) (local.get $pixels))) (i32.mul (i32.sub (local.get $b1) (local.get $b)) (local.get $pixels)))
    (block $imagesDone (loop $images
      (br_if $imagesDone (i32.ge_s (local.get $b) (local.get $b1)))
      (local.set $yR (i32.const 0))
      (block $yRDone (loop $yRLoop
        (br_if $yRDone (i32.ge_s (local.get $yR) (local.get $outH)))
        (local.set $r0 (i32.sub (i32.mul (local.get $yR) (local.get $sH)) (local.get $padTop)))
        (local.set $r1 (call $min (local.get $inH) (i32.add (local.get $r0) (local.get $fH))))
        (local.set $r0 (call $max (i32.const 0) (local.get $r0)))
        (local.set $yC (i32.const 0))
        (block $yCDone (loop $yCLoop
          (br_if $yCDone (i32.ge_s (local.get $yC) (local.get $outW)))
          (local.set $q0 (i32.sub (i32.mul (local.get $yC) (local.get $sW)) (local.get $padLeft)))
          (local.set $q1 (call $min (local.get $inW) (i32.add (local.get $q0) (local.get $fW))))
          (local.set $q0 (call $max (i32.const 0) (local.get $q0)))
          (local.set $dyAt (i32.add (local.get $src) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $outH)) (local.get $yR)) (local.get $outW)) (local.get $yC)) (local.get $c))))
          (local.set $d (i32.const 0))
          (block $dDone (loop $dLoop
            (br_if $dDone (i32.ge_s (local.get $d) (local.get $c)))
            (local.set $best (f32.const -inf))
            (local.set $at (i32.const -1))
            (local.set $r (local.get $r0))
            (block $rDone (loop $rLoop
              (br_if $rDone (i32.ge_s (local.get $r) (local.get $r1)))
              (local.set $q (local.get $q0))
              (block $qDone (loop $qLoop
                (br_if $qDone (i32.ge_s (local.get $q) (local.get $q1)))
                (local.set $cell (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $r)) (local.get $inW)) (local.get $q)) (local.get $c)) (local.get $d)))
                (local.set $v (f32.load (i32.shl (i32.add (local.get $xAt) (local.get $cell)) (i32.const 2))))
                (if (f32.gt (local.get $v) (local.get $best))
                  (then (local.set $best (local.get $v)) (local.set $at (local.get $cell))))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $qLoop)))
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (br $rLoop)))
            (if (i32.ge_s (local.get $at) (i32.const 0))
              (then
                (f32.store (i32.shl (i32.add (local.get $dst) (local.get $at)) (i32.const 2))
                  (f32.add
                    (f32.load (i32.shl (i32.add (local.get $dst) (local.get $at)) (i32.const 2)))
                    (f32.load (i32.shl (i32.add (local.get $dyAt) (local.get $d)) (i32.const 2)))))))
            (local.set $d (i32.add (local.get $d) (i32.const 1)))
            (br $dLoop)))
          (local.set $yC (i32.add (local.get $yC) (i32.const 1)))
          (br $yCLoop)))
        (local.set $yR (i32.add (local.get $yR) (i32.const 1)))
        (br $yRLoop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $images))))

  ;; A native memmove of `num` bytes, for the threaded module's
  ;; `emscripten_memcpy_big` import (the glue's own calls copyWithin on the
  ;; shared heap, which Node runs 3-5x slower than on an ArrayBuffer).
  (func (export "memcpyBig") (param $dest i32) (param $src i32) (param $num i32)
    (memory.copy (local.get $dest) (local.get $src) (local.get $num)))
)
