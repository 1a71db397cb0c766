// More branch-free float32 math for the fused elementwise kernel, on top of
// activation_math.h: rounding without libm calls (so it vectorises on every ISA),
// log2/log10 with an exact exponent part, erf accurate near zero, general log1p, and
// the hyperbolic family. Same style: selects instead of branches, compiled per ISA.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels/cpu/activation_math.h"

namespace ks {
namespace vmath {

// Round half to even (numpy's round/rint): adding and subtracting 2^23 rounds in the
// FPU's default mode; |x| >= 2^23 (and inf, NaN) are already integers / pass through.
static inline __attribute__((always_inline)) float round_f(float x) {
  float ax = std::fabs(x);
  float r = std::copysign((ax + 8388608.0f) - 8388608.0f, x);
  return ax < 8388608.0f ? r : x;
}
static inline __attribute__((always_inline)) float floor_f(float x) {
  float r = round_f(x);
  return r > x ? r - 1.0f : r;
}
static inline __attribute__((always_inline)) float ceil_f(float x) {
  float r = round_f(x);
  return r < x ? r + 1.0f : r;
}
static inline __attribute__((always_inline)) float trunc_f(float x) {
  float ax = std::fabs(x);
  return ax < 8388608.0f ? std::copysign(floor_f(ax), x) : x;
}

// ln(x) = e * ln2 + f, the pieces of log_f before they are added, so log2/log10 can
// weight the exact exponent separately (log2(8) is exactly 3).
static inline __attribute__((always_inline)) void log_parts(float x, float* e_out, float* m_out,
                                                            float* y_out) {
  std::uint32_t bits;
  std::memcpy(&bits, &x, 4);
  std::int32_t e = (std::int32_t)((bits >> 23) & 0xff) - 126;
  float m = as_float((std::int32_t)((bits & 0x807fffffu) | 0x3f000000u));
  bool small = m < 0.707106781186547524f;
  float ef = (float)(small ? e - 1 : e);
  m = small ? m + m - 1.0f : m - 1.0f;
  float z = m * m;
  float y = 7.0376836292E-2f;
  y = y * m - 1.1514610310E-1f;
  y = y * m + 1.1676998740E-1f;
  y = y * m - 1.2420140846E-1f;
  y = y * m + 1.4249322787E-1f;
  y = y * m - 1.6668057665E-1f;
  y = y * m + 2.0000714765E-1f;
  y = y * m - 2.4999993993E-1f;
  y = y * m + 3.3333331174E-1f;
  y = y * m * z;
  y = y - 0.5f * z;
  *e_out = ef;
  *m_out = m;
  *y_out = y;
}
static inline __attribute__((always_inline)) float log_edge(float x, float res) {
  float edge = x == 0.0f ? -INFINITY : (x > 0.0f ? x : NAN);
  return (x > 0.0f && x < INFINITY) ? res : edge;
}
static inline __attribute__((always_inline)) float log2_f(float x) {
  float e, m, y;
  log_parts(x, &e, &m, &y);
  const float kA = 0.44269504088896340736f;  // log2(e) - 1, so (m + y) is added unscaled
  float r = y * kA + m * kA + y + m + e;
  return log_edge(x, r);
}
static inline __attribute__((always_inline)) float log10_f(float x) {
  float e, m, y;
  log_parts(x, &e, &m, &y);
  // log10(e) and log10(2) each split in a short head and a tail (Cephes log10f).
  const float kEA = 4.3359375E-1f, kEB = 7.00731903251827651129E-4f;
  const float k2A = 3.0078125E-1f, k2B = 2.48745663981195213739E-4f;
  float r = y * kEB + m * kEB + e * k2B + y * kEA + m * kEA + e * k2A;
  return log_edge(x, r);
}

// log(1 + u) for any u (log1p_f in activation_math.h assumes u >= 0 and finite).
static inline __attribute__((always_inline)) float log1p_any_f(float u) {
  float w = 1.0f + u;
  float d = w - 1.0f;
  float r = log_f(w) * (u / (d == 0.0f ? 1.0f : d));
  r = u == INFINITY ? u : r;
  return d == 0.0f ? u : r;
}

// erf: a Taylor series below 0.5 (1 - erfc would lose the small values), 1 - erfc above.
static inline __attribute__((always_inline)) float erf_f(float x) {
  float ax = std::fabs(x);
  float z = x * x;
  float p = -1.4925650358406251e-05f;
  p = p * z + 1.2055332981789664e-04f;
  p = p * z - 8.5483255082993370e-04f;
  p = p * z + 5.2239776254421880e-03f;
  p = p * z - 2.6866170645131252e-02f;
  p = p * z + 1.1283791670955126e-01f;
  p = p * z - 3.7612638903183754e-01f;
  p = p * z + 1.1283791670955126f;
  float small = x * p;
  float big = std::copysign(1.0f - erfc_pos_f(ax), x);
  return ax < 0.5f ? small : big;
}

// sinh/cosh: expm1 keeps sinh accurate near 0; above 88 e^|x| overflows before the
// result does, so the result is built as (e^(|x|/2) / 2) * e^(|x|/2).
static inline __attribute__((always_inline)) float sinh_f(float x) {
  float ax = std::fabs(x);
  float em1 = expm1_f(ax);
  float mid = 0.5f * (em1 + em1 / (em1 + 1.0f));
  float h = exp_f(0.5f * ax);
  float big = (0.5f * h) * h;
  return std::copysign(ax < 88.0f ? mid : big, x);
}
static inline __attribute__((always_inline)) float cosh_f(float x) {
  float ax = std::fabs(x);
  float e = exp_f(ax);
  float mid = 0.5f * (e + 1.0f / e);
  float h = exp_f(0.5f * ax);
  float big = (0.5f * h) * h;
  return ax < 88.0f ? mid : big;
}
static inline __attribute__((always_inline)) float asinh_f(float x) {
  float ax = std::fabs(x);
  float a2 = ax * ax;
  float mid = log1p_any_f(ax + a2 / (1.0f + std::sqrt(1.0f + a2)));
  float big = log_f(ax) + 0.693147180559945309f;
  return std::copysign(ax < 1e4f ? mid : big, x);
}
static inline __attribute__((always_inline)) float acosh_f(float x) {
  float t = x - 1.0f;
  float mid = log1p_any_f(t + std::sqrt(t * (t + 2.0f)));
  float big = log_f(x) + 0.693147180559945309f;
  float r = x < 1e4f ? mid : big;
  return x >= 1.0f ? r : (x != x ? x : NAN);
}
static inline __attribute__((always_inline)) float atanh_f(float x) {
  float ax = std::fabs(x);
  float r = 0.5f * log1p_any_f((ax + ax) / (1.0f - ax));
  return std::copysign(r, x);
}

// Trigonometry (Cephes sinf/cosf/tanf/atanf/asinf polynomials). sin/cos/tan reduce by
// pi/4 in three float pieces, accurate for |x| <= kTrigMax; callers send larger, inf and
// NaN arguments to libm (ewise_kernels.inc checks each block first).
constexpr float kTrigMax = 8192.0f;

static inline __attribute__((always_inline)) void trig_reduce(float ax, std::int32_t* j_out,
                                                              float* r_out) {
  std::int32_t j = (std::int32_t)(ax * 1.27323954473516f);  // ax >= 0: truncation = floor
  j += j & 1;                                               // to the even octant
  const float y = (float)j;
  *r_out = ((ax - y * 0.78515625f) - y * 2.4187564849853515625e-4f) - y * 3.77489497744594108e-8f;
  *j_out = j & 7;
}
static inline __attribute__((always_inline)) float sin_poly(float r, float z) {
  return ((-1.9515295891E-4f * z + 8.3321608736E-3f) * z - 1.6666654611E-1f) * z * r + r;
}
static inline __attribute__((always_inline)) float cos_poly(float z) {
  return ((2.443315711809948E-5f * z - 1.388731625493765E-3f) * z + 4.166664568298827E-2f) * z * z -
         0.5f * z + 1.0f;
}
static inline __attribute__((always_inline)) float sin_f(float x) {
  std::int32_t j;
  float r;
  trig_reduce(std::fabs(x), &j, &r);
  const float z = r * r;
  float v = (j == 2 || j == 6) ? cos_poly(z) : sin_poly(r, z);
  v = j > 3 ? -v : v;
  return x < 0.0f ? -v : v;
}
static inline __attribute__((always_inline)) float cos_f(float x) {
  std::int32_t j;
  float r;
  trig_reduce(std::fabs(x), &j, &r);
  const float z = r * r;
  float v = (j == 2 || j == 6) ? sin_poly(r, z) : cos_poly(z);
  return (j == 2 || j == 4) ? -v : v;
}
static inline __attribute__((always_inline)) float tan_f(float x) {
  std::int32_t j;
  float r;
  trig_reduce(std::fabs(x), &j, &r);
  const float z = r * r;
  float p = 9.38540185543E-3f;
  p = p * z + 3.11992232697E-3f;
  p = p * z + 2.44301354525E-2f;
  p = p * z + 5.34112807005E-2f;
  p = p * z + 1.33387994085E-1f;
  p = p * z + 3.33331568548E-1f;
  float v = p * z * r + r;
  v = (j & 2) ? -1.0f / v : v;
  return x < 0.0f ? -v : v;
}
static inline __attribute__((always_inline)) float atan_f(float x) {
  const float a = std::fabs(x);
  const bool big = a > 2.414213562373095f, mid = a > 0.4142135623730950f;
  const float t = big ? -1.0f / a : (mid ? (a - 1.0f) / (a + 1.0f) : a);
  const float base = big ? 1.5707963267948966f : (mid ? 0.7853981633974483f : 0.0f);
  const float z = t * t;
  const float v =
      base + ((((8.05374449538e-2f * z - 1.38776856032E-1f) * z + 1.99777106478E-1f) * z -
               3.33329491539E-1f) *
                  z * t +
              t);
  return x < 0.0f ? -v : v;
}
// asin of a in [0, 1] (NaN above).
static inline __attribute__((always_inline)) float asin_pos(float a) {
  const bool hi = a > 0.5f;
  const float z = hi ? 0.5f * (1.0f - a) : a * a;
  const float t = hi ? std::sqrt(z) : a;
  float v =
      ((((4.2163199048E-2f * z + 2.4181311049E-2f) * z + 4.5470025998E-2f) * z + 7.4953002686E-2f) *
           z +
       1.6666752422E-1f) *
          z * t +
      t;
  v = hi ? 1.5707963267948966f - (v + v) : v;
  return a <= 1.0f ? v : NAN;
}
static inline __attribute__((always_inline)) float asin_f(float x) {
  const float v = asin_pos(std::fabs(x));
  return x < 0.0f ? -v : v;
}
static inline __attribute__((always_inline)) float acos_f(float x) {
  const float a = std::fabs(x);
  // |x| <= 0.5: pi/2 - asin(x); beyond, 2 asin(sqrt((1 - |x|) / 2)) without cancellation.
  const float h = 2.0f * asin_pos(std::sqrt(0.5f * (1.0f - a)));
  const float outer = x < 0.0f ? 3.14159265358979f - h : h;
  const float v = a <= 0.5f ? 1.5707963267948966f - asin_pos(a) * (x < 0.0f ? -1.0f : 1.0f) : outer;
  return a <= 1.0f ? v : (x != x ? x : NAN);
}

}  // namespace vmath
}  // namespace ks
