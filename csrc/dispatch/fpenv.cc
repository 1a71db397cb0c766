// FlushDenormals (kerasette/fpenv.h): the x86 MXCSR FTZ and DAZ bits, or AArch64's
// FPCR.FZ; elsewhere it does nothing.
#include "kerasette/fpenv.h"

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#include <xmmintrin.h>
#define KS_FPENV_X86 1
#endif

namespace ks {

#if defined(KS_FPENV_X86)
namespace {
constexpr unsigned kFtz = 0x8000u, kDaz = 0x0040u;
}  // namespace
FlushDenormals::FlushDenormals() : saved_(_mm_getcsr()) {
  _mm_setcsr(static_cast<unsigned>(saved_) | kFtz | kDaz);
}
FlushDenormals::~FlushDenormals() { _mm_setcsr(static_cast<unsigned>(saved_)); }
#elif defined(__aarch64__)
namespace {
constexpr unsigned long long kFz = 1ull << 24;
unsigned long long get_fpcr() {
  unsigned long long v;
  __asm__ __volatile__("mrs %0, fpcr" : "=r"(v));
  return v;
}
void set_fpcr(unsigned long long v) { __asm__ __volatile__("msr fpcr, %0" : : "r"(v)); }
}  // namespace
FlushDenormals::FlushDenormals() : saved_(get_fpcr()) { set_fpcr(saved_ | kFz); }
FlushDenormals::~FlushDenormals() { set_fpcr(saved_); }
#else
FlushDenormals::FlushDenormals() : saved_(0) {}
FlushDenormals::~FlushDenormals() {}
#endif

}  // namespace ks
