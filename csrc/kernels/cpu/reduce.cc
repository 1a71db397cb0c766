// Reductions (contract in kerasette/reduce.h). The loops live in reduce_kernels.inc,
// compiled here for the baseline ISA and in reduce_avx2.cc / reduce_avx512.cc; the
// dispatch table picks one. This file cuts the work and combines partial results.
//   inner == 1: each row is cut into kChunk-element chunks reduced by `chunk` and
//     combined in order; many rows split over threads by rows, a few long rows by
//     chunks (partials stored, then combined in order): the same bits either way.
//   inner > 1: tiles of columns per outer slice, each reduced along len by `cols`.
#pragma GCC optimize("no-trapping-math")
#include "kerasette/reduce.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "dispatch/kernel_table.h"
#include "kerasette/cpu.h"
#include "kerasette/parallel.h"
#include "kernels/cpu/activation_math.h"
#include "kernels/cpu/reduce_isa.h"

namespace ks {
namespace red_generic {
#include "kernels/cpu/reduce_kernels.inc"
}  // namespace red_generic

namespace {

constexpr i64 kChunk = i64(1) << 14;
constexpr i64 kColTile = 128;  // must match reduce_kernels.inc
constexpr i64 kParallelMin = i64(1) << 16;

const char* const kNames[] = {
#define KS_RED_NAME(name) #name,
    KS_REDUCE_OPS(KS_RED_NAME)
#undef KS_RED_NAME
};

bool isnanf_(float v) { return v != v; }

// acc = acc followed by p (p covers elements starting at `offset` of the row).
void combine(RedOp op, RedPartial& acc, const RedPartial& p, i64 offset) {
  switch (op) {
    case RedOp::sum:
    case RedOp::mean:
      acc.s += p.s;
      return;
    case RedOp::prod:
      acc.s *= p.s;
      return;
    case RedOp::max:
      acc.v = (isnanf_(acc.v) || isnanf_(p.v)) ? NAN : std::max(acc.v, p.v);
      return;
    case RedOp::min:
      acc.v = (isnanf_(acc.v) || isnanf_(p.v)) ? NAN : std::min(acc.v, p.v);
      return;
    case RedOp::argmax:
    case RedOp::argmin: {
      if (isnanf_(acc.v)) return;  // the first NaN stays the answer
      bool better = isnanf_(p.v) || (op == RedOp::argmax ? p.v > acc.v : p.v < acc.v);
      if (better) {
        acc.v = p.v;
        acc.i = offset + p.i;
      }
      return;
    }
    case RedOp::any:
      acc.i = acc.i || p.i;
      return;
    case RedOp::all:
      acc.i = acc.i && p.i;
      return;
    case RedOp::logsumexp: {
      if (isnanf_(acc.v) || isnanf_(p.v)) {
        acc.v = NAN;
        return;
      }
      if (acc.v == INFINITY || p.v == INFINITY) {
        acc.v = INFINITY;
        return;
      }
      if (p.v == -INFINITY) return;
      if (acc.v == -INFINITY) {
        acc = p;
        return;
      }
      float m = std::max(acc.v, p.v);
      acc.s = acc.s * std::exp((double)acc.v - m) + p.s * std::exp((double)p.v - m);
      acc.v = m;
      return;
    }
    default:
      return;
  }
}

float finish(RedOp op, const RedPartial& p, i64 len) {
  switch (op) {
    case RedOp::sum:
    case RedOp::prod:
      return (float)p.s;
    case RedOp::mean:
      return len > 0 ? (float)(p.s / (double)len) : NAN;
    case RedOp::max:
    case RedOp::min:
      return p.v;
    case RedOp::argmax:
    case RedOp::argmin:
      return (float)p.i;
    case RedOp::any:
    case RedOp::all:
      return p.i ? 1.0f : 0.0f;
    case RedOp::logsumexp:
      return std::fabs(p.v) < INFINITY ? (float)((double)p.v + std::log(p.s)) : p.v;
    default:
      return 0.0f;
  }
}

RedPartial empty_partial(RedOp op) {
  switch (op) {
    case RedOp::prod:
      return {1.0, 0.0f, 0};
    case RedOp::max:
    case RedOp::logsumexp:
      return {0.0, -INFINITY, 0};
    case RedOp::min:
      return {0.0, INFINITY, 0};
    case RedOp::all:
      return {0.0, 0.0f, 1};
    default:
      return {0.0, 0.0f, 0};
  }
}

float reduce_row(RedOp op, RedChunkFn chunk, const float* x, i64 len) {
  if (len <= 0) return finish(op, empty_partial(op), len);
  RedPartial acc = chunk(op, x, std::min(len, kChunk));
  for (i64 o = kChunk; o < len; o += kChunk)
    combine(op, acc, chunk(op, x + o, std::min(kChunk, len - o)), o);
  return finish(op, acc, len);
}

}  // namespace

const char* reduce_name(RedOp op) {
  int i = (int)op;
  return i >= 0 && i < (int)RedOp::count_ ? kNames[i] : "unknown";
}

void reduce(RedOp op, const float* x, float* y, i64 outer, i64 len, i64 inner) {
  if (outer <= 0 || inner <= 0) return;
  KS_ASSERT((int)op >= 0 && (int)op < (int)RedOp::count_ && len >= 0 && y && (len == 0 || x));
  const ReduceKernels& k = reduce_kernels(active_isa());
  const i64 total = outer * len * inner;
  if (inner == 1) {
    const int threads = total >= kParallelMin ? team_threads() : 1;
    if (threads <= 1 || outer >= 4 * threads || len <= kChunk) {
      parallel_ranges(outer, std::max<i64>(1, kParallelMin / std::max<i64>(len, 1)), 1,
                      [&](i64 b, i64 e) {
                        for (i64 r = b; r < e; ++r)
                          y[r] = reduce_row(op, k.chunk, x + r * len, len);
                      });
      return;
    }
    // A few long rows: chunks in parallel, then each row's partials combined in order.
    const i64 per_row = (len + kChunk - 1) / kChunk, tasks = outer * per_row;
    thread_local std::vector<RedPartial> parts;
    if ((i64)parts.size() < tasks) parts.resize(tasks);
    RedPartial* P = parts.data();
    parallel_ranges(tasks, 2, 1, [&](i64 b, i64 e) {
      for (i64 t = b; t < e; ++t) {
        const i64 r = t / per_row, c = t % per_row;
        P[t] = k.chunk(op, x + r * len + c * kChunk, std::min(kChunk, len - c * kChunk));
      }
    });
    for (i64 r = 0; r < outer; ++r) {
      RedPartial acc = P[r * per_row];
      for (i64 c = 1; c < per_row; ++c) combine(op, acc, P[r * per_row + c], c * kChunk);
      y[r] = finish(op, acc, len);
    }
    return;
  }
  const i64 tiles = (inner + kColTile - 1) / kColTile, tasks = outer * tiles;
  const i64 per_task = std::max<i64>(1, len * std::min(inner, kColTile));
  parallel_ranges(tasks, std::max<i64>(1, kParallelMin / per_task), 1, [&](i64 b, i64 e) {
    for (i64 t = b; t < e; ++t) {
      const i64 o = t / tiles, j0 = (t % tiles) * kColTile;
      k.cols(op, x + o * len * inner + j0, y + o * inner + j0, len, std::min(kColTile, inner - j0),
             inner);
    }
  });
}

}  // namespace ks
