;; The inner tiles of the float64 matrix product (src/reference/matMul64.ts), in WebAssembly
;; with 128-bit SIMD: two float64 lanes per instruction where the TypeScript tiles do one. The
;; TypeScript side packs the operands into this module's memory exactly as its own tiles read
;; them, and each output element is still Σ_k a[m,k]·b[k,p] accumulated in k order from 0, a
;; product rounded and then added (no fused multiply-add): the same bits as the plain loop.
;; `npm run build:wasm` turns this file into matMul64Wasm.ts (its bytes, base64).
(module
  (memory (export "memory") 1)
  ;; For each of `bPanels` panels of b (4 columns, panel q packed at b + q·32K: column c of step
  ;; k at 32k + 8c), times each of `panels` panels of a (4 rows, packed at a + panel·32K: row r
  ;; of step k at 32k + 8r), the 4×4 products into a block of rows `stride` numbers long: row
  ;; 4·panel + r, columns 4q…4q+3, at out + 8·((4·panel + r)·stride + 4q).
  (func (export "tiles") (param $a i32) (param $b i32) (param $out i32) (param $K i32) (param $panels i32) (param $bPanels i32) (param $stride i32)
    (local $q i32) (local $bq i32) (local $panel i32) (local $ka i32) (local $kb i32) (local $end i32) (local $o i32) (local $row i32)
    (local $a0 v128) (local $b01 v128) (local $b23 v128)
    (local $c001 v128) (local $c023 v128) (local $c101 v128) (local $c123 v128)
    (local $c201 v128) (local $c223 v128) (local $c301 v128) (local $c323 v128)
    ;; bytes of one row of the block
    (local.set $row (i32.shl (local.get $stride) (i32.const 3)))
    (block $bDone
      (loop $eachBPanel
        (br_if $bDone (i32.ge_u (local.get $q) (local.get $bPanels)))
        (local.set $bq (i32.add (local.get $b) (i32.mul (local.get $q) (i32.shl (local.get $K) (i32.const 5)))))
        (local.set $panel (i32.const 0))
        (block $allDone
          (loop $eachPanel
            (br_if $allDone (i32.ge_u (local.get $panel) (local.get $panels)))
            (local.set $c001 (v128.const f64x2 0 0))
            (local.set $c023 (v128.const f64x2 0 0))
            (local.set $c101 (v128.const f64x2 0 0))
            (local.set $c123 (v128.const f64x2 0 0))
            (local.set $c201 (v128.const f64x2 0 0))
            (local.set $c223 (v128.const f64x2 0 0))
            (local.set $c301 (v128.const f64x2 0 0))
            (local.set $c323 (v128.const f64x2 0 0))
            (local.set $ka (i32.add (local.get $a) (i32.mul (local.get $panel) (i32.shl (local.get $K) (i32.const 5)))))
            (local.set $end (i32.add (local.get $ka) (i32.shl (local.get $K) (i32.const 5))))
            (local.set $kb (local.get $bq))
            (block $stepsDone
              (loop $eachStep
                (br_if $stepsDone (i32.ge_u (local.get $ka) (local.get $end)))
                (local.set $b01 (v128.load (local.get $kb)))
                (local.set $b23 (v128.load offset=16 (local.get $kb)))
                (local.set $a0 (f64x2.splat (f64.load (local.get $ka))))
                (local.set $c001 (f64x2.add (local.get $c001) (f64x2.mul (local.get $a0) (local.get $b01))))
                (local.set $c023 (f64x2.add (local.get $c023) (f64x2.mul (local.get $a0) (local.get $b23))))
                (local.set $a0 (f64x2.splat (f64.load offset=8 (local.get $ka))))
                (local.set $c101 (f64x2.add (local.get $c101) (f64x2.mul (local.get $a0) (local.get $b01))))
                (local.set $c123 (f64x2.add (local.get $c123) (f64x2.mul (local.get $a0) (local.get $b23))))
                (local.set $a0 (f64x2.splat (f64.load offset=16 (local.get $ka))))
                (local.set $c201 (f64x2.add (local.get $c201) (f64x2.mul (local.get $a0) (local.get $b01))))
                (local.set $c223 (f64x2.add (local.get $c223) (f64x2.mul (local.get $a0) (local.get $b23))))
                (local.set $a0 (f64x2.splat (f64.load offset=24 (local.get $ka))))
                (local.set $c301 (f64x2.add (local.get $c301) (f64x2.mul (local.get $a0) (local.get $b01))))
                (local.set $c323 (f64x2.add (local.get $c323) (f64x2.mul (local.get $a0) (local.get $b23))))
                (local.set $ka (i32.add (local.get $ka) (i32.const 32)))
                (local.set $kb (i32.add (local.get $kb) (i32.const 32)))
                (br $eachStep)))
            ;; row 4·panel of the block, columns 4q…
            (local.set $o (i32.add
              (i32.add (local.get $out) (i32.shl (local.get $q) (i32.const 5)))
              (i32.mul (i32.shl (local.get $panel) (i32.const 2)) (local.get $row))))
            (v128.store (local.get $o) (local.get $c001))
            (v128.store offset=16 (local.get $o) (local.get $c023))
            (local.set $o (i32.add (local.get $o) (local.get $row)))
            (v128.store (local.get $o) (local.get $c101))
            (v128.store offset=16 (local.get $o) (local.get $c123))
            (local.set $o (i32.add (local.get $o) (local.get $row)))
            (v128.store (local.get $o) (local.get $c201))
            (v128.store offset=16 (local.get $o) (local.get $c223))
            (local.set $o (i32.add (local.get $o) (local.get $row)))
            (v128.store (local.get $o) (local.get $c301))
            (v128.store offset=16 (local.get $o) (local.get $c323))
            (local.set $panel (i32.add (local.get $panel) (i32.const 1)))
            (br $eachPanel)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $eachBPanel)))))
