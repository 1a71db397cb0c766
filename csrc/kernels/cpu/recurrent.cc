// Fused recurrent cells over a sequence (layouts and contracts: kerasette/recurrent.h).
// Per time step: one GEMM for the recurrent projection (ks::gemm, threaded, reading the
// previous state in place from the (B, T, u) state array through its leading dimension),
// then one elementwise pass that applies the gates and writes the new state. BPTT walks
// the steps backwards with the saved states/gates: one elementwise pass for the gate
// grads and one GEMM for the grad carried to h_{t-1} per step; dU, which no step needs,
// is summed after the walk in a few long GEMMs instead of one short one per step.
// The LSTM's elementwise passes are the ISA's loops (recurrent_kernels.inc, through the
// dispatch table); GRU and SimpleRNN keep their plain loops here.
#pragma GCC optimize("no-trapping-math")
#include "kerasette/recurrent.h"

#include <atomic>
#include <cmath>
#include <cstring>

#include "dispatch/kernel_table.h"
#include "kerasette/cpu.h"
#include "kerasette/gemm.h"
#include "kerasette/parallel.h"
#include "kernels/cpu/activation_math.h"
#include "kernels/cpu/recurrent_isa.h"

namespace ks {
namespace rnn_generic {
#include "kernels/cpu/recurrent_scalar_vec.h"
#include "kernels/cpu/recurrent_kernels.inc"
}  // namespace rnn_generic

namespace {

inline float sigm(float x) { return 1.0f / (1.0f + std::exp(-x)); }
inline bool step_on(const float* mask, i64 T, i64 b, i64 t) {
  return !mask || mask[b * T + t] != 0.0f;
}
// The state before step t: h0 (leading dim u) or the states array at t-1 (leading dim T*u).
inline const float* prev(const float* s0, const float* S, i64 T, i64 u, i64 t, i64* ld) {
  *ld = t == 0 ? u : T * u;
  return t == 0 ? s0 : S + (t - 1) * u;
}
inline void zero(float* p, i64 n) {
  if (n > 0) std::memset(p, 0, sizeof(float) * (size_t)n);
}
inline float act_fwd(int act, float v) {
  return act == 0 ? std::tanh(v) : act == 1 ? (v > 0.0f ? v : 0.0f) : v;
}
inline float act_dy(int act, float y) {  // derivative from the output
  return act == 0 ? 1.0f - y * y : act == 1 ? (y > 0.0f ? 1.0f : 0.0f) : 1.0f;
}

// dU (u, N) (+)= sum over steps t and rows b of h_{t-1}[b]^T dz_t[b], the per-step
// GEMMs of BPTT summed in a different order: step 0 (h0) in one GEMM over the batch,
// then per row b its steps 1..T-1 in one GEMM of depth T-1 (h_{t-1} and dz_t both run
// along t with fixed strides). dz is (B, T, N) with row stride ldz between steps.
// Threads take strips of 64 columns of dU (a fixed cut, so each element is summed in
// the same order at any thread count); the GEMMs inside run inline.
void recurrent_dU(i64 B, i64 T, i64 u, i64 N, const float* h0, const float* H, const float* dz,
                  i64 ldz, float* dU, i64 lddU) {
  if (u == 0 || B == 0 || T == 0 || N == 0) return;
  constexpr i64 kStrip = 64;
  const i64 parts = (N + kStrip - 1) / kStrip;
  const int team = team_threads();
  std::atomic<i64> next{0};
  run_team(team < parts ? team : (int)parts, [&] {
    for (i64 p; (p = next.fetch_add(1)) < parts;) {
      const i64 j0 = p * kStrip, n = N - j0 < kStrip ? N - j0 : kStrip;
      gemm(true, false, u, n, B, 1.0f, h0, u, dz + j0, T * ldz, 1.0f, dU + j0, lddU);
      if (T > 1)
        for (i64 b = 0; b < B; ++b)
          gemm(true, false, u, n, T - 1, 1.0f, H + b * T * u, u, dz + b * T * ldz + ldz + j0, ldz,
               1.0f, dU + j0, lddU);
    }
  });
}

}  // namespace

// ---- LSTM ----------------------------------------------------------------------------
// A batch row's recurrence never reads another row, so the batch is cut into blocks of
// rows that threads claim, each block walking all T steps alone: no barrier per step.
// Every row is computed by the same code in the same order whatever the block, so the
// results do not depend on the thread count.
namespace {
constexpr i64 kRowBlock = 4;  // rows per block: the widest kRB

// Each row's slice of a (B, T, n) array for the next step lies T*n floats from the next
// row's: too many streams for the hardware prefetcher, so the walks ask one step ahead.
inline void prefetch_rows(const float* p, i64 rows, i64 ld, i64 n, bool write) {
#if defined(__GNUC__)
  for (i64 r = 0; r < rows; ++r)
    for (i64 j = 0; j < n; j += 16) {
      if (write) __builtin_prefetch(p + r * ld + j, 1);
      else __builtin_prefetch(p + r * ld + j, 0);
    }
#else
  (void)p, (void)rows, (void)ld, (void)n, (void)write;
#endif
}

// body(b0, b1) for blocks of kRowBlock rows of [0, B), claimed by a team.
template <class Body>
void row_blocks(i64 B, Body body) {
  const i64 parts = (B + kRowBlock - 1) / kRowBlock;
  const int threads = parts > 1 ? team_threads() : 1;
  std::atomic<i64> next{0};
  run_team(threads < parts ? threads : (int)parts, [&] {
    for (i64 t; (t = next.fetch_add(1)) < parts;) {
      const i64 b0 = t * kRowBlock;
      body(b0, b0 + kRowBlock < B ? b0 + kRowBlock : B);
    }
  });
}

void lstm_fwd_rows(i64 b0, i64 b1, i64 T, i64 u, const RecurrentKernels& k, const float* xp,
                   const float* h0, const float* c0, const float* U, const float* mask, float* H,
                   float* C, float* G) {
  const i64 G4 = 4 * u, ldx = T * G4, ldS = T * u;
  for (i64 t = 0; t < T; ++t) {
    i64 ldp, ldc;
    const float* hp = prev(h0, H, T, u, t, &ldp);
    const float* cp = prev(c0, C, T, u, t, &ldc);
    float* g = G + t * G4;
    if (t + 1 < T) {
      prefetch_rows(xp + b0 * ldx + (t + 1) * G4, b1 - b0, ldx, G4, false);
      if (G != xp) prefetch_rows(g + b0 * ldx + G4, b1 - b0, ldx, G4, true);
      prefetch_rows(H + b0 * ldS + (t + 1) * u, b1 - b0, ldS, u, true);
      prefetch_rows(C + b0 * ldS + (t + 1) * u, b1 - b0, ldS, u, true);
    }
    k.rec_gemm(b1 - b0, G4, u, hp + b0 * ldp, ldp, U, G4, xp + b0 * ldx + t * G4, ldx, g + b0 * ldx,
               ldx);
    for (i64 b = b0; b < b1; ++b) {
      const float* cpb = cp + b * ldc;
      float* hr = H + b * ldS + t * u;
      float* cr = C + b * ldS + t * u;
      k.lstm_fwd_row(u, g + b * ldx, cpb, cr, hr);
      if (!step_on(mask, T, b, t)) {  // masked: the gates are kept, the states carry over
        std::memcpy(cr, cpb, sizeof(float) * (size_t)u);
        std::memcpy(hr, hp + b * ldp, sizeof(float) * (size_t)u);
      }
    }
  }
}

// dh, dc: the (B, u) carried grads, zero on entry; UT (4u, u) is U transposed.
void lstm_bwd_rows(i64 b0, i64 b1, i64 T, i64 u, const RecurrentKernels& k, const float* c0,
                   const float* UT, const float* mask, const float* C, const float* G,
                   const float* dH, const float* dC, float* dxp, float* dh, float* dc) {
  const i64 G4 = 4 * u, ldx = T * G4, ldS = T * u;
  for (i64 t = T - 1; t >= 0; --t) {
    i64 ldc;
    const float* cp = prev(c0, C, T, u, t, &ldc);
    float* dz = dxp + t * G4;
    if (t > 0) {
      const i64 n = b1 - b0, at = b0 * ldS + (t - 1) * u;
      prefetch_rows(G + b0 * ldx + (t - 1) * G4, n, ldx, G4, false);
      if (dxp != G) prefetch_rows(dz + b0 * ldx - G4, n, ldx, G4, true);
      prefetch_rows(C + at, n, ldS, u, false);
      if (t > 1) prefetch_rows(C + at - u, n, ldS, u, false);
      prefetch_rows(dH + at, n, ldS, u, false);
      prefetch_rows(dC + at, n, ldS, u, false);
    }
    for (i64 b = b0; b < b1; ++b) {
      const float* dHr = dH + b * ldS + t * u;
      const float* dCr = dC + b * ldS + t * u;
      float* dzb = dz + b * ldx;
      float* dhb = dh + b * u;
      float* dcb = dc + b * u;
      if (!step_on(mask, T, b, t)) {
        for (i64 j = 0; j < u; ++j) {
          dhb[j] += dHr[j];
          dcb[j] += dCr[j];
        }
        zero(dzb, G4);
        continue;
      }
      k.lstm_bwd_row(u, G + b * ldx + t * G4, cp + b * ldc, C + b * ldS + t * u, dHr, dCr, dhb, dcb,
                     dzb);
    }
    // dh (+)= dz @ U^T: a masked row's dz is zero, so its dh only carries.
    k.rec_gemm(b1 - b0, u, G4, dz + b0 * ldx, ldx, UT, u, dh + b0 * u, u, dh + b0 * u, u);
  }
}
}  // namespace

void lstm_seq_forward(i64 B, i64 T, i64 u, const float* xp, const float* h0, const float* c0,
                      const float* U, const float* mask, float* H, float* C, float* G) {
  const RecurrentKernels& k = recurrent_kernels(active_isa());
  row_blocks(B,
             [&](i64 b0, i64 b1) { lstm_fwd_rows(b0, b1, T, u, k, xp, h0, c0, U, mask, H, C, G); });
}

void lstm_seq_backward(i64 B, i64 T, i64 u, const float* h0, const float* c0, const float* U,
                       const float* mask, const float* H, const float* C, const float* G,
                       const float* dH, const float* dC, float* dxp, float* dh0, float* dc0,
                       float* dU, float* scratch) {
  const i64 G4 = 4 * u;
  const RecurrentKernels& k = recurrent_kernels(active_isa());
  float* dh = scratch;
  float* dc = scratch + B * u;
  float* UT = scratch + 2 * B * u;
  zero(dh, B * u);
  zero(dc, B * u);
  zero(dU, u * G4);
  for (i64 i = 0; i < u; ++i)
    for (i64 j = 0; j < G4; ++j) UT[j * u + i] = U[i * G4 + j];
  row_blocks(B, [&](i64 b0, i64 b1) {
    lstm_bwd_rows(b0, b1, T, u, k, c0, UT, mask, C, G, dH, dC, dxp, dh, dc);
  });
  recurrent_dU(B, T, u, G4, h0, H, dxp, G4, dU, G4);
  if (B * u > 0) {
    std::memcpy(dh0, dh, sizeof(float) * (size_t)(B * u));
    std::memcpy(dc0, dc, sizeof(float) * (size_t)(B * u));
  }
}

// ---- GRU ----------------------------------------------------------------------------
void gru_seq_forward(i64 B, i64 T, i64 u, bool reset_after, const float* xp, const float* h0,
                     const float* U, const float* rb, const float* mask, float* H, float* G,
                     float* scratch) {
  const i64 u3 = 3 * u, ldx = T * u3, ldg = T * 4 * u, ldS = T * u;
  float* rec = scratch;  // (B, 3u)
  for (i64 t = 0; t < T; ++t) {
    i64 ldp;
    const float* hp = prev(h0, H, T, u, t, &ldp);
    const float* x = xp + t * u3;
    float* g = G + t * 4 * u;
    const bool gm = u > 0 && B > 0;
    if (reset_after) {
      if (gm) gemm(false, false, B, u3, u, 1.0f, hp, ldp, U, u3, 0.0f, rec, u3);
      else zero(rec, B * u3);
      if (rb)
        for (i64 b = 0; b < B; ++b)
          for (i64 k = 0; k < u3; ++k) rec[b * u3 + k] += rb[k];
      for (i64 b = 0; b < B; ++b) {
        const float* xb = x + b * ldx;
        const float* rc = rec + b * u3;
        const float* hpb = hp + b * ldp;
        float* gb = g + b * ldg;
        float* hr = H + b * ldS + t * u;
        const bool on = step_on(mask, T, b, t);
        for (i64 j = 0; j < u; ++j) {
          const float z = sigm(xb[j] + rc[j]), r = sigm(xb[u + j] + rc[u + j]);
          const float rh = rc[2 * u + j], hh = std::tanh(xb[2 * u + j] + r * rh);
          gb[j] = z;
          gb[u + j] = r;
          gb[2 * u + j] = hh;
          gb[3 * u + j] = rh;
          hr[j] = on ? z * hpb[j] + (1.0f - z) * hh : hpb[j];
        }
      }
    } else {
      if (gm) gemm(false, false, B, 2 * u, u, 1.0f, hp, ldp, U, u3, 0.0f, rec, u3);
      for (i64 b = 0; b < B; ++b) {
        const float* xb = x + b * ldx;
        const float* rc = rec + b * u3;
        const float* hpb = hp + b * ldp;
        float* gb = g + b * ldg;
        for (i64 j = 0; j < u; ++j) {
          const float z = sigm(xb[j] + rc[j]), r = sigm(xb[u + j] + rc[u + j]);
          gb[j] = z;
          gb[u + j] = r;
          gb[3 * u + j] = r * hpb[j];
        }
      }
      if (gm)
        gemm(false, false, B, u, u, 1.0f, g + 3 * u, ldg, U + 2 * u, u3, 0.0f, rec + 2 * u, u3);
      for (i64 b = 0; b < B; ++b) {
        const float* xb = x + b * ldx;
        const float* rc = rec + b * u3;
        const float* hpb = hp + b * ldp;
        float* gb = g + b * ldg;
        float* hr = H + b * ldS + t * u;
        const bool on = step_on(mask, T, b, t);
        for (i64 j = 0; j < u; ++j) {
          const float z = gb[j], hh = std::tanh(xb[2 * u + j] + rc[2 * u + j]);
          gb[2 * u + j] = hh;
          hr[j] = on ? z * hpb[j] + (1.0f - z) * hh : hpb[j];
        }
      }
    }
  }
}

void gru_seq_backward(i64 B, i64 T, i64 u, bool reset_after, const float* h0, const float* U,
                      const float* mask, const float* H, const float* G, const float* dH,
                      float* dxp, float* dh0, float* dU, float* drb, float* scratch) {
  const i64 u3 = 3 * u, ldx = T * u3, ldg = T * 4 * u, ldS = T * u;
  float* dh = scratch;            // (B, u)
  float* drec = scratch + B * u;  // (B, 3u)
  float* drhp = drec + B * u3;    // (B, u)
  zero(dh, B * u);
  zero(dU, u * u3);
  if (drb) zero(drb, u3);
  const bool gm = u > 0 && B > 0;
  for (i64 t = T - 1; t >= 0; --t) {
    i64 ldp;
    const float* hp = prev(h0, H, T, u, t, &ldp);
    float* dz = dxp + t * u3;
    const float* g = G + t * 4 * u;
    if (reset_after) {
      for (i64 b = 0; b < B; ++b) {
        const float* gb = g + b * ldg;
        const float* hpb = hp + b * ldp;
        const float* dHr = dH + b * ldS + t * u;
        float* dzb = dz + b * ldx;
        float* drc = drec + b * u3;
        float* dhb = dh + b * u;
        if (!step_on(mask, T, b, t)) {
          for (i64 j = 0; j < u; ++j) dhb[j] += dHr[j];
          zero(dzb, u3);
          zero(drc, u3);
          continue;
        }
        for (i64 j = 0; j < u; ++j) {
          const float dht = dHr[j] + dhb[j];
          const float z = gb[j], r = gb[u + j], hh = gb[2 * u + j], rh = gb[3 * u + j];
          const float dzp = dht * (hpb[j] - hh) * z * (1.0f - z);
          const float dhhp = dht * (1.0f - z) * (1.0f - hh * hh);
          const float drp = dhhp * rh * r * (1.0f - r);
          dzb[j] = dzp;
          dzb[u + j] = drp;
          dzb[2 * u + j] = dhhp;
          drc[j] = dzp;
          drc[u + j] = drp;
          drc[2 * u + j] = dhhp * r;
          dhb[j] = dht * z;
        }
      }
      if (gm) {
        gemm(false, true, B, u, u3, 1.0f, drec, u3, U, u3, 1.0f, dh, u);
        gemm(true, false, u, u3, B, 1.0f, hp, ldp, drec, u3, 1.0f, dU, u3);
      }
      if (drb)
        for (i64 b = 0; b < B; ++b)
          for (i64 k = 0; k < u3; ++k) drb[k] += drec[b * u3 + k];
    } else {
      for (i64 b = 0; b < B; ++b) {
        const float* gb = g + b * ldg;
        const float* dHr = dH + b * ldS + t * u;
        float* dzb = dz + b * ldx;
        float* dhb = dh + b * u;
        const bool on = step_on(mask, T, b, t);
        for (i64 j = 0; j < u; ++j) dhb[j] += dHr[j];  // now the total grad on h_t
        if (!on) {
          zero(dzb, u3);
          continue;
        }
        for (i64 j = 0; j < u; ++j) {
          const float z = gb[j], hh = gb[2 * u + j];
          dzb[2 * u + j] = dhb[j] * (1.0f - z) * (1.0f - hh * hh);
        }
      }
      if (gm) gemm(false, true, B, u, u, 1.0f, dz + 2 * u, ldx, U + 2 * u, u3, 0.0f, drhp, u);
      for (i64 b = 0; b < B; ++b) {
        if (!step_on(mask, T, b, t)) continue;
        const float* gb = g + b * ldg;
        const float* hpb = hp + b * ldp;
        float* dzb = dz + b * ldx;
        float* dhb = dh + b * u;
        const float* dr = drhp + b * u;
        for (i64 j = 0; j < u; ++j) {
          const float z = gb[j], r = gb[u + j], hh = gb[2 * u + j];
          dzb[j] = dhb[j] * (hpb[j] - hh) * z * (1.0f - z);
          dzb[u + j] = dr[j] * hpb[j] * r * (1.0f - r);
          dhb[j] = dhb[j] * z + dr[j] * r;
        }
      }
      if (gm) {
        gemm(false, true, B, u, 2 * u, 1.0f, dz, ldx, U, u3, 1.0f, dh, u);
        gemm(true, false, u, 2 * u, B, 1.0f, hp, ldp, dz, ldx, 1.0f, dU, u3);
        gemm(true, false, u, u, B, 1.0f, g + 3 * u, ldg, dz + 2 * u, ldx, 1.0f, dU + 2 * u, u3);
      }
    }
  }
  if (B * u > 0) std::memcpy(dh0, dh, sizeof(float) * (size_t)(B * u));
}

// ---- SimpleRNN ----------------------------------------------------------------------
void rnn_seq_forward(i64 B, i64 T, i64 u, int act, const float* xp, const float* h0, const float* U,
                     const float* mask, float* H) {
  const i64 ldS = T * u;
  for (i64 t = 0; t < T; ++t) {
    i64 ldp;
    const float* hp = prev(h0, H, T, u, t, &ldp);
    float* ht = H + t * u;
    for (i64 b = 0; b < B; ++b)
      std::memcpy(ht + b * ldS, xp + b * ldS + t * u, sizeof(float) * (size_t)u);
    if (u > 0 && B > 0) gemm(false, false, B, u, u, 1.0f, hp, ldp, U, u, 1.0f, ht, ldS);
    for (i64 b = 0; b < B; ++b) {
      float* hr = ht + b * ldS;
      const float* hpb = hp + b * ldp;
      const bool on = step_on(mask, T, b, t);
      for (i64 j = 0; j < u; ++j) hr[j] = on ? act_fwd(act, hr[j]) : hpb[j];
    }
  }
}

void rnn_seq_backward(i64 B, i64 T, i64 u, int act, const float* h0, const float* U,
                      const float* mask, const float* H, const float* dH, float* dxp, float* dh0,
                      float* dU, float* scratch) {
  const i64 ldS = T * u;
  float* dh = scratch;
  zero(dh, B * u);
  zero(dU, u * u);
  for (i64 t = T - 1; t >= 0; --t) {
    float* dz = dxp + t * u;
    for (i64 b = 0; b < B; ++b) {
      const float* hr = H + b * ldS + t * u;
      const float* dHr = dH + b * ldS + t * u;
      float* dzb = dz + b * ldS;
      float* dhb = dh + b * u;
      if (!step_on(mask, T, b, t)) {
        for (i64 j = 0; j < u; ++j) dhb[j] += dHr[j];
        zero(dzb, u);
        continue;
      }
      for (i64 j = 0; j < u; ++j) {
        dzb[j] = (dHr[j] + dhb[j]) * act_dy(act, hr[j]);
        dhb[j] = 0.0f;
      }
    }
    if (u > 0 && B > 0) gemm(false, true, B, u, u, 1.0f, dz, ldS, U, u, 1.0f, dh, u);
  }
  recurrent_dU(B, T, u, u, h0, H, dxp, u, dU, u);
  if (B * u > 0) std::memcpy(dh0, dh, sizeof(float) * (size_t)(B * u));
}

}  // namespace ks
