// take_along_axis / put_along_axis_add / one_hot (contract in kerasette/index_ops.h).
// Ids are float-stored integers; a NaN or out-of-range id is counted, never followed.
#include "kerasette/index_ops.h"

#include <algorithm>

#include "kerasette/parallel.h"

namespace ks {
namespace {

// The element index an id names along an axis of length L, or -1.
inline i64 axis_index(float f, i64 L) {
  if (!(f > -(float)L - 1.0f && f < (float)L)) return -1;  // NaN lands here too
  i64 i = (i64)f;
  if (i < 0) i += L;
  return i >= 0 && i < L ? i : -1;
}

}  // namespace

i64 take_along_axis(const float* x, const float* idx, float* y, i64 outer, i64 L, i64 J,
                    i64 inner) {
  KS_ASSERT(outer >= 0 && L >= 0 && J >= 0 && inner >= 0 && (outer * J * inner == 0 || (idx && y)));
  i64 bad = 0;
  for (i64 o = 0; o < outer; ++o) {
    const float* xo = x + o * L * inner;
    for (i64 j = 0; j < J; ++j) {
      const float* ir = idx + (o * J + j) * inner;
      float* yr = y + (o * J + j) * inner;
      for (i64 c = 0; c < inner; ++c) {
        const i64 l = axis_index(ir[c], L);
        if (l < 0) {
          ++bad;
          yr[c] = 0.0f;
          continue;
        }
        yr[c] = xo[l * inner + c];
      }
    }
  }
  return bad;
}

i64 put_along_axis_add(const float* dy, const float* idx, float* dx, i64 outer, i64 L, i64 J,
                       i64 inner) {
  KS_ASSERT(outer >= 0 && L >= 0 && J >= 0 && inner >= 0 &&
            (outer * J * inner == 0 || (idx && dy)));
  i64 bad = 0;
  for (i64 o = 0; o < outer; ++o) {
    float* xo = dx + o * L * inner;
    for (i64 j = 0; j < J; ++j) {
      const float* ir = idx + (o * J + j) * inner;
      const float* gr = dy + (o * J + j) * inner;
      for (i64 c = 0; c < inner; ++c) {
        const i64 l = axis_index(ir[c], L);
        if (l < 0) {
          ++bad;
          continue;
        }
        xo[l * inner + c] += gr[c];
      }
    }
  }
  return bad;
}

void one_hot(const float* ids, float* y, i64 N, i64 depth) {
  KS_ASSERT(N >= 0 && depth >= 0 && (N == 0 || ids) && (N * depth == 0 || y));
  parallel_ranges(N, std::max<i64>(1, (i64(1) << 16) / std::max<i64>(depth, 1)), 1,
                  [&](i64 b, i64 e) {
                    std::fill(y + b * depth, y + e * depth, 0.0f);
                    for (i64 i = b; i < e; ++i) {
                      const float f = ids[i];
                      if (f >= 0.0f && f < (float)depth) y[i * depth + (i64)f] = 1.0f;
                    }
                  });
}

}  // namespace ks
