// Scalar reference for every ewise code (the oracle for kernels/cpu/ewise*): the value
// computed in double with libm and rounded once to float32, one element at a time.
#include <cmath>
#include <cstring>

#include "kerasette/ewise.h"

namespace ks {
namespace {

double relu6d(double v) { return v < 0 ? 0 : (v > 6 ? 6 : v); }
double maxd(double a, double b) { return (a >= b || a != a) ? a : b; }
double mind(double a, double b) { return (a <= b || a != a) ? a : b; }
double sigm(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double softplusd(double x) { return std::fmax(x, 0.0) + std::log1p(std::exp(-std::fabs(x))); }

// numpy's npy_divmod in double on float inputs, rounded to float at the end.
void divmodd(float a, float b, float* q, float* r) {
  if (b == 0.0f) {
    *q = a / b;
    *r = std::fmod(a, b);
    return;
  }
  float mod = std::fmod(a, b);
  float div = (a - mod) / b;
  if (mod != 0.0f) {
    if ((b < 0) != (mod < 0)) {
      mod += b;
      div -= 1.0f;
    }
  } else {
    mod = std::copysign(0.0f, b);
  }
  float fl;
  if (div != 0.0f) {
    fl = std::floor(div);
    if (div - fl > 0.5f) fl += 1.0f;
  } else {
    fl = std::copysign(0.0f, a / b);
  }
  *q = fl;
  *r = mod;
}

double one(EwOp op, double x, double y, double z) {
  switch (op) {
    case EwOp::identity:
      return x;
    case EwOp::negative:
      return -x;
    case EwOp::abs:
      return std::fabs(x);
    case EwOp::sign:
      return x > 0 ? 1.0 : (x < 0 ? -1.0 : x);
    case EwOp::exp:
      return std::exp(x);
    case EwOp::expm1:
      return std::expm1(x);
    case EwOp::log:
      return std::log(x);
    case EwOp::log1p:
      return std::log1p(x);
    case EwOp::log2:
      return std::log2(x);
    case EwOp::log10:
      return std::log10(x);
    case EwOp::sqrt:
      return std::sqrt(x);
    case EwOp::rsqrt:
      return 1.0 / std::sqrt(x);
    case EwOp::square:
      return x * x;
    case EwOp::reciprocal:
      return 1.0 / x;
    case EwOp::sin:
      return std::sin(x);
    case EwOp::cos:
      return std::cos(x);
    case EwOp::tan:
      return std::tan(x);
    case EwOp::arcsin:
      return std::asin(x);
    case EwOp::arccos:
      return std::acos(x);
    case EwOp::arctan:
      return std::atan(x);
    case EwOp::sinh:
      return std::sinh(x);
    case EwOp::cosh:
      return std::cosh(x);
    case EwOp::tanh:
      return std::tanh(x);
    case EwOp::arcsinh:
      return std::asinh(x);
    case EwOp::arccosh:
      return std::acosh(x);
    case EwOp::arctanh:
      return std::atanh(x);
    case EwOp::sigmoid:
      return sigm(x);
    case EwOp::relu:
      return x < 0 ? 0.0 : x;
    case EwOp::floor:
      return std::floor(x);
    case EwOp::ceil:
      return std::ceil(x);
    case EwOp::round:
      return std::nearbyint(x);
    case EwOp::trunc:
      return std::trunc(x);
    case EwOp::erf:
      return std::erf(x);
    case EwOp::logical_not:
      return x == 0 ? 1.0 : 0.0;
    case EwOp::isnan:
      return x != x ? 1.0 : 0.0;
    case EwOp::isinf:
      return std::isinf(x) ? 1.0 : 0.0;
    case EwOp::isfinite:
      return std::isfinite(x) ? 1.0 : 0.0;
    case EwOp::softplus:
      return softplusd(x);
    case EwOp::softsign:
      return x / (1.0 + std::fabs(x));
    case EwOp::silu:
      return x * sigm(x);
    // Forms without cancellation in the left tail: 1 + erf(-t) = erfc(t), 1 + tanh(u) = 2 sigmoid(2u).
    case EwOp::gelu:
      return 0.5 * x * std::erfc(-x / std::sqrt(2.0));
    case EwOp::gelu_tanh:
      return x * sigm(2.0 * std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x));
    case EwOp::elu:
      return x > 0 ? x : std::expm1(x);
    case EwOp::selu: {
      const double a = 1.67326324235437728, s = 1.05070098735548049;
      return s * (x > 0 ? x : a * std::expm1(x));
    }
    case EwOp::relu6:
      return relu6d(x);
    case EwOp::hard_sigmoid:
      return relu6d(x + 3.0) / 6.0;
    case EwOp::hard_silu:
      return x * relu6d(x + 3.0) / 6.0;
    case EwOp::mish:
      return x * std::tanh(softplusd(x));
    case EwOp::log_sigmoid:
      return -softplusd(-x);
    case EwOp::cast_bool:
      return x != 0 ? 1.0 : 0.0;
    case EwOp::cast_int:
      return std::trunc(x);
    case EwOp::add:
      return x + y;
    case EwOp::subtract:
      return x - y;
    case EwOp::multiply:
      return x * y;
    case EwOp::divide:
      return x / y;
    case EwOp::power:
      return std::pow(x, y);
    case EwOp::maximum:
      return maxd(x, y);
    case EwOp::minimum:
      return mind(x, y);
    case EwOp::equal:
      return x == y;
    case EwOp::not_equal:
      return x != y;
    case EwOp::less:
      return x < y;
    case EwOp::less_equal:
      return x <= y;
    case EwOp::greater:
      return x > y;
    case EwOp::greater_equal:
      return x >= y;
    case EwOp::logical_and:
      return (x != 0) && (y != 0);
    case EwOp::logical_or:
      return (x != 0) || (y != 0);
    case EwOp::logical_xor:
      return (x != 0) != (y != 0);
    case EwOp::arctan2:
      return std::atan2(x, y);
    case EwOp::leaky_relu:
      return x >= 0 ? x : x * y;
    case EwOp::squared_difference:
      return (x - y) * (x - y);
    case EwOp::where:
      return x != 0 ? y : z;
    case EwOp::clip:
      return mind(maxd(x, y), z);
    case EwOp::cube_:
      return x * x * x;
    case EwOp::fill_one_:
      return 1.0;
    default:
      return NAN;
  }
}

}  // namespace

void ewise_apply_ref(int code, float* d, const float* a, const float* b, const float* c, i64 n) {
  const EwOp op = (EwOp)code;
  for (i64 i = 0; i < n; ++i) {
    if (op == EwOp::floor_divide || op == EwOp::mod) {
      float q, r;
      divmodd(a[i], b[i], &q, &r);
      d[i] = op == EwOp::floor_divide ? q : r;
      continue;
    }
    d[i] = (float)one(op, a[i], b ? b[i] : 0.0f, c ? c[i] : 0.0f);
  }
}

}  // namespace ks
