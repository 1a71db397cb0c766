// The GEMM driver: BLIS's five loops around a register-tiled micro-kernel.
//
//   for jc in N by NC:                 B panel KC x NC packed once  (L3)
//     for pc in K by KC:
//       for ic in M by MC:             A block MC x KC packed       (L2)
//         for jr in NC by NR:          B micro-panel KC x NR         (L1)
//           for ir in MC by MR:        micro-kernel: MR x NR tile of C in registers
//
// Threads: C is cut into one slab per thread (along N or M, whichever packs less per
// thread); threads claim slabs and run the loops above on each with their own
// scratch, so the hot path has no barriers. Problems under kParallelMinFlops stay on the calling
// thread: below that, waking a second thread costs more than it saves.
//
// One row of A with B not transposed (one-row predict) runs the ISA's row kernel,
// which streams B row by row; one column of C (a binary or regression output layer)
// runs the column kernel's dot products, or the row kernel on C's transpose when A is
// transposed. Other small M with B not transposed skip packing B:
// the micro-kernel reads B rows in place (row stride ldb), since each B element is
// used by only a few rows of A and a packed copy would never pay for itself.
//
// gemm_bias_act's epilogue (bias + elementwise activation) runs on each MC x NC block
// of C right after its last K panel, while the block is still in cache. Row-wise
// activations (softmax, log_softmax) need whole rows and run after the product.
#include "kerasette/gemm.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <new>
#include <thread>

#include "dispatch/kernel_table.h"
#include "kerasette/cpu.h"
#include "kerasette/parallel.h"
#include "kernels/cpu/gemm/pack.h"

namespace ks {
namespace {

using gemm_detail::pack_a;
using gemm_detail::pack_b;

// Below this many flops one thread does the whole product (~20 us of work).
constexpr double kParallelMinFlops = 2.0e6;
// At or below this many rows of op(A), B is read in place instead of packed (also
// whenever A is: a narrow B's rows are already short contiguous runs).
constexpr i64 kDirectBMaxM = 32;
// At or below this many NR-wide column panels of C, A is read in place instead of
// packed: each packed A element would feed only that many micro-kernel calls, and
// packing cost more than the broadcasts from strided rows (one thread: a conv's
// 1815x288 @ 288x64 went from 0.51 to 0.45 ms, a 10-class output layer from 0.08 to
// 0.06 ms).
// KS_DIRECT_A_PANELS lets a tuning build (bench/) try other values.
#ifndef KS_DIRECT_A_PANELS
#define KS_DIRECT_A_PANELS 2
#endif
constexpr i64 kDirectAMaxPanels = KS_DIRECT_A_PANELS;

struct Problem {
  bool tA, tB;
  i64 M, N, K;
  float alpha;
  const float* A;
  i64 lda;
  const float* B;
  i64 ldb;
  float beta;
  float* C;
  i64 ldc;
};

struct Epilogue {
  const float* bias;  // N floats (already offset to the slab's first column) or null
  Act act;
  float param;
  bool elementwise;  // false for row-wise activations, applied after the product
};

i64 round_up(i64 x, i64 m) { return (x + m - 1) / m * m; }

// Grow-only 64-byte aligned scratch, one per thread: OpenMP workers persist, so
// repeated calls (a training loop) allocate nothing after the first.
struct Scratch {
  float* p = nullptr;
  std::size_t cap = 0;  // floats
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  ~Scratch() { std::free(p); }
  float* get(std::size_t n) {
    if (n > cap) {
      std::free(p);
      p = nullptr;
      cap = 0;
      const std::size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
      p = static_cast<float*>(std::aligned_alloc(64, bytes));
      if (!p) throw std::bad_alloc();
      cap = bytes / sizeof(float);
    }
    return p;
  }
};
thread_local Scratch tl_pack_a, tl_pack_b, tl_shared_a;

// rows x cols block of C (row stride ldc): add bias, then the elementwise activation.
void apply_epilogue(const Epilogue& ep, float* C, i64 ldc, i64 rows, i64 cols) {
  const bool act = ep.elementwise && ep.act != Act::linear;
  if (ep.bias)
    for (i64 r = 0; r < rows; ++r) {
      float* c = C + r * ldc;
      for (i64 j = 0; j < cols; ++j) c[j] += ep.bias[j];
    }
  if (!act) return;
  // One call over a contiguous block (a conv's narrow C): per-row calls cost a dispatch
  // for every 64 floats.
  if (ldc == cols) return act_forward(ep.act, ep.param, C, C, 1, rows * cols);
  for (i64 r = 0; r < rows; ++r) act_forward(ep.act, ep.param, C + r * ldc, C + r * ldc, 1, cols);
}

// C = beta * C (beta == 0 writes zeros without reading): the K == 0 / alpha == 0 case.
void scale_c(const Problem& p) {
  for (i64 i = 0; i < p.M; ++i) {
    float* c = p.C + i * p.ldc;
    if (p.beta == 0.0f) std::fill(c, c + p.N, 0.0f);
    else if (p.beta != 1.0f)
      for (i64 j = 0; j < p.N; ++j) c[j] *= p.beta;
  }
}

// K panels of equal depth (784 = 4 x 196, not 3 x 256 + 16): a thin last panel
// would reload and store the whole C block for a few FMAs per element.
i64 k_panel(const GemmKernel& g, i64 K) {
  const i64 panels = (K + g.KC - 1) / g.KC;
  return (K + panels - 1) / panels;
}

// The five loops on one thread, over K panels of k_panel() depth. apacked: op(A) already
// packed for all of K by the caller (only when M <= MC); the panel at depth pc starts at
// apacked + round_up(M, MR) * pc.
void gemm_serial(const GemmKernel& g, const Problem& p, const Epilogue* ep,
                 const float* apacked = nullptr) {
  if (p.M <= 0 || p.N <= 0) return;
  if (p.K <= 0 || p.alpha == 0.0f) {
    scale_c(p);
    if (ep) apply_epilogue(*ep, p.C, p.ldc, p.M, p.N);
    return;
  }
  if (p.M == 1 && !p.tB) {  // one row: stream B row by row, nothing to pack
    g.row(p.K, p.N, p.alpha, p.A, p.tA ? p.lda : 1, p.B, p.ldb, p.beta, p.C);
    if (ep) apply_epilogue(*ep, p.C, p.ldc, 1, p.N);
    return;
  }
  if (p.N == 1 && (!p.tA || p.ldc == 1)) {  // one column: dot products, nothing to pack
    const i64 incb = p.tB ? 1 : p.ldb;
    if (!p.tA) g.col(p.M, p.K, p.alpha, p.A, p.lda, p.B, incb, p.beta, p.C, p.ldc);
    else g.row(p.K, p.M, p.alpha, p.B, incb, p.A, p.lda, p.beta, p.C);  // C^T = b^T A (A is K x M)
    if (ep) apply_epilogue(*ep, p.C, p.ldc, p.M, 1);
    return;
  }
  const i64 MR = g.MR, NR = g.NR;
  const bool direct_a = !apacked && (p.N + NR - 1) / NR <= kDirectAMaxPanels;
  const bool direct_b = !p.tB && (p.M <= kDirectBMaxM || direct_a);
  // A's strides as the micro-kernel reads it: packed panels, or in place.
  const i64 rsa = direct_a ? (p.tA ? p.lda : 1) : MR, csa = direct_a ? (p.tA ? 1 : p.lda) : 1;
  const i64 kc_max = k_panel(g, p.K);
  float* abuf = apacked || direct_a
                    ? nullptr
                    : tl_pack_a.get(round_up(std::min<i64>(p.M, g.MC), MR) * kc_max);
  float* bbuf = tl_pack_b.get(kc_max * (direct_b ? NR : round_up(std::min<i64>(p.N, g.NC), NR)));

  for (i64 jc = 0; jc < p.N; jc += g.NC) {
    const i64 nc = std::min<i64>(g.NC, p.N - jc);
    for (i64 pc = 0; pc < p.K; pc += kc_max) {
      const i64 kc = std::min<i64>(kc_max, p.K - pc);
      const float beta = pc == 0 ? p.beta : 1.0f;  // later K panels accumulate
      const bool last_k = pc + kc == p.K;
      const float* bsrc = p.tB ? p.B + jc * p.ldb + pc : p.B + pc * p.ldb + jc;
      const i64 n_full = nc / NR * NR;
      if (!direct_b) pack_b(NR, p.tB, bsrc, p.ldb, kc, nc, bbuf, g.avx2_pack);
      else if (n_full < nc)  // the ragged last panel must not read past column N
        pack_b(NR, false, bsrc + n_full, p.ldb, kc, nc - n_full, bbuf, g.avx2_pack);

      for (i64 ic = 0; ic < p.M; ic += g.MC) {
        const i64 mc = std::min<i64>(g.MC, p.M - ic);
        const float* asrc = p.tA ? p.A + pc * p.lda + ic : p.A + ic * p.lda + pc;
        if (apacked) abuf = const_cast<float*>(apacked) + round_up(p.M, MR) * pc;
        else if (direct_a) abuf = const_cast<float*>(asrc);
        else pack_a(g.MR, p.tA, asrc, p.lda, mc, kc, abuf, g.avx2_pack);
        const i64 row_step = direct_a ? csa : kc;  // from one MR-row panel to the next, per row
        for (i64 jr = 0; jr < nc; jr += NR) {
          const int nr = static_cast<int>(std::min<i64>(NR, nc - jr));
          const float* bp = bbuf + (direct_b ? 0 : jr / NR * kc * NR);
          i64 rsb = NR;
          if (direct_b && nr == NR) {
            bp = bsrc + jr;
            rsb = p.ldb;
          }
          float* cblock = p.C + ic * p.ldc + jc + jr;
          for (i64 ir = 0; ir < mc; ir += MR) {
            const int mr = static_cast<int>(std::min<i64>(MR, mc - ir));
            g.ukernel(kc, abuf + ir * row_step, rsa, csa, bp, rsb, cblock + ir * p.ldc, p.ldc,
                      p.alpha, beta, mr, nr);
          }
        }
        if (last_k && ep) {
          Epilogue block = *ep;
          if (block.bias) block.bias += jc;
          apply_epilogue(block, p.C + ic * p.ldc + jc, p.ldc, mc, nc);
        }
      }
    }
  }
}

// Rows [i0, i0+m) x cols [j0, j0+n) of C as a problem of its own.
Problem slab(const Problem& p, i64 i0, i64 m, i64 j0, i64 n) {
  Problem s = p;
  s.M = m;
  s.N = n;
  s.A = p.tA ? p.A + i0 : p.A + i0 * p.lda;
  s.B = p.tB ? p.B + j0 * p.ldb : p.B + j0;
  s.C = p.C + i0 * p.ldc + j0;
  return s;
}

void gemm_run(const GemmKernel& g, const Problem& p, const Epilogue* ep) {
  const double flops = 2.0 * static_cast<double>(p.M) * p.N * p.K;
  int nt = flops < kParallelMinFlops ? 1 : team_threads();
  // Slab along N (each thread packs all of A, its share of B) or along M (its share
  // of A, all of B); pick the cut with less packing per thread.
  const i64 n_chunk = round_up((p.N + nt - 1) / std::max(nt, 1), g.NR);
  const i64 m_chunk = round_up((p.M + nt - 1) / std::max(nt, 1), g.MR);
  const bool can_n = p.N >= 2 * g.NR, can_m = p.M >= 2 * g.MR;
  const bool direct_b = !p.tB && p.M <= kDirectBMaxM;
  const double pack_n = static_cast<double>(p.M) * p.K + (direct_b ? 0.0 : double(p.K) * n_chunk);
  const double pack_m = static_cast<double>(m_chunk) * p.K + double(p.K) * p.N;
  const bool split_n = can_n && (!can_m || pack_n <= pack_m);
  if (nt > 1 && !can_n && !can_m) nt = 1;

  if (nt <= 1) {
    gemm_serial(g, p, ep);
  } else {
    const i64 chunk = split_n ? n_chunk : m_chunk;
    const i64 extent = split_n ? p.N : p.M;
    const int parts = static_cast<int>((extent + chunk - 1) / chunk);
    std::exception_ptr err;
    std::mutex err_mu;
    // Slabs along N that each span all of A's rows would each pack the same A: when A
    // is one row block (M <= MC), the team packs it once into a shared buffer first,
    // each thread a share of (K panel, row group) items, then all slabs read it.
    const bool share_a = split_n && !direct_b && p.M <= g.MC &&
                         (std::min(chunk, p.N) + g.NR - 1) / g.NR > kDirectAMaxPanels;
    const i64 kc = k_panel(g, p.K), rows_r = round_up(p.M, g.MR);
    const i64 k_panels = (p.K + kc - 1) / kc;
    const i64 row_group = round_up((p.M + parts - 1) / parts, g.MR);
    const int row_groups = static_cast<int>((p.M + row_group - 1) / row_group);
    const int pack_items = share_a ? static_cast<int>(k_panels) * row_groups : 0;
    float* apacked = share_a ? tl_shared_a.get(rows_r * p.K) : nullptr;
    std::atomic<int> next{0}, next_pack{0}, packed{0};
    // Slabs (and pack items) are claimed, not assigned: see kerasette/parallel.h.
    run_team(parts, [&] {
      for (int t; (t = next_pack.fetch_add(1)) < pack_items; packed.fetch_add(1)) {
        const i64 pc = (t / row_groups) * kc, r0 = (t % row_groups) * row_group;
        const i64 kcp = std::min(kc, p.K - pc), rows = std::min(row_group, p.M - r0);
        const float* asrc = p.tA ? p.A + pc * p.lda + r0 : p.A + r0 * p.lda + pc;
        gemm_detail::pack_a(g.MR, p.tA, asrc, p.lda, rows, kcp, apacked + rows_r * pc + r0 * kcp,
                            g.avx2_pack);
      }
      while (packed.load() < pack_items) std::this_thread::yield();
      for (int t; (t = next.fetch_add(1)) < parts;) {
        const i64 lo = t * chunk, len = std::min(chunk, extent - lo);
        try {
          Problem s = split_n ? slab(p, 0, p.M, lo, len) : slab(p, lo, len, 0, p.N);
          Epilogue e;
          if (ep) {
            e = *ep;
            if (e.bias && split_n) e.bias += lo;
          }
          gemm_serial(g, s, ep ? &e : nullptr, apacked);
        } catch (...) {
          std::lock_guard<std::mutex> lock(err_mu);
          err = std::current_exception();
        }
      }
    });
    if (err) std::rethrow_exception(err);
  }

  if (ep && !ep->elementwise && p.M > 0 && p.N > 0) {  // softmax / log_softmax: whole rows
    if (p.ldc == p.N) act_forward(ep->act, ep->param, p.C, p.C, p.M, p.N);
    else
      for (i64 i = 0; i < p.M; ++i)
        act_forward(ep->act, ep->param, p.C + i * p.ldc, p.C + i * p.ldc, 1, p.N);
  }
}

void check_args(bool transA, bool transB, i64 M, i64 N, i64 K, i64 lda, i64 ldb, i64 ldc) {
  KS_ASSERT(M >= 0 && N >= 0 && K >= 0);
  // A row holds its width (no BLAS max(1, ...)): the Program passes ld = K for K = 0.
  KS_ASSERT(lda >= (transA ? M : K));
  KS_ASSERT(ldb >= (transB ? K : N));
  KS_ASSERT(ldc >= N);
  (void)transA, (void)transB, (void)M, (void)N, (void)K, (void)lda, (void)ldb, (void)ldc;
}

}  // namespace

void gemm(bool transA, bool transB, i64 M, i64 N, i64 K, float alpha, const float* A, i64 lda,
          const float* B, i64 ldb, float beta, float* C, i64 ldc) {
  check_args(transA, transB, M, N, K, lda, ldb, ldc);
  const Problem p{transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc};
  gemm_run(gemm_kernel(active_isa()), p, nullptr);
}

void gemm_bias_act(bool transA, bool transB, i64 M, i64 N, i64 K, const float* A, i64 lda,
                   const float* B, i64 ldb, const float* bias, Act act, float act_param, float* C,
                   i64 ldc) {
  check_args(transA, transB, M, N, K, lda, ldb, ldc);
  const Problem p{transA, transB, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, ldc};
  const bool rowwise = act == Act::softmax || act == Act::log_softmax;
  const Epilogue ep{bias, act, act_param, !rowwise};
  gemm_run(gemm_kernel(active_isa()), p, &ep);
}

}  // namespace ks
