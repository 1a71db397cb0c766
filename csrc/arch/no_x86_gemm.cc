// Targets without x86 (aarch64, Apple silicon) build the generic kernels only. The
// kernel table still names the AVX2/AVX-512 GEMM entries, whose files hold x86
// intrinsics and are left out there (CMakeLists.txt); these stand in for them.
// isa_supported() is false for both ISAs off x86, so none of them is ever called.
#include <cstdio>
#include <cstdlib>

#include "kernels/cpu/gemm/pack.h"
#include "kernels/cpu/gemm/ukernel.h"

namespace ks::gemm_detail {
namespace {
[[noreturn]] void unreachable(const char* what) {
  std::fprintf(stderr, "kerasette: %s called on a CPU without x86 (a dispatch bug)\n", what);
  std::abort();
}
}  // namespace

void ukernel_avx2(i64, const float*, i64, i64, const float*, i64, float*, i64, float, float, int,
                  int) {
  unreachable("ukernel_avx2");
}
void ukernel_avx512(i64, const float*, i64, i64, const float*, i64, float*, i64, float, float, int,
                    int) {
  unreachable("ukernel_avx512");
}
void row_avx2(i64, i64, float, const float*, i64, const float*, i64, float, float*) {
  unreachable("row_avx2");
}
void row_avx512(i64, i64, float, const float*, i64, const float*, i64, float, float*) {
  unreachable("row_avx512");
}
void pack_transpose_avx2(int, const float*, i64, i64, float*) {
  unreachable("pack_transpose_avx2");
}

}  // namespace ks::gemm_detail
