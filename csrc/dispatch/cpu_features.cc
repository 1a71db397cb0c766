// CPU feature detection (once, from CPUID + XGETBV) and the choice of kernel ISA.
//
// A flag in CPUID only says the core has the instructions; the OS must also save the
// wider registers on context switch, which XGETBV's XCR0 reports. Both are checked.
// KERASETTE_ARCH=generic|avx2|avx512 forces a supported path; KERASETTE_LOG_DISPATCH=1
// prints the choice to stderr.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "kerasette/cpu.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define KS_X86 1
#endif

namespace ks {
namespace {

CpuFeatures detect() {
  CpuFeatures f;
#ifdef KS_X86
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const bool osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
  f.fma = (c >> 12) & 1;
  unsigned long long xcr0 = 0;
  if (osxsave) {
    unsigned lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = (static_cast<unsigned long long>(hi) << 32) | lo;
  }
  f.os_avx = avx && (xcr0 & 0x6) == 0x6;            // XMM + YMM state
  f.os_avx512 = f.os_avx && (xcr0 & 0xe0) == 0xe0;  // opmask + ZMM_Hi256 + Hi16_ZMM
  if (__get_cpuid_max(0, nullptr) >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    f.avx2 = (b >> 5) & 1;
    f.avx512f = (b >> 16) & 1;
    f.avx512dq = (b >> 17) & 1;
    f.avx512bw = (b >> 30) & 1;
    f.avx512vl = (b >> 31) & 1;
  }
#endif
  return f;
}

Isa best_isa() {
  if (isa_supported(Isa::avx512)) return Isa::avx512;
  if (isa_supported(Isa::avx2)) return Isa::avx2;
  return Isa::generic;
}

bool parse_isa(const char* s, Isa* out) {
  for (Isa i : {Isa::generic, Isa::avx2, Isa::avx512})
    if (std::strcmp(s, isa_name(i)) == 0) {
      *out = i;
      return true;
    }
  return false;
}

Isa initial_isa() {
  Isa isa = best_isa();
  const char* env = std::getenv("KERASETTE_ARCH");
  if (env && *env) {
    Isa want;
    if (!parse_isa(env, &want))
      std::fprintf(stderr,
                   "kerasette: KERASETTE_ARCH=%s is not one of generic, avx2, avx512; "
                   "using %s\n",
                   env, isa_name(isa));
    else if (!isa_supported(want))
      std::fprintf(stderr,
                   "kerasette: KERASETTE_ARCH=%s is not supported by this CPU/OS; "
                   "using %s\n",
                   env, isa_name(isa));
    else isa = want;
  }
  const char* log = std::getenv("KERASETTE_LOG_DISPATCH");
  if (log && std::strcmp(log, "0") != 0 && *log) {
    const CpuFeatures& f = cpu_features();
    std::fprintf(stderr,
                 "kerasette dispatch: isa=%s (avx2=%d fma=%d avx512f=%d os_avx=%d "
                 "os_avx512=%d%s)\n",
                 isa_name(isa), f.avx2, f.fma, f.avx512f, f.os_avx, f.os_avx512,
                 env && *env ? ", KERASETTE_ARCH set" : "");
  }
  return isa;
}

std::atomic<int>& active_slot() {
  static std::atomic<int> slot{static_cast<int>(initial_isa())};
  return slot;
}

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures f = detect();
  return f;
}

bool isa_supported(Isa isa) {
  const CpuFeatures& f = cpu_features();
  switch (isa) {
    case Isa::generic:
      return true;
    case Isa::avx2:
      return f.avx2 && f.fma && f.os_avx;
    case Isa::avx512:
      return f.avx512f && f.avx512dq && f.avx512bw && f.avx512vl && f.os_avx512 &&
             isa_supported(Isa::avx2);
  }
  return false;
}

Isa active_isa() { return static_cast<Isa>(active_slot().load(std::memory_order_relaxed)); }

void set_active_isa(Isa isa) {
  if (!isa_supported(isa))
    throw std::invalid_argument(std::string("ISA '") + isa_name(isa) +
                                "' is not supported by this CPU/OS");
  active_slot().store(static_cast<int>(isa), std::memory_order_relaxed);
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::generic:
      return "generic";
    case Isa::avx2:
      return "avx2";
    case Isa::avx512:
      return "avx512";
  }
  return "unknown";
}

}  // namespace ks
