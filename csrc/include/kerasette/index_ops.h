// Index kernels on float-stored integer ids (exact below 2^24): take/put along an axis
// and one-hot. Out-of-range ids never read or write out of bounds; the functions that
// can meet them return how many they met so the caller can raise.
#pragma once
#include "kerasette/common.h"

namespace ks {

// y (outer, J, inner) = x (outer, L, inner) at idx (outer, J, inner) along the middle
// axis; a negative id wraps once (id + L). Bad ids give 0. Returns the count of bad ids.
i64 take_along_axis(const float* x, const float* idx, float* y, i64 outer, i64 L, i64 J, i64 inner);
// The gradient: dx (outer, L, inner) += dy (outer, J, inner) at idx. Bad ids are skipped
// and counted.
i64 put_along_axis_add(const float* dy, const float* idx, float* dx, i64 outer, i64 L, i64 J,
                       i64 inner);
// y (N, depth): row i is one-hot at ids[i]; an id outside [0, depth) gives a zero row.
void one_hot(const float* ids, float* y, i64 N, i64 depth);

}  // namespace ks
