// Register tile (MR x NR) and cache blocking (MC, KC, NC) for each ISA's GEMM.
//
// Blocking follows the BLIS loop nest (gemm.cc): a KC x NC panel of B is packed once
// per (jc, pc) and lives in L3; an MC x KC block of A is packed per thread and lives
// in L2 (1 MiB per core here); the KC x NR micro-panel of B is reused from L1 by
// every MR-row micro-panel of A. Values were tuned on the 2-core AMD EPYC (Zen 5,
// 48 KiB L1d, 1 MiB L2, 32 MiB L3) this project is benchmarked on (bench/gemm.py).
#pragma once

namespace ks::gemm_detail {

// Portable fallback: plain C++ the compiler vectorises for the baseline ISA (SSE2).
struct GenericBlocks {
  static constexpr int MR = 4, NR = 8;
  static constexpr int MC = 128, KC = 256, NC = 2048;
};

// AVX2 + FMA: 6 x 16 tile = 12 ymm accumulators + 2 B vectors + 1 broadcast.
struct Avx2Blocks {
  static constexpr int MR = 6, NR = 16;
  static constexpr int MC = 144, KC = 256, NC = 4096;
};

// AVX-512: 8 x 32 tile = 16 zmm accumulators + 2 B vectors; A comes in as embedded
// broadcasts. 8 rows measured faster than 12 or 14 here (fewer loads per FMA in
// flight, and 128-row batches split into whole tiles); KC = 256 keeps the
// 32 KiB B micro-panel in L1.
// KS_AVX512_* let a tuning build (bench/) try other values without editing this file.
#ifndef KS_AVX512_MR
#define KS_AVX512_MR 8
#define KS_AVX512_MC 128
#define KS_AVX512_KC 256
#define KS_AVX512_NC 4096
#endif
struct Avx512Blocks {
  static constexpr int MR = KS_AVX512_MR, NR = 32;
  static constexpr int MC = KS_AVX512_MC, KC = KS_AVX512_KC, NC = KS_AVX512_NC;
};

}  // namespace ks::gemm_detail
