// all_finite and gather_rows (kerasette/data_ops.h): memory-bound, so the work is in
// keeping enough loads in flight, not in arithmetic.
#include "kerasette/data_ops.h"

#include <atomic>
#include <cstring>

#include "kerasette/parallel.h"

namespace ks {
namespace {

// x - x is 0 for finite x and NaN for NaN or +-inf. Sixteen independent sums let the
// compiler vectorise without reassociating one float sum.
bool finite_range(const float* x, i64 n) {
  float acc[16] = {0.0f};
  i64 i = 0;
  for (; i + 16 <= n; i += 16)
    for (int j = 0; j < 16; ++j) acc[j] += x[i + j] - x[i + j];
  for (; i < n; ++i) acc[0] += x[i] - x[i];
  float s = 0.0f;
  for (float a : acc) s += a;
  return s == 0.0f;
}

}  // namespace

bool all_finite(const float* x, i64 n) {
  std::atomic<bool> ok{true};
  parallel_ranges(n, i64(1) << 18, 4096, [&](i64 b, i64 e) {
    if (ok.load(std::memory_order_relaxed) && !finite_range(x + b, e - b))
      ok.store(false, std::memory_order_relaxed);
  });
  return ok.load();
}

void gather_rows(float* dst, const float* src, const std::int64_t* idx, i64 rows, i64 width) {
  constexpr i64 kAhead = 4;  // rows prefetched ahead of the copy
  const i64 bytes = width * (i64)sizeof(float);
  parallel_ranges(rows, (i64(1) << 16) / (width + 1) + 1, 1, [&](i64 b, i64 e) {
    for (i64 r = b; r < e; ++r) {
      if (r + kAhead < e) {
        const char* p = reinterpret_cast<const char*>(src + idx[r + kAhead] * width);
        for (i64 off = 0; off < bytes; off += 64) __builtin_prefetch(p + off, 0, 3);
      }
      std::memcpy(dst + r * width, src + idx[r] * width, (size_t)bytes);
    }
  });
}

}  // namespace ks
