// Strided copy / write (contract in kerasette/strided.h). Memory-bound: the work is in
// walking rows without per-element index arithmetic. Dims of size 1 are dropped and
// dims that walk contiguously are merged first; then each innermost row is a memcpy
// (stride 1), a fill (stride 0) or a strided loop, and a 2-D transpose (source
// contiguous along the second-to-last dim) goes through 32x32 tiles that stay in L1.
#include "kerasette/strided.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "kerasette/parallel.h"

namespace ks {
namespace {

constexpr i64 kParallelMin = i64(1) << 16;
constexpr i64 kTile = 32;

// Drops size-1 dims and merges dims the view walks contiguously. Returns the new rank,
// or -1 when the shape is empty.
int collapse(int rank, const i64* shape, const i64* strides, i64* sh, i64* st) {
  int r = 0;
  for (int d = 0; d < rank; ++d) {
    if (shape[d] == 0) return -1;
    if (shape[d] == 1) continue;
    if (r > 0 && st[r - 1] == strides[d] * shape[d]) {
      sh[r - 1] *= shape[d];
      st[r - 1] = strides[d];
    } else {
      sh[r] = shape[d];
      st[r] = strides[d];
      ++r;
    }
  }
  return r;
}

// Offset of row `row` (an index over dims 0..r-2, row-major).
i64 row_offset(i64 row, int r, const i64* sh, const i64* st, i64* idx) {
  i64 off = 0;
  for (int d = r - 2; d >= 0; --d) {
    idx[d] = row % sh[d];
    row /= sh[d];
    off += idx[d] * st[d];
  }
  return off;
}
// Advances idx/off to the next row.
inline void next_row(int r, const i64* sh, const i64* st, i64* idx, i64& off) {
  for (int d = r - 2; d >= 0; --d) {
    ++idx[d];
    off += st[d];
    if (idx[d] < sh[d]) return;
    off -= idx[d] * st[d];
    idx[d] = 0;
  }
}

// A view maps distinct indices to distinct elements (so writes never collide).
bool injective(int r, const i64* sh, const i64* st) {
  i64 order[kStridedMaxRank];
  for (int d = 0; d < r; ++d) order[d] = d;
  std::sort(order, order + r, [&](i64 a, i64 b) { return std::llabs(st[a]) < std::llabs(st[b]); });
  i64 span = 0;
  for (int q = 0; q < r; ++q) {
    const i64 d = order[q], s = std::llabs(st[d]);
    if (s <= span) return false;
    span += s * (sh[d] - 1);
  }
  return true;
}

template <bool Write, bool Acc>
void rows(const float* x, float* y, int r, const i64* sh, const i64* st, i64 b, i64 e) {
  const i64 inner = sh[r - 1], is = st[r - 1];
  i64 idx[kStridedMaxRank];
  i64 off = row_offset(b, r, sh, st, idx);
  for (i64 row = b; row < e; ++row) {
    const i64 c = row * inner;  // contiguous side
    if (!Write) {
      float* yr = y + c;
      const float* xr = x + off;
      if (is == 1) std::memcpy(yr, xr, sizeof(float) * inner);
      else if (is == 0) std::fill(yr, yr + inner, xr[0]);
      else
        for (i64 j = 0; j < inner; ++j) yr[j] = xr[j * is];
    } else {
      const float* xr = x + c;
      float* yr = y + off;
      if (Acc) {
        if (is == 1) {
#pragma omp simd
          for (i64 j = 0; j < inner; ++j) yr[j] += xr[j];
        } else {
          for (i64 j = 0; j < inner; ++j) yr[j * is] += xr[j];
        }
      } else {
        if (is == 1) std::memcpy(yr, xr, sizeof(float) * inner);
        else
          for (i64 j = 0; j < inner; ++j) yr[j * is] = xr[j];
      }
    }
    next_row(r, sh, st, idx, off);
  }
}

// y (.., A, B) contiguous from x with strides (sa, sb) on the last two dims, |sa| == 1.
void transpose_tiles(const float* x, float* y, int r, const i64* sh, const i64* st, i64 b, i64 e,
                     i64 tiles_a, i64 tiles_b) {
  const i64 A = sh[r - 2], B = sh[r - 1], sa = st[r - 2], sb = st[r - 1];
  i64 idx[kStridedMaxRank];
  for (i64 t = b; t < e; ++t) {
    const i64 per = tiles_a * tiles_b, o = t / per, ta = (t % per) / tiles_b, tb = t % tiles_b;
    // Offset of outer block o over dims 0..r-3 (row_offset walks dims 0..r-2 of a rank r-1 view).
    const i64 base = r > 2 ? row_offset(o, r - 1, sh, st, idx) : 0;
    const i64 a0 = ta * kTile, a1 = std::min(A, a0 + kTile), b0 = tb * kTile,
              b1 = std::min(B, b0 + kTile);
    float* yo = y + o * A * B;
    const float* xo = x + base;
    for (i64 j = b0; j < b1; ++j)
      for (i64 i = a0; i < a1; ++i) yo[i * B + j] = xo[i * sa + j * sb];
  }
}

}  // namespace

bool strided_extent(int rank, const i64* shape, const i64* strides, i64* lo, i64* hi) {
  i64 l = 0, h = 0;
  for (int d = 0; d < rank; ++d) {
    if (shape[d] == 0) return false;
    const i64 span = (shape[d] - 1) * strides[d];
    if (span > 0) h += span;
    else l += span;
  }
  *lo = l;
  *hi = h;
  return true;
}

void strided_copy(const float* x, float* y, int rank, const i64* shape, const i64* strides) {
  KS_ASSERT(rank >= 0 && rank <= kStridedMaxRank && (rank == 0 || (shape && strides)));
  i64 sh[kStridedMaxRank], st[kStridedMaxRank];
  const int r = collapse(rank, shape, strides, sh, st);
  if (r < 0) return;
  if (r == 0) {
    y[0] = x[0];
    return;
  }
  i64 total = 1;
  for (int d = 0; d < r; ++d) total *= sh[d];
  if (r >= 2 && st[r - 1] != 1 && std::llabs(st[r - 2]) == 1 && sh[r - 1] >= 8 && sh[r - 2] >= 8) {
    const i64 ta = (sh[r - 2] + kTile - 1) / kTile, tb = (sh[r - 1] + kTile - 1) / kTile;
    const i64 tasks = total / (sh[r - 2] * sh[r - 1]) * ta * tb;
    parallel_ranges(tasks, std::max<i64>(1, kParallelMin / (kTile * kTile)), 1,
                    [&](i64 b, i64 e) { transpose_tiles(x, y, r, sh, st, b, e, ta, tb); });
    return;
  }
  const i64 inner = sh[r - 1], nrows = total / inner;
  parallel_ranges(nrows, std::max<i64>(1, kParallelMin / inner), 1,
                  [&](i64 b, i64 e) { rows<false, false>(x, y, r, sh, st, b, e); });
}

void strided_write(const float* x, float* y, int rank, const i64* shape, const i64* strides,
                   bool accumulate) {
  KS_ASSERT(rank >= 0 && rank <= kStridedMaxRank && (rank == 0 || (shape && strides)));
  i64 sh[kStridedMaxRank], st[kStridedMaxRank];
  const int r = collapse(rank, shape, strides, sh, st);
  if (r < 0) return;
  if (r == 0) {
    y[0] = accumulate ? y[0] + x[0] : x[0];
    return;
  }
  i64 total = 1;
  for (int d = 0; d < r; ++d) total *= sh[d];
  const i64 inner = sh[r - 1], nrows = total / inner;
  // Rows may split over threads only when no two indices share an element.
  const i64 min_par = injective(r, sh, st) ? std::max<i64>(1, kParallelMin / inner) : nrows + 1;
  parallel_ranges(nrows, min_par, 1, [&](i64 b, i64 e) {
    if (accumulate) rows<true, true>(x, y, r, sh, st, b, e);
    else rows<true, false>(x, y, r, sh, st, b, e);
  });
}

}  // namespace ks
