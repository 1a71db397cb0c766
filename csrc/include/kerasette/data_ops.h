// Passes over input data before and between training steps.
#pragma once
#include <cstdint>

#include "kerasette/common.h"

namespace ks {

// True when x[0..n) holds no NaN or infinity. Threads split big inputs.
bool all_finite(const float* x, i64 n);

// dst row r = src row idx[r], for r < rows (width floats per row). Rows are random
// reads from a big array, so the copy prefetches a few rows ahead and splits over threads.
void gather_rows(float* dst, const float* src, const std::int64_t* idx, i64 rows, i64 width);

}  // namespace ks
