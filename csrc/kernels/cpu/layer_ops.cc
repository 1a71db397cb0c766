// Layer kernels (see layer_ops.h for shapes and the accumulate/write contract).
// These are memory-bound loops next to the GEMMs; plain loops the compiler vectorises.
#include "kerasette/layer_ops.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ks {

// Per-thread double accumulators for the batch-norm reductions: grown once, then reused,
// so a training step allocates nothing in steady state.
static double* scratch_doubles(size_t n) {
  thread_local std::vector<double> buf;
  if (buf.size() < n) buf.resize(n);
  std::fill(buf.begin(), buf.begin() + n, 0.0);
  return buf.data();
}

void rng_permutation(std::uint64_t seed, std::uint64_t stream, std::int64_t* idx, i64 n) {
  for (i64 i = 0; i < n; ++i) idx[i] = i;
  for (i64 i = n - 1; i > 0; --i) {
    i64 j = (i64)(rng_mix(seed, stream, (std::uint64_t)i) % (std::uint64_t)(i + 1));
    std::swap(idx[i], idx[j]);
  }
}

void batchnorm_forward_train(float* y, float* mean, float* invstd, const float* x,
                             const float* gamma, const float* beta, float* moving_mean,
                             float* moving_var, float momentum, float eps, i64 rows, i64 C) {
  KS_ASSERT(rows >= 0 && C >= 0 && (rows * C == 0 || (x && y)) && (C == 0 || (mean && invstd)));
  double* s = scratch_doubles(2 * C);
  double* ss = s + C;
  for (i64 r = 0; r < rows; ++r) {
    const float* xr = x + r * C;
    for (i64 c = 0; c < C; ++c) s[c] += xr[c];
  }
  for (i64 c = 0; c < C; ++c) mean[c] = (float)(s[c] / (double)rows);
  for (i64 r = 0; r < rows; ++r) {
    const float* xr = x + r * C;
    for (i64 c = 0; c < C; ++c) {
      double d = xr[c] - mean[c];
      ss[c] += d * d;
    }
  }
  for (i64 c = 0; c < C; ++c) {
    float var = (float)(ss[c] / (double)rows);  // biased, as Keras
    invstd[c] = 1.0f / std::sqrt(var + eps);
    if (moving_mean) moving_mean[c] = moving_mean[c] * momentum + mean[c] * (1.0f - momentum);
    if (moving_var) moving_var[c] = moving_var[c] * momentum + var * (1.0f - momentum);
  }
  for (i64 r = 0; r < rows; ++r) {
    const float* xr = x + r * C;
    float* yr = y + r * C;
    for (i64 c = 0; c < C; ++c) {
      float v = (xr[c] - mean[c]) * invstd[c];
      if (gamma) v *= gamma[c];
      if (beta) v += beta[c];
      yr[c] = v;
    }
  }
}

void batchnorm_forward_infer(float* y, const float* x, const float* gamma, const float* beta,
                             const float* moving_mean, const float* moving_var, float eps, i64 rows,
                             i64 C) {
  KS_ASSERT(rows >= 0 && C >= 0 && (rows * C == 0 || (x && y && moving_mean && moving_var)));
  for (i64 r = 0; r < rows; ++r) {
    const float* xr = x + r * C;
    float* yr = y + r * C;
    for (i64 c = 0; c < C; ++c) {
      float v = (xr[c] - moving_mean[c]) / std::sqrt(moving_var[c] + eps);
      if (gamma) v *= gamma[c];
      if (beta) v += beta[c];
      yr[c] = v;
    }
  }
}

void batchnorm_backward_train(float* dx, float* dgamma, float* dbeta, const float* dy,
                              const float* x, const float* mean, const float* invstd,
                              const float* gamma, i64 rows, i64 C) {
  KS_ASSERT(rows >= 0 && C >= 0 && (rows * C == 0 || (dy && x && mean && invstd)));
  double* sdy = scratch_doubles(2 * C);
  double* sdyx = sdy + C;
  for (i64 r = 0; r < rows; ++r) {
    const float* xr = x + r * C;
    const float* dyr = dy + r * C;
    for (i64 c = 0; c < C; ++c) {
      float xhat = (xr[c] - mean[c]) * invstd[c];
      sdy[c] += dyr[c];
      sdyx[c] += dyr[c] * xhat;
    }
  }
  for (i64 c = 0; c < C; ++c) {
    if (dgamma) dgamma[c] += (float)sdyx[c];
    if (dbeta) dbeta[c] += (float)sdy[c];
  }
  if (!dx) return;
  const double inv_rows = 1.0 / (double)rows;
  for (i64 r = 0; r < rows; ++r) {
    const float* xr = x + r * C;
    const float* dyr = dy + r * C;
    float* dxr = dx + r * C;
    for (i64 c = 0; c < C; ++c) {
      float g = gamma ? gamma[c] : 1.0f;
      float xhat = (xr[c] - mean[c]) * invstd[c];
      // dx = g*invstd*(dy - mean(dy) - xhat*mean(dy*xhat))
      dxr[c] = g * invstd[c] *
               (dyr[c] - (float)(sdy[c] * inv_rows) - xhat * (float)(sdyx[c] * inv_rows));
    }
  }
}

void layernorm_forward(float* y, float* mean, float* rstd, const float* x, const float* gamma,
                       const float* beta, float eps, i64 rows, i64 C) {
  KS_ASSERT(rows >= 0 && C >= 0 && (rows == 0 || (x && y && mean && rstd)));
  for (i64 r = 0; r < rows; ++r) {
    const float* xr = x + r * C;
    float* yr = y + r * C;
    double s = 0.0;
    for (i64 c = 0; c < C; ++c) s += xr[c];
    float m = (float)(s / (double)C);
    double ss = 0.0;
    for (i64 c = 0; c < C; ++c) {
      double d = xr[c] - m;
      ss += d * d;
    }
    float rs = 1.0f / std::sqrt((float)(ss / (double)C) + eps);
    mean[r] = m;
    rstd[r] = rs;
    for (i64 c = 0; c < C; ++c) {
      float v = (xr[c] - m) * rs;
      if (gamma) v *= gamma[c];
      if (beta) v += beta[c];
      yr[c] = v;
    }
  }
}

void layernorm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                        const float* mean, const float* rstd, const float* gamma, i64 rows, i64 C) {
  KS_ASSERT(rows >= 0 && C >= 0 && (rows == 0 || (dy && x && mean && rstd)));
  for (i64 r = 0; r < rows; ++r) {
    const float* xr = x + r * C;
    const float* dyr = dy + r * C;
    double sg = 0.0, sgx = 0.0;
    for (i64 c = 0; c < C; ++c) {
      float xhat = (xr[c] - mean[r]) * rstd[r];
      float g = dyr[c] * (gamma ? gamma[c] : 1.0f);
      sg += g;
      sgx += g * xhat;
      if (dgamma) dgamma[c] += dyr[c] * xhat;
      if (dbeta) dbeta[c] += dyr[c];
    }
    if (!dx) continue;
    float mg = (float)(sg / (double)C), mgx = (float)(sgx / (double)C);
    float* dxr = dx + r * C;
    for (i64 c = 0; c < C; ++c) {
      float xhat = (xr[c] - mean[r]) * rstd[r];
      float g = dyr[c] * (gamma ? gamma[c] : 1.0f);
      dxr[c] = rstd[r] * (g - mg - xhat * mgx);
    }
  }
}

// An id is valid when 0 <= f < V; f is compared as a float first, because converting a
// float past int64's range (1e30, inf) is undefined (x86 gives INT64_MIN: a wild index).
static inline bool id_ok(float f, i64 V) { return f >= 0.0f && f < 9.0e18f && (i64)f < V; }

i64 embedding_forward(float* y, const float* ids, const float* table, i64 rows, i64 V, i64 D) {
  KS_ASSERT(rows >= 0 && V >= 0 && D >= 0 && (rows == 0 || (y && ids)) && (V * D == 0 || table));
  i64 bad = 0;
  for (i64 r = 0; r < rows; ++r) {
    float f = ids[r];
    float* yr = y + r * D;
    if (!id_ok(f, V)) {
      ++bad;
      std::fill(yr, yr + D, 0.0f);
      continue;
    }
    const i64 id = (i64)f;
    std::copy(table + id * D, table + id * D + D, yr);
  }
  return bad;
}

void embedding_backward(float* dtable, const float* dy, const float* ids, i64 rows, i64 V, i64 D) {
  KS_ASSERT(rows >= 0 && V >= 0 && D >= 0 && (rows == 0 || (dy && ids)) && (V * D == 0 || dtable));
  for (i64 r = 0; r < rows; ++r) {
    float f = ids[r];
    if (!id_ok(f, V)) continue;
    i64 id = (i64)f;
    float* t = dtable + id * D;
    const float* g = dy + r * D;
    for (i64 d = 0; d < D; ++d) t[d] += g[d];
  }
}
void bias_grad(float* dbias, const float* dy, i64 rows, i64 C) {
  for (i64 r = 0; r < rows; ++r) {
    const float* d = dy + r * C;
    for (i64 c = 0; c < C; ++c) dbias[c] += d[c];
  }
}

void constraint_apply(Constraint c, float* w, i64 outer, i64 len, i64 inner, float min_value,
                      float max_value, float rate) {
  const float eps = 1e-7f;  // keras.backend.epsilon()
  if (c == Constraint::none) return;
  if (c == Constraint::non_neg) {
    for (i64 i = 0; i < outer * len * inner; ++i) w[i] = w[i] >= 0.0f ? w[i] : 0.0f;
    return;
  }
  for (i64 o = 0; o < outer; ++o)
    for (i64 in = 0; in < inner; ++in) {
      float* base = w + o * len * inner + in;
      double ss = 0.0;
      for (i64 l = 0; l < len; ++l) ss += (double)base[l * inner] * base[l * inner];
      float norm = (float)std::sqrt(ss), desired;
      if (c == Constraint::max_norm) desired = std::min(std::max(norm, 0.0f), max_value);
      else if (c == Constraint::unit_norm) desired = 1.0f;
      else desired = rate * std::min(std::max(norm, min_value), max_value) + (1.0f - rate) * norm;
      float s = desired / (eps + norm);
      for (i64 l = 0; l < len; ++l) base[l * inner] *= s;
    }
}

double sum_squares(const float* g, i64 n) {
  double s = 0.0;
  for (i64 i = 0; i < n; ++i) s += (double)g[i] * g[i];
  return s;
}
void scale_inplace(float* g, float s, i64 n) {
  for (i64 i = 0; i < n; ++i) g[i] *= s;
}
void clip_inplace(float* g, float lo, float hi, i64 n) {
  for (i64 i = 0; i < n; ++i) g[i] = std::min(std::max(g[i], lo), hi);
}
}  // namespace ks
