// Branch-free float32 math the compiler can vectorise inside `#pragma omp simd`
// loops (libm's expf/tanhf/erff are opaque calls that stop vectorisation).
// Polynomials from Cephes (expf, logf, tanhf) and Numerical Recipes (erfc);
// accuracy is ~1-3 ulp over the float range, checked against the double-precision
// reference kernels in tests/kernels/test_activations.py.
// Included by each ISA's activation translation unit, so the same code is
// compiled once per instruction set (see activation_kernels.inc).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace ks {
namespace vmath {

static inline __attribute__((always_inline)) float as_float(std::int32_t i) {
  float f;
  std::memcpy(&f, &i, 4);
  return f;
}

// e^x. Overflows to +inf above ~88.72, underflows to 0 below ~-103; NaN propagates.
// Rounding to an integer uses the 1.5 * 2^23 "magic number" instead of a float->int
// conversion: GCC will not if-convert/vectorise the conversion under -ftrapping-math.
static inline __attribute__((always_inline)) float exp_f(float x) {
  float xc = x >= -104.0f ? x : -104.0f;  // NaN maps to -104 here, restored at the end
  xc = xc <= 89.0f ? xc : 89.0f;
  const float kMagic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to the nearest integer
  float t = xc * 1.44269504088896341f + kMagic;
  float n = t - kMagic;  // round(x / ln 2), |n| <= 151
  std::int32_t tb;
  std::memcpy(&tb, &t, 4);
  std::int32_t ni = tb - 0x4B400000;  // the same integer, read from t's mantissa
  float r = xc - n * 0.693359375f;    // r in [-ln2/2, ln2/2]
  r = r - n * -2.12194440e-4f;
  float z = r * r;
  float p = 1.9875691500E-4f;
  p = p * r + 1.3981999507E-3f;
  p = p * r + 8.3334519073E-3f;
  p = p * r + 4.1665795894E-2f;
  p = p * r + 1.6666665459E-1f;
  p = p * r + 5.0000001201E-1f;
  p = p * z + r + 1.0f;
  // 2^n split in two halves so neither exponent leaves the normal range.
  std::int32_t n1 = ni >> 1, n2 = ni - n1;
  float res = p * as_float((std::int32_t)((std::uint32_t)(n1 + 127) << 23)) *
              as_float((std::int32_t)((std::uint32_t)(n2 + 127) << 23));
  return x != x ? x : res;
}

// e^x - 1, accurate for small |x| (a Taylor polynomial below 0.5 in magnitude).
static inline __attribute__((always_inline)) float expm1_f(float x) {
  float t = 1.0f / 362880.0f;
  t = t * x + 1.0f / 40320.0f;
  t = t * x + 1.0f / 5040.0f;
  t = t * x + 1.0f / 720.0f;
  t = t * x + 1.0f / 120.0f;
  t = t * x + 1.0f / 24.0f;
  t = t * x + 1.0f / 6.0f;
  t = t * x + 0.5f;
  t = t * x * x + x;
  float big = exp_f(x) - 1.0f;
  float ax = x < 0 ? -x : x;
  return ax < 0.5f ? t : big;
}

// Natural log (Cephes logf polynomial), with logf's values at 0, negatives, inf, NaN.
static inline __attribute__((always_inline)) float log_f(float x) {
  std::uint32_t bits;
  std::memcpy(&bits, &x, 4);
  std::int32_t e = (std::int32_t)((bits >> 23) & 0xff) - 126;
  float m = as_float((std::int32_t)((bits & 0x807fffffu) | 0x3f000000u));  // mantissa in [0.5, 1)
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
  y = y + -2.12194440e-4f * ef;
  y = y - 0.5f * z;
  float res = m + y + 0.693359375f * ef;
  // Outside (0, inf) give what logf gives: NaN for NaN/negatives, -inf at 0, inf at inf.
  float edge = x == 0.0f ? -INFINITY : (x > 0.0f ? x : NAN);
  return (x > 0.0f && x < INFINITY) ? res : edge;
}

// log(1 + u) for u >= 0, exact-rounding trick: log(w) * u / (w - 1) with w = 1 + u.
static inline __attribute__((always_inline)) float log1p_f(float u) {
  float w = 1.0f + u;
  float d = w - 1.0f;
  float r = log_f(w) * (u / (d == 0.0f ? 1.0f : d));
  return d == 0.0f ? u : r;
}

static inline __attribute__((always_inline)) float sigmoid_f(float x) {
  return 1.0f / (1.0f + exp_f(-x));
}

// log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|).
static inline __attribute__((always_inline)) float softplus_f(float x) {
  float ax = x < 0 ? -x : x;
  float mx = x > 0 ? x : 0.0f;
  return mx + log1p_f(exp_f(-ax));
}

static inline __attribute__((always_inline)) float tanh_f(float x) {
  float ax = x < 0 ? -x : x;
  float s = x * x;
  float p = -5.70498872745E-3f;
  p = p * s + 2.06390887954E-2f;
  p = p * s - 5.37397155531E-2f;
  p = p * s + 1.33314422036E-1f;
  p = p * s - 3.33332819422E-1f;
  float small = p * s * x + x;
  float big = 1.0f - 2.0f / (exp_f(ax + ax) + 1.0f);
  big = x < 0 ? -big : big;
  return ax < 0.625f ? small : big;
}

// erfc(z) for z >= 0, relative error < 1.2e-7 (Numerical Recipes erfcc).
static inline __attribute__((always_inline)) float erfc_pos_f(float z) {
  float t = 1.0f / (1.0f + 0.5f * z);
  float p = 0.17087277f;
  p = p * t - 0.82215223f;
  p = p * t + 1.48851587f;
  p = p * t - 1.13520398f;
  p = p * t + 0.27886807f;
  p = p * t - 0.18628806f;
  p = p * t + 0.09678418f;
  p = p * t + 0.37409196f;
  p = p * t + 1.00002368f;
  p = p * t - 1.26551223f;
  return t * exp_f(p - z * z);
}

// Phi(x), the standard normal CDF, accurate in relative terms in the left tail.
static inline __attribute__((always_inline)) float normal_cdf_f(float x) {
  float ax = x < 0 ? -x : x;
  float h = 0.5f * erfc_pos_f(ax * 0.70710678118654752f);
  return x < 0 ? h : 1.0f - h;
}

}  // namespace vmath
}  // namespace ks
