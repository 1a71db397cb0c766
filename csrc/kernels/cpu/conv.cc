// Convolution (im2col + ks::gemm), pooling and scans (contracts in kerasette/conv.h).
// The im2col paths run as tasks of a few whole images (for_tasks below): a thread
// unrolls a task's images into its own L2-sized buffer and multiplies them itself, so
// several images make each GEMM tall enough while nothing waits at a barrier. First
// layers with a few taps (K <= 32) skip im2col (conv_kernels.inc).
// im2col copies Cg-float runs (KW * C at once when a window row is contiguous);
// col2im scatters a task's rows back into its own images.
// The pooling selects (v > best ? v : best) only vectorise when GCC may evaluate both
// arms, i.e. without -ftrapping-math (as in the ewise files); nothing here reads FP
// exception flags.
#pragma GCC optimize("no-trapping-math")
#include "kerasette/conv.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "dispatch/kernel_table.h"
#include "kerasette/cpu.h"
#include "kerasette/gemm.h"
#include "kerasette/parallel.h"
#include "kernels/cpu/conv_isa.h"

namespace ks {
namespace conv_generic {
#include "kernels/cpu/conv_kernels.inc"
}  // namespace conv_generic

namespace {

constexpr i64 kParallelMin = i64(1) << 15;

// cols (nb * OH * OW, KH * KW * Cg) of images x[n0 .. n0 + nb) for group g.
void im2col(const ConvShape& s, const float* x, i64 n0, i64 nb, i64 g, float* cols) {
  const i64 Cg = s.Cg(), KK = s.cols(), img = s.H * s.W * s.C;
  // A window row is one run of KW * C floats when taps are adjacent and take all channels.
  const bool row_run = s.dw == 1 && s.groups == 1;
  parallel_ranges(nb * s.OH, std::max<i64>(1, kParallelMin / std::max<i64>(1, s.OW * KK)), 1,
                  [&](i64 b, i64 e) {
                    for (i64 r = b; r < e; ++r) {
                      const i64 n = r / s.OH, oh = r % s.OH;
                      const float* xn = x + (n0 + n) * img;
                      for (i64 ow = 0; ow < s.OW; ++ow) {
                        float* row = cols + (r * s.OW + ow) * KK;
                        const i64 iw0 = ow * s.sw - s.pad_left;
                        const bool cols_in = iw0 >= 0 && iw0 + (s.KW - 1) * s.dw < s.W;
                        for (i64 kh = 0; kh < s.KH; ++kh) {
                          const i64 ih = oh * s.sh - s.pad_top + kh * s.dh;
                          float* dst = row + kh * s.KW * Cg;
                          if (ih < 0 || ih >= s.H) {
                            std::fill(dst, dst + s.KW * Cg, 0.0f);
                            continue;
                          }
                          const float* xr = xn + ih * s.W * s.C + g * Cg;
                          if (row_run && cols_in) {
                            std::memcpy(dst, xr + iw0 * s.C, sizeof(float) * s.KW * Cg);
                            continue;
                          }
                          for (i64 kw = 0; kw < s.KW; ++kw) {
                            const i64 iw = iw0 + kw * s.dw;
                            float* d = dst + kw * Cg;
                            if (iw < 0 || iw >= s.W) std::fill(d, d + Cg, 0.0f);
                            else std::memcpy(d, xr + iw * s.C, sizeof(float) * Cg);
                          }
                        }
                      }
                    }
                  });
}

// dw of a small-K convolution: the images split into a fixed number of parts (never
// the thread count, so results do not depend on it), each part's taps^T @ dy into its
// own slice of scratch, then the parts summed in order.
void small_filter(const ConvShape& s, const float* x, const float* dy, float* dw, float* scratch) {
  const i64 KO = s.cols() * s.O;
  const i64 parts = std::max<i64>(1, std::min({s.N, s.kSmallFilterParts, s.scratch() / KO}));
  const ConvSmallFilterFn part = conv_kernels(active_isa()).small_filter;
  parallel_ranges(parts, 2, 1, [&](i64 b, i64 e) {
    for (i64 p = b; p < e; ++p)
      part(s, x, dy, scratch + p * KO, s.N * p / parts, s.N * (p + 1) / parts);
  });
  parallel_ranges(KO, kParallelMin / std::max<i64>(1, parts), 1, [&](i64 b, i64 e) {
    for (i64 j = b; j < e; ++j) {
      float acc = scratch[j];
      for (i64 p = 1; p < parts; ++p) acc += scratch[p * KO + j];
      dw[j] = acc;
    }
  });
}

// The im2col paths run as tasks of a few whole images, one per thread at a time: each
// task unrolls its images into its thread's own L2-sized buffer and runs the GEMM on
// that thread (kernels inside a team run inline), so there are no barriers between
// unrolling and multiplying and the unrolled rows never leave the core's cache.
// 512 KiB of unrolled rows a task (2 MiB measured slower on this 2 MiB-L2 machine).
constexpr i64 kTaskFloats = i64(1) << 17;
i64 task_images(const ConvShape& s) {
  return std::max<i64>(1,
                       std::min<i64>(s.N, kTaskFloats / std::max<i64>(1, s.OH * s.OW * s.cols())));
}
// 64-byte aligned, so that the GEMM's full-width stores into it never split a line.
float* task_scratch(i64 floats) {
  thread_local std::vector<float> buf;
  if (static_cast<i64>(buf.size()) < floats + 16) buf.resize(floats + 16);
  const auto at = reinterpret_cast<std::uintptr_t>(buf.data());
  return buf.data() + ((64 - at % 64) % 64) / sizeof(float);
}
// body(n0, nb) for each task of nb images from n0, claimed one at a time by the
// team's threads.
template <class Body>
void for_tasks(const ConvShape& s, Body body) {
  const i64 per = task_images(s), tasks = (s.N + per - 1) / per;
  std::atomic<i64> next{0};
  run_team(tasks > 1 ? team_threads() : 1, [&] {
    for (i64 t; (t = next.fetch_add(1)) < tasks;) body(t * per, std::min(per, s.N - t * per));
  });
}

}  // namespace

const char* conv_shape_error(const ConvShape& s) {
  const i64 v[] = {s.N, s.H, s.W, s.C, s.O, s.KH, s.KW, s.OH, s.OW};
  for (i64 d : v)
    if (d < 0 || d > (i64(1) << 32)) return "dims must be in [0, 2^32]";
  if (s.sh < 1 || s.sw < 1 || s.dh < 1 || s.dw < 1) return "strides and dilations must be >= 1";
  if (s.pad_top < 0 || s.pad_left < 0 || s.pad_top > (i64(1) << 32) || s.pad_left > (i64(1) << 32))
    return "padding offsets must be >= 0";
  if (s.groups < 1 || s.C % s.groups != 0 || s.O % s.groups != 0)
    return "groups must divide both C and O";
  // Every output pixel's window must start inside the padded input (so OH/OW are sane);
  // taps outside the image read zeros, never memory.
  if (s.OH > 0 && (s.OH - 1) * s.sh - s.pad_top > s.H + s.pad_top + s.KH * s.dh)
    return "OH too large for H";
  if (s.OW > 0 && (s.OW - 1) * s.sw - s.pad_left > s.W + s.pad_left + s.KW * s.dw)
    return "OW too large for W";
  return "";
}

void conv2d_forward(const ConvShape& s, const float* x, const float* w, float* y, float*) {
  const i64 M = s.OH * s.OW, Og = s.Og(), KK = s.cols();
  if (s.N == 0 || M == 0 || s.O == 0) return;
  if (s.direct()) {  // x is already the (N*H*W, C) matrix
    gemm(false, false, s.N * M, s.O, s.C, 1.0f, x, s.C, w, s.O, 0.0f, y, s.O);
    return;
  }
  if (s.small_k()) {
    const ConvSmallFwdFn fwd = conv_kernels(active_isa()).small_forward;
    parallel_ranges(s.N * s.OH, std::max<i64>(1, kParallelMin / std::max<i64>(1, s.OW * s.O * KK)),
                    1, [&](i64 b, i64 e) { fwd(s, x, w, nullptr, false, y, b, e); });
    return;
  }
  for_tasks(s, [&](i64 n, i64 nb) {
    float* cols = task_scratch(nb * M * KK);
    for (i64 g = 0; g < s.groups; ++g) {
      im2col(s, x, n, nb, g, cols);
      gemm(false, false, nb * M, Og, KK, 1.0f, cols, KK, w + g * Og, s.O, 0.0f,
           y + n * M * s.O + g * Og, s.O);
    }
  });
}

void conv2d_forward_bias_act(const ConvShape& s, const float* x, const float* w, const float* bias,
                             Act act, float act_param, float* y, float*) {
  const i64 M = s.OH * s.OW, Og = s.Og(), KK = s.cols();
  if (s.N == 0 || M == 0 || s.O == 0) return;
  if (s.direct()) {
    gemm_bias_act(false, false, s.N * M, s.O, s.C, x, s.C, w, s.O, bias, act, act_param, y, s.O);
    return;
  }
  if (s.small_k()) {
    const ConvSmallFwdFn fwd = conv_kernels(active_isa()).small_forward;
    const bool relu = act == Act::relu, other = !relu && act != Act::linear;
    parallel_ranges(s.N * s.OH, std::max<i64>(1, kParallelMin / std::max<i64>(1, s.OW * s.O * KK)),
                    1, [&](i64 b, i64 e) {
                      fwd(s, x, w, bias, relu, y, b, e);
                      // x may alias y: the activation in place over these rows, while hot
                      if (other)
                        act_forward(act, act_param, y + b * s.OW * s.O, y + b * s.OW * s.O,
                                    (e - b) * s.OW, s.O);
                    });
    return;
  }
  for_tasks(s, [&](i64 n, i64 nb) {
    float* cols = task_scratch(nb * M * KK);
    for (i64 g = 0; g < s.groups; ++g) {
      im2col(s, x, n, nb, g, cols);
      gemm_bias_act(false, false, nb * M, Og, KK, cols, KK, w + g * Og, s.O, bias + g * Og, act,
                    act_param, y + n * M * s.O + g * Og, s.O);
    }
  });
}

void conv2d_grad_input(const ConvShape& s, const float* dy, const float* w, float* dx, float*) {
  const i64 M = s.OH * s.OW, Og = s.Og(), KK = s.cols();
  if (s.N * s.H * s.W * s.C == 0) return;
  if (s.direct()) {
    gemm(false, true, s.N * M, s.C, s.O, 1.0f, dy, s.O, w, s.O, 0.0f, dx, s.C);
    return;
  }
  const i64 img = s.H * s.W * s.C;
  if (M == 0 || s.O == 0) {
    std::fill(dx, dx + s.N * img, 0.0f);
    return;
  }
  const ConvCol2imFn col2im = conv_kernels(active_isa()).col2im;
  for_tasks(s, [&](i64 n, i64 nb) {
    float* dcols = task_scratch(nb * M * KK);
    for (i64 g = 0; g < s.groups; ++g) {
      // dcols (nb*M, KK) = dy_g (nb*M, Og) @ w_g^T, w_g stored (KK, Og) with row stride O.
      gemm(false, true, nb * M, KK, Og, 1.0f, dy + n * M * s.O + g * Og, s.O, w + g * Og, s.O, 0.0f,
           dcols, KK);
      col2im(s, dcols, nb, g, dx + n * img);
    }
  });
}

void conv2d_grad_filter(const ConvShape& s, const float* x, const float* dy, float* dw,
                        float* scratch) {
  const i64 M = s.OH * s.OW, Og = s.Og(), KK = s.cols();
  if (KK * s.O == 0) return;
  if (s.N == 0 || M == 0) {
    std::fill(dw, dw + KK * s.O, 0.0f);
    return;
  }
  if (s.direct()) {
    gemm(true, false, s.C, s.O, s.N * M, 1.0f, x, s.C, dy, s.O, 0.0f, dw, s.O);
    return;
  }
  if (s.small_k() && s.scratch() >= KK * s.O) {
    small_filter(s, x, dy, dw, scratch);
    return;
  }
  // A fixed number of parts (never the thread count, so the sums do not depend on it),
  // each a run of tasks summed into its own dw; then the parts are added in order.
  const i64 per = task_images(s), tasks = (s.N + per - 1) / per, KO = KK * s.O;
  constexpr i64 kParts = 8;
  const i64 parts = std::min(tasks, kParts);
  thread_local std::vector<float> part_dw;
  part_dw.resize(std::max<i64>(0, parts - 1) * KO);
  float* partial = part_dw.data();
  parallel_ranges(parts, 2, 1, [&](i64 b, i64 e) {
    for (i64 q = b; q < e; ++q) {
      float* out = q == 0 ? dw : partial + (q - 1) * KO;
      float* cols = nullptr;
      for (i64 t = tasks * q / parts; t < tasks * (q + 1) / parts; ++t) {
        const i64 n = t * per, nb = std::min(per, s.N - n);
        if (!cols) cols = task_scratch(per * M * KK);
        const bool first = t == tasks * q / parts;
        for (i64 g = 0; g < s.groups; ++g) {
          im2col(s, x, n, nb, g, cols);
          // dw_g (KK, Og) (+)= cols^T @ dy_g; the part's first task writes.
          gemm(true, false, KK, Og, nb * M, 1.0f, cols, KK, dy + n * M * s.O + g * Og, s.O,
               first ? 0.0f : 1.0f, out + g * Og, s.O);
        }
      }
    }
  });
  for (i64 q = 1; q < parts; ++q) {
    const float* src = partial + (q - 1) * KO;
#pragma omp simd
    for (i64 j = 0; j < KO; ++j) dw[j] += src[j];
  }
}

void pool2d_forward(const ConvShape& s, bool avg, const float* x, float* y) {
  const ConvPoolFwdFn fwd = conv_kernels(active_isa()).pool_forward;
  parallel_ranges(s.N * s.OH,
                  std::max<i64>(1, kParallelMin / std::max<i64>(1, s.OW * s.C * s.KH * s.KW)), 1,
                  [&](i64 b, i64 e) { fwd(s, avg, x, y, b, e); });
}

namespace {

// Pooling backward when windows never overlap (stride >= window, the usual 2x2 / 2):
// every input cell is in at most one window, so dx is written (never accumulated)
// output row by output row, in parallel over (image, output row). Each output row owns
// the input rows from its window's first row up to the next window's (and the last the
// rest of the image): those are zeroed, then each window's taps are written whole,
// g or 0 per channel, with no scatter.
void pool2d_backward_disjoint(const ConvShape& s, bool avg, bool relu, const float* x,
                              const float* dy, float* dx) {
  const i64 C = s.C, img = s.H * s.W * C;
  constexpr i64 kCB = 64;  // channels per block of the max's running best / taken flags
  parallel_ranges(
      s.N * s.OH, std::max<i64>(1, kParallelMin / std::max<i64>(1, s.OW * C * s.KH * s.KW)), 1,
      [&](i64 b, i64 e) {
        for (i64 r = b; r < e; ++r) {
          const i64 n = r / s.OH, oh = r % s.OH;
          const float* xn = x + n * img;
          float* dxn = dx + n * img;
          const i64 own0 =
              oh == 0 ? 0 : std::min<i64>(s.H, std::max<i64>(0, oh * s.sh - s.pad_top));
          const i64 own1 = oh == s.OH - 1
                               ? s.H
                               : std::min<i64>(s.H, std::max<i64>(0, (oh + 1) * s.sh - s.pad_top));
          if (own1 > own0) std::fill(dxn + own0 * s.W * C, dxn + own1 * s.W * C, 0.0f);
          const i64 h0 = std::max<i64>(0, oh * s.sh - s.pad_top);
          const i64 h1 = std::min<i64>(s.H, oh * s.sh - s.pad_top + s.KH);
          for (i64 ow = 0; ow < s.OW; ++ow) {
            const i64 w0 = std::max<i64>(0, ow * s.sw - s.pad_left);
            const i64 w1 = std::min<i64>(s.W, ow * s.sw - s.pad_left + s.KW);
            if (h1 <= h0 || w1 <= w0) continue;
            const float* g = dy + ((n * s.OH + oh) * s.OW + ow) * C;
            if (avg) {
              const float cnt = (float)((h1 - h0) * (w1 - w0));
              for (i64 ih = h0; ih < h1; ++ih)
                for (i64 iw = w0; iw < w1; ++iw) {
                  float* d = dxn + (ih * s.W + iw) * C;
                  const float* xr = xn + (ih * s.W + iw) * C;
                  if (relu) {
#pragma omp simd
                    for (i64 c = 0; c < C; ++c) {
                      const float gv = g[c] / cnt;
                      d[c] = xr[c] > 0.0f ? gv : 0.0f;
                    }
                  } else {
#pragma omp simd
                    for (i64 c = 0; c < C; ++c) d[c] = g[c] / cnt;
                  }
                }
              continue;
            }
            // The first maximum in row-major tap order (a NaN counts as the maximum, the
            // first NaN wins) gets g: the forward's rule, recomputed from x, with the
            // winning tap's number kept as a float so that both loops are plain selects.
            for (i64 c0 = 0; c0 < C; c0 += kCB) {
              const i64 cb = std::min(kCB, C - c0);
              float best[kCB], at[kCB];
              const float* x0 = xn + (h0 * s.W + w0) * C + c0;
              for (i64 c = 0; c < cb; ++c) {
                best[c] = x0[c];
                at[c] = 0.0f;
              }
              float tap = 0.0f;
              for (i64 ih = h0; ih < h1; ++ih)
                for (i64 iw = (ih == h0 ? w0 + 1 : w0); iw < w1; ++iw) {
                  const float* xr = xn + (ih * s.W + iw) * C + c0;
                  tap += 1.0f;
#pragma omp simd
                  for (i64 c = 0; c < cb; ++c) {
                    const float v = xr[c], bc = best[c];
                    const bool take = (v > bc) | ((v != v) & (bc == bc));
                    best[c] = take ? v : bc;
                    at[c] = take ? tap : at[c];
                  }
                }
              tap = 0.0f;
              // With relu the winner takes g only where best > 0; without it always
              // (best set above the floor, so a NaN or -inf maximum passes too).
              const float floor = relu ? 0.0f : -INFINITY;
              if (!relu)
                for (i64 c = 0; c < cb; ++c) best[c] = 1.0f;
              for (i64 ih = h0; ih < h1; ++ih)
                for (i64 iw = w0; iw < w1; ++iw, tap += 1.0f) {
                  float* d = dxn + (ih * s.W + iw) * C + c0;
                  const float* gc = g + c0;  // read unconditionally: if-converted, not branched
#pragma omp simd
                  for (i64 c = 0; c < cb; ++c) {
                    const float gv = gc[c];
                    // relu: the winner is x's maximum, so x > 0 there is best > 0
                    const bool win = (at[c] == tap) & (best[c] > floor);
                    d[c] = win ? gv : 0.0f;
                  }
                }
            }
          }
        }
      });
}

}  // namespace

void pool2d_backward(const ConvShape& s, bool avg, bool relu, const float* x, const float* dy,
                     float* dx) {
  if (s.sh >= s.KH && s.sw >= s.KW && s.OH > 0 && s.OW > 0) {
    pool2d_backward_disjoint(s, avg, relu, x, dy, dx);
    return;
  }
  const i64 C = s.C, img = s.H * s.W * C;
  constexpr i64 kCB = 64;  // channels per block of the max's running best/argmax
  parallel_ranges(s.N,
                  std::max<i64>(1, kParallelMin / std::max<i64>(1, s.OH * s.OW * C * s.KH * s.KW)),
                  1, [&](i64 b, i64 e) {
                    for (i64 n = b; n < e; ++n) {
                      const float* xn = x + n * img;
                      float* dxn = dx + n * img;
                      std::fill(dxn, dxn + img, 0.0f);
                      for (i64 oh = 0; oh < s.OH; ++oh) {
                        const i64 h0 = std::max<i64>(0, oh * s.sh - s.pad_top);
                        const i64 h1 = std::min<i64>(s.H, oh * s.sh - s.pad_top + s.KH);
                        for (i64 ow = 0; ow < s.OW; ++ow) {
                          const i64 w0 = std::max<i64>(0, ow * s.sw - s.pad_left);
                          const i64 w1 = std::min<i64>(s.W, ow * s.sw - s.pad_left + s.KW);
                          if (h1 <= h0 || w1 <= w0) continue;
                          const float* g = dy + ((n * s.OH + oh) * s.OW + ow) * C;
                          if (avg) {
                            const float cnt = (float)((h1 - h0) * (w1 - w0));
                            for (i64 ih = h0; ih < h1; ++ih)
                              for (i64 iw = w0; iw < w1; ++iw) {
                                float* d = dxn + (ih * s.W + iw) * C;
#pragma omp simd
                                for (i64 c = 0; c < C; ++c) d[c] += g[c] / cnt;
                              }
                            continue;
                          }
                          // Max: each channel's grad goes to the first maximum of its window in
                          // row-major tap order (a NaN counts as the maximum).
                          for (i64 c0 = 0; c0 < C; c0 += kCB) {
                            const i64 cb = std::min(kCB, C - c0);
                            float best[kCB];
                            i64 at[kCB];
                            const i64 first = (h0 * s.W + w0) * C + c0;
                            for (i64 c = 0; c < cb; ++c) {
                              best[c] = xn[first + c];
                              at[c] = first + c;
                            }
                            for (i64 ih = h0; ih < h1; ++ih)
                              for (i64 iw = (ih == h0 ? w0 + 1 : w0); iw < w1; ++iw) {
                                const i64 off = (ih * s.W + iw) * C + c0;
                                const float* xr = xn + off;
#pragma omp simd
                                for (i64 c = 0; c < cb; ++c) {
                                  const float v = xr[c];
                                  const bool take = v > best[c] || (v != v && best[c] == best[c]);
                                  best[c] = take ? v : best[c];
                                  at[c] = take ? off + c : at[c];
                                }
                              }
                            for (i64 c = 0; c < cb; ++c) dxn[at[c]] += g[c0 + c];
                          }
                        }
                      }
                      if (relu)  // the image is still in cache
                        for (i64 j = 0; j < img; ++j) dxn[j] = xn[j] > 0.0f ? dxn[j] : 0.0f;
                    }
                  });
}

void cumulative(bool prod, const float* x, float* y, i64 outer, i64 len, i64 inner) {
  parallel_ranges(outer, std::max<i64>(1, kParallelMin / std::max<i64>(1, len * inner)), 1,
                  [&](i64 b, i64 e) {
                    for (i64 o = b; o < e; ++o) {
                      const float* xo = x + o * len * inner;
                      float* yo = y + o * len * inner;
                      if (len > 0) std::memmove(yo, xo, sizeof(float) * inner);
                      for (i64 l = 1; l < len; ++l) {
                        const float* xr = xo + l * inner;
                        const float* prev = yo + (l - 1) * inner;
                        float* yr = yo + l * inner;
                        if (prod) {
#pragma omp simd
                          for (i64 j = 0; j < inner; ++j) yr[j] = prev[j] * xr[j];
                        } else {
#pragma omp simd
                          for (i64 j = 0; j < inner; ++j) yr[j] = prev[j] + xr[j];
                        }
                      }
                    }
                  });
}

}  // namespace ks
