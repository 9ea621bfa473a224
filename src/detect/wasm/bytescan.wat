;; Byte passes of the detection engine, in WebAssembly because they touch every byte and a
;; JavaScript loop over a Uint8Array runs them 2-3x slower. Hand-written; `npm run build:wasm`
;; assembles it into bytescan.ts (checked by test/core/bytescan.test.ts).
;;
;; Memory layout (bytes), filled by the caller (src/detect/prefilter.ts, src/detect/decode.ts):
;;     0  keyword byte classes: a class id for each byte value (case folded)
;;   256  base64 classes: 1 upper, 2 lower, 4 digit, 8 '+' '/', 16 '-' '_'
;;   512  URL characters (1 = may sit between percent escapes)
;;   768  hex digits
;;  1024  keyword DFA: a row of W i32 per state (W a power of two ≥ the class count), indexed by
;;        class; each entry is the next state's row offset (state × W × 4), bit-inverted
;;        (negative) when that state ends a keyword
;;  then  event and span buffers and the input, at offsets the caller passes in.
(module
  (memory (export "memory") 1)

  ;; The DFA state reached by reading [$p, $end) from the start state, without reporting: the
  ;; warm-up of a stream that starts inside the input.
  (func $state (param $p i32) (param $end i32) (result i32)
    (local $row i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $row (i32.load offset=1024 (i32.add (local.get $row) (i32.shl (i32.load8_u (i32.load8_u (local.get $p))) (i32.const 2)))))
        (if (i32.lt_s (local.get $row) (i32.const 0))
          (then (local.set $row (i32.xor (local.get $row) (i32.const -1)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (local.get $row))

  ;; Keyword DFA over input[$a, $b) ($in = the input's address): one table load per byte is a
  ;; chain of dependent loads, so four streams over four quarters run interleaved. Each stream
  ;; first reads the $warm bytes before its quarter (the longest keyword minus one), so its
  ;; state is exact from its first byte on. Stream k writes (end offset, row offset) events for
  ;; states that end a keyword at $ev + k × $stride, and its event count at $ev - 16 + 4k.
  (func (export "keywords") (param $in i32) (param $a i32) (param $b i32) (param $warm i32) (param $ev i32) (param $stride i32)
    (local $seg i32) (local $lim i32)
    (local $r0 i32) (local $p0 i32) (local $e0 i32)
    (local $r1 i32) (local $p1 i32) (local $e1 i32)
    (local $r2 i32) (local $p2 i32) (local $e2 i32)
    (local $r3 i32) (local $p3 i32) (local $e3 i32)
    (local.set $seg (i32.shr_u (i32.sub (local.get $b) (local.get $a)) (i32.const 2)))
    (local.set $p0 (i32.add (local.get $in) (local.get $a)))
    (local.set $p1 (i32.add (local.get $p0) (local.get $seg)))
    (local.set $p2 (i32.add (local.get $p1) (local.get $seg)))
    (local.set $p3 (i32.add (local.get $p2) (local.get $seg)))
    (local.set $r0 (call $state (call $warmStart (local.get $in) (local.get $p0) (local.get $warm)) (local.get $p0)))
    (local.set $r1 (call $state (call $warmStart (local.get $in) (local.get $p1) (local.get $warm)) (local.get $p1)))
    (local.set $r2 (call $state (call $warmStart (local.get $in) (local.get $p2) (local.get $warm)) (local.get $p2)))
    (local.set $r3 (call $state (call $warmStart (local.get $in) (local.get $p3) (local.get $warm)) (local.get $p3)))
    (local.set $e0 (local.get $ev))
    (local.set $e1 (i32.add (local.get $e0) (local.get $stride)))
    (local.set $e2 (i32.add (local.get $e1) (local.get $stride)))
    (local.set $e3 (i32.add (local.get $e2) (local.get $stride)))
    (local.set $lim (i32.add (i32.add (local.get $in) (local.get $a)) (local.get $seg)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p0) (local.get $lim)))
      (local.set $r0 (i32.load offset=1024 (i32.add (local.get $r0) (i32.shl (i32.load8_u (i32.load8_u (local.get $p0))) (i32.const 2)))))
      (local.set $p0 (i32.add (local.get $p0) (i32.const 1)))
      (local.set $r1 (i32.load offset=1024 (i32.add (local.get $r1) (i32.shl (i32.load8_u (i32.load8_u (local.get $p1))) (i32.const 2)))))
      (local.set $p1 (i32.add (local.get $p1) (i32.const 1)))
      (local.set $r2 (i32.load offset=1024 (i32.add (local.get $r2) (i32.shl (i32.load8_u (i32.load8_u (local.get $p2))) (i32.const 2)))))
      (local.set $p2 (i32.add (local.get $p2) (i32.const 1)))
      (local.set $r3 (i32.load offset=1024 (i32.add (local.get $r3) (i32.shl (i32.load8_u (i32.load8_u (local.get $p3))) (i32.const 2)))))
      (local.set $p3 (i32.add (local.get $p3) (i32.const 1)))
      ;; One test for the common case: no stream reached a keyword end.
      (if (i32.lt_s (i32.or (i32.or (local.get $r0) (local.get $r1)) (i32.or (local.get $r2) (local.get $r3))) (i32.const 0)) (then
        (if (i32.lt_s (local.get $r0) (i32.const 0)) (then
          (local.set $r0 (i32.xor (local.get $r0) (i32.const -1)))
          (i32.store (local.get $e0) (i32.sub (local.get $p0) (local.get $in)))
          (i32.store offset=4 (local.get $e0) (local.get $r0))
          (local.set $e0 (i32.add (local.get $e0) (i32.const 8)))))
        (if (i32.lt_s (local.get $r1) (i32.const 0)) (then
          (local.set $r1 (i32.xor (local.get $r1) (i32.const -1)))
          (i32.store (local.get $e1) (i32.sub (local.get $p1) (local.get $in)))
          (i32.store offset=4 (local.get $e1) (local.get $r1))
          (local.set $e1 (i32.add (local.get $e1) (i32.const 8)))))
        (if (i32.lt_s (local.get $r2) (i32.const 0)) (then
          (local.set $r2 (i32.xor (local.get $r2) (i32.const -1)))
          (i32.store (local.get $e2) (i32.sub (local.get $p2) (local.get $in)))
          (i32.store offset=4 (local.get $e2) (local.get $r2))
          (local.set $e2 (i32.add (local.get $e2) (i32.const 8)))))
        (if (i32.lt_s (local.get $r3) (i32.const 0)) (then
          (local.set $r3 (i32.xor (local.get $r3) (i32.const -1)))
          (i32.store (local.get $e3) (i32.sub (local.get $p3) (local.get $in)))
          (i32.store offset=4 (local.get $e3) (local.get $r3))
          (local.set $e3 (i32.add (local.get $e3) (i32.const 8)))))))
      (br $next)))
    ;; The last stream also reads the remainder (fewer than four bytes).
    (local.set $lim (i32.add (local.get $in) (local.get $b)))
    (block $td (loop $tl
      (br_if $td (i32.ge_u (local.get $p3) (local.get $lim)))
      (local.set $r3 (i32.load offset=1024 (i32.add (local.get $r3) (i32.shl (i32.load8_u (i32.load8_u (local.get $p3))) (i32.const 2)))))
      (local.set $p3 (i32.add (local.get $p3) (i32.const 1)))
      (if (i32.lt_s (local.get $r3) (i32.const 0)) (then
          (local.set $r3 (i32.xor (local.get $r3) (i32.const -1)))
          (i32.store (local.get $e3) (i32.sub (local.get $p3) (local.get $in)))
          (i32.store offset=4 (local.get $e3) (local.get $r3))
          (local.set $e3 (i32.add (local.get $e3) (i32.const 8)))))
      (br $tl)))
    (i32.store offset=0 (i32.sub (local.get $ev) (i32.const 16)) (i32.shr_u (i32.sub (local.get $e0) (local.get $ev)) (i32.const 3)))
    (i32.store offset=4 (i32.sub (local.get $ev) (i32.const 16)) (i32.shr_u (i32.sub (local.get $e1) (i32.add (local.get $ev) (local.get $stride))) (i32.const 3)))
    (i32.store offset=8 (i32.sub (local.get $ev) (i32.const 16)) (i32.shr_u (i32.sub (local.get $e2) (i32.add (local.get $ev) (i32.shl (local.get $stride) (i32.const 1)))) (i32.const 3)))
    (i32.store offset=12 (i32.sub (local.get $ev) (i32.const 16)) (i32.shr_u (i32.sub (local.get $e3) (i32.add (local.get $ev) (i32.mul (local.get $stride) (i32.const 3)))) (i32.const 3))))

  ;; Where a stream's warm-up starts: $warm bytes before $p, but not before the input.
  (func $warmStart (param $in i32) (param $p i32) (param $warm i32) (result i32)
    (select (local.get $in) (i32.sub (local.get $p) (local.get $warm))
      (i32.lt_s (i32.sub (local.get $p) (local.get $in)) (local.get $warm))))

  ;; Extends a run of URL characters and %XX escapes from $i; records it when it has ≥ 2 escapes.
  (func $percent (param $in i32) (param $i i32) (param $n i32) (param $out i32) (result i32)
    (local $escapes i32) (local $start i32) (local $p i32)
    (local.set $start (local.get $i))
    (block $stop
      (loop $more
        (br_if $stop (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $p (i32.add (local.get $in) (local.get $i)))
        (if (i32.and
              (i32.and (i32.eq (i32.load8_u (local.get $p)) (i32.const 37)) (i32.lt_u (i32.add (local.get $i) (i32.const 2)) (local.get $n)))
              (i32.and (i32.load8_u offset=768 (i32.load8_u offset=1 (local.get $p))) (i32.load8_u offset=768 (i32.load8_u offset=2 (local.get $p)))))
          (then
            (local.set $escapes (i32.add (local.get $escapes) (i32.const 1)))
            (local.set $i (i32.add (local.get $i) (i32.const 3)))
            (br $more)))
        (br_if $stop (i32.eqz (i32.load8_u offset=512 (i32.load8_u (local.get $p)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $more)))
    (if (i32.ge_u (local.get $escapes) (i32.const 2))
      (then (call $push (local.get $out) (local.get $start) (local.get $i) (i32.const 2))))
    (local.get $i))

  (global $spans (export "spans") (mut i32) (i32.const 0))
  (func $push (param $out i32) (param $start i32) (param $end i32) (param $kind i32)
    (local $at i32)
    (local.set $at (i32.add (local.get $out) (i32.mul (global.get $spans) (i32.const 12))))
    (i32.store (local.get $at) (local.get $start))
    (i32.store offset=4 (local.get $at) (local.get $end))
    (i32.store offset=8 (local.get $at) (local.get $kind))
    (global.set $spans (i32.add (global.get $spans) (i32.const 1))))

;; The scan for `encoded` below, byte by byte: from $i (where the scan is between runs) until it
  ;; passes $stop. Returns where it stopped.
  (func $scalar (param $in i32) (param $i i32) (param $stop i32) (param $n i32) (param $out i32) (param $max i32) (result i32)
    (local $c i32) (local $start i32) (local $mask i32) (local $k i32) (local $end i32)
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (local.get $i) (local.get $stop)))
        (br_if $done (i32.ge_u (global.get $spans) (local.get $max)))
        (local.set $c (i32.load8_u (i32.add (local.get $in) (local.get $i))))
        (if (i32.load8_u offset=256 (local.get $c))
          (then
            (local.set $start (local.get $i))
            (local.set $mask (i32.const 0))
            (block $runEnd
              (loop $run
                (br_if $runEnd (i32.ge_u (local.get $i) (local.get $n)))
                (local.set $k (i32.load8_u offset=256 (i32.load8_u (i32.add (local.get $in) (local.get $i)))))
                (br_if $runEnd (i32.eqz (local.get $k)))
                (local.set $mask (i32.or (local.get $mask) (local.get $k)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $run)))
            (local.set $end (local.get $i))
            (block $padEnd
              (loop $pad
                (br_if $padEnd (i32.ge_u (local.get $end) (local.get $n)))
                (br_if $padEnd (i32.ne (i32.load8_u (i32.add (local.get $in) (local.get $end))) (i32.const 61)))
                (br_if $padEnd (i32.ge_u (i32.sub (local.get $end) (local.get $i)) (i32.const 2)))
                (local.set $end (i32.add (local.get $end) (i32.const 1)))
                (br $pad)))
            (if (i32.and
                  (i32.and (i32.ge_u (i32.sub (local.get $end) (local.get $start)) (i32.const 32)) (i32.eq (i32.and (local.get $mask) (i32.const 7)) (i32.const 7)))
                  (i32.ne (i32.and (local.get $mask) (i32.const 24)) (i32.const 24)))
              (then (call $push (local.get $out) (local.get $start) (local.get $end) (i32.const 1)))
              (else
                (if (i32.lt_u (local.get $i) (local.get $n))
                  (then
                    (if (i32.eq (i32.load8_u (i32.add (local.get $in) (local.get $i))) (i32.const 37))
                      (then (local.set $i (call $percent (local.get $in) (local.get $start) (local.get $n) (local.get $out)))))))))
            (if (i32.lt_u (local.get $i) (local.get $end)) (then (local.set $i (local.get $end))))
            (br $outer)))
        (if (i32.eq (local.get $c) (i32.const 37))
          (then
            (if (i32.lt_u (i32.add (local.get $i) (i32.const 2)) (local.get $n))
              (then
                (if (i32.and
                      (i32.load8_u offset=768 (i32.load8_u offset=1 (i32.add (local.get $in) (local.get $i))))
                      (i32.load8_u offset=768 (i32.load8_u offset=2 (i32.add (local.get $in) (local.get $i)))))
                  (then
                    (local.set $i (call $percent (local.get $in) (local.get $i) (local.get $n) (local.get $out)))
                    (br $outer)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (local.get $i))

  ;; Where the byte-by-byte scan may restart at or before $b (not before $lo): just after a byte
  ;; that no run can contain (not a URL character, not '%'); the scan from $lo reaches that
  ;; position between runs, having found nothing on the way.
  (func $resync (param $in i32) (param $b i32) (param $lo i32) (result i32)
    (local $c i32)
    (block $found
      (loop $back
        (br_if $found (i32.le_u (local.get $b) (local.get $lo)))
        (local.set $c (i32.load8_u (i32.add (local.get $in) (i32.sub (local.get $b) (i32.const 1)))))
        (br_if $found (i32.eqz (i32.or (i32.load8_u offset=512 (local.get $c)) (i32.eq (local.get $c) (i32.const 37)))))
        (local.set $b (i32.sub (local.get $b) (i32.const 1)))
        (br $back)))
    (select (local.get $lo) (local.get $b) (i32.lt_u (local.get $b) (local.get $lo))))

  ;; Byte spans that may hold base64 (≥ 32 characters mixing upper, lower case and digits, one
  ;; alphabet) or ≥ 2 percent escapes: (start, end, kind 1 = base64 | 2 = percent) triples at $out.
  ;; Most 16-byte blocks can hold no part of a span: a span needs a '%' or a run of ≥ 30 base64
  ;; characters (32 with '==' padding), and such a run fills the first 15 bytes of an aligned
  ;; block (31 bytes always fill one whole; 30 leave byte 15 only when they start at offset 1).
  ;; SIMD finds the next block with either; the byte-by-byte scan runs from a restart point
  ;; before it until past it.
  (func (export "encoded") (param $in i32) (param $n i32) (param $out i32) (param $max i32) (result i32)
    (local $i i32) (local $b i32) (local $v v128) (local $lower v128) (local $m i32)
    (global.set $spans (i32.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (br_if $done (i32.ge_u (global.get $spans) (local.get $max)))
        (local.set $b (i32.and (local.get $i) (i32.const -16)))
        (block $found
          (loop $skip
            (if (i32.gt_u (i32.add (local.get $b) (i32.const 16)) (local.get $n))
              (then
                ;; Fewer than 16 bytes left: byte by byte to the end.
                (drop (call $scalar (local.get $in) (call $resync (local.get $in) (local.get $b) (local.get $i)) (local.get $n) (local.get $n) (local.get $out) (local.get $max)))
                (br $done)))
            (local.set $v (v128.load (i32.add (local.get $in) (local.get $b))))
            (local.set $lower (v128.or (local.get $v) (i8x16.splat (i32.const 32))))
            ;; Base64 characters: letters (either case), digits, + / - _
            (local.set $m (i8x16.bitmask
              (v128.or
                (v128.or
                  (i8x16.lt_u (i8x16.sub (local.get $lower) (i8x16.splat (i32.const 97))) (i8x16.splat (i32.const 26)))
                  (i8x16.lt_u (i8x16.sub (local.get $v) (i8x16.splat (i32.const 48))) (i8x16.splat (i32.const 10))))
                (v128.or
                  (v128.or (i8x16.eq (local.get $v) (i8x16.splat (i32.const 43))) (i8x16.eq (local.get $v) (i8x16.splat (i32.const 47))))
                  (v128.or (i8x16.eq (local.get $v) (i8x16.splat (i32.const 45))) (i8x16.eq (local.get $v) (i8x16.splat (i32.const 95))))))))
            (br_if $found (i8x16.bitmask (i8x16.eq (local.get $v) (i8x16.splat (i32.const 37)))))
            (br_if $found (i32.eq (i32.and (local.get $m) (i32.const 0x7fff)) (i32.const 0x7fff)))
            (local.set $b (i32.add (local.get $b) (i32.const 16)))
            (br $skip)))
        (local.set $i (call $scalar (local.get $in) (call $resync (local.get $in) (local.get $b) (local.get $i))
          (i32.add (local.get $b) (i32.const 16)) (local.get $n) (local.get $out) (local.get $max)))
        (br $next)))
    (global.get $spans))
)
