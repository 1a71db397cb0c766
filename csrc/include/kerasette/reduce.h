// Reductions over the middle axis of x viewed as (outer, len, inner) into y (outer, inner).
// Sums (sum, mean, logsumexp's sum of exponentials) and products accumulate in double;
// long rows are cut into fixed chunks whose partial results are combined in order, so the
// result never depends on the thread count. NaN propagates through max/min (numpy);
// argmax/argmin give the first occurrence (a NaN counts as the extreme, as in numpy)
// as a float index; any/all treat every nonzero (NaN included) as true.
#pragma once
#include "kerasette/common.h"

namespace ks {

// The numeric values are part of the Python contract (core.REDUCE_CODES).
#define KS_REDUCE_OPS(X) \
  X(sum) X(mean) X(max) X(min) X(prod) X(argmax) X(argmin) X(any) X(all) X(logsumexp)

enum class RedOp : int {
#define KS_RED_ENUM(name) name,
  KS_REDUCE_OPS(KS_RED_ENUM)
#undef KS_RED_ENUM
      count_
};

const char* reduce_name(RedOp op);

void reduce(RedOp op, const float* x, float* y, i64 outer, i64 len, i64 inner);
// Plain loops in double, the oracle.
void reduce_ref(RedOp op, const float* x, float* y, i64 outer, i64 len, i64 inner);

}  // namespace ks
