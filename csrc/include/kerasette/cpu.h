// CPU features (detected once) and the thread policy.
#pragma once
#include <string>
#include "kerasette/common.h"

namespace ks {

enum class Isa : int { generic = 0, avx2 = 1, avx512 = 2 };

struct CpuFeatures {
  bool avx2 = false, fma = false, avx512f = false, os_avx = false, os_avx512 = false;
  // The AVX-512 kernels are built with F+DQ+BW+VL, so the avx512 path needs all four.
  bool avx512dq = false, avx512bw = false, avx512vl = false;
};
// Whether `isa`'s kernels may run here (CPU flags and OS register-state support).
bool isa_supported(Isa isa);
const CpuFeatures& cpu_features();
// The ISA the kernels run with: the best supported, or KERASETTE_ARCH if set and supported.
Isa active_isa();
void set_active_isa(Isa isa);  // tests force each path; throws if unsupported
const char* isa_name(Isa isa);

int get_num_threads();
void set_num_threads(int n);

}  // namespace ks
