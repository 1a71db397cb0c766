// Strided views: one kernel for transpose, broadcast_to, stepped slices, flips,
// tile/repeat (strided_copy), and one for their gradients (strided_write).
//   strided_copy:  y (contiguous, shape) [i...] = x[sum_j i_j * strides_j]
//   strided_write: y[sum_j i_j * strides_j] = (or +=) x[i...], x contiguous of shape;
//                  the other elements of y are left alone.
// x / y point at the element the offset names; strides may be 0 or negative.
#pragma once
#include "kerasette/common.h"

namespace ks {

constexpr int kStridedMaxRank = 16;

// The lowest and highest element offsets (relative to the base) the view touches;
// false when the shape is empty (nothing is touched).
bool strided_extent(int rank, const i64* shape, const i64* strides, i64* lo, i64* hi);

void strided_copy(const float* x, float* y, int rank, const i64* shape, const i64* strides);
void strided_write(const float* x, float* y, int rank, const i64* shape, const i64* strides,
                   bool accumulate);

}  // namespace ks
