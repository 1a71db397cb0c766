// Scalar reference activations: the C++ oracle the fast kernels are tested against.
// Formulas follow Keras 3 on the TensorFlow backend (keras/src/backend/tensorflow/nn.py);
// every value is computed in double and rounded once to float.
//   x, y, dy, dx: (rows, cols) row-major, contiguous. softmax/log_softmax act along cols.
//   Backward writes dx = dy * f'(x) (softmax: the Jacobian-vector product), never accumulates.
// Single-threaded, no SIMD: obviously correct first, fast elsewhere (cpu/activation.cc).
#include <cmath>
#include <vector>

#include "kerasette/activation.h"

namespace ks {
namespace {

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kSqrt2OverPi = 0.7978845608028654;  // sqrt(2/pi), gelu tanh form
constexpr double kInvSqrt2Pi = 0.3989422804014327;   // 1/sqrt(2*pi), normal pdf
constexpr double kGeluCubic = 0.044715;

double sigmoid(double x) {
  return x >= 0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x));
}
// log(1 + e^x) without overflow.
double softplus(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }
double relu6(double x) { return std::fmin(std::fmax(x, 0.0), 6.0); }

double fwd(Act a, double p, double x) {
  switch (a) {
    case Act::linear:
      return x;
    case Act::relu:
      return x > 0 ? x : 0.0;
    case Act::leaky_relu:
      return x > 0 ? x : p * x;
    case Act::relu6:
      return relu6(x);
    case Act::elu:
      return x > 0 ? x : p * std::expm1(x);
    case Act::selu:
      return kSeluScale * (x > 0 ? x : kSeluAlpha * std::expm1(x));
    case Act::gelu:
      return x * 0.5 * std::erfc(-x / std::sqrt(2.0));  // Phi via erfc: exact tails
    case Act::gelu_tanh:  // 0.5 * (1 + tanh(z)) written as sigmoid(2z): no cancellation
      return x * sigmoid(2.0 * kSqrt2OverPi * (x + kGeluCubic * x * x * x));
    case Act::sigmoid:
      return sigmoid(x);
    case Act::hard_sigmoid:
      return relu6(x + 3.0) / 6.0;
    case Act::tanh:
      return std::tanh(x);
    case Act::softplus:
      return softplus(x);
    case Act::softsign:
      return x / (1.0 + std::fabs(x));
    case Act::silu:
      return x * sigmoid(x);
    case Act::mish:
      return x * std::tanh(softplus(x));
    case Act::exponential:
      return std::exp(x);
    case Act::hard_silu:
      return x * relu6(x + 3.0) / 6.0;
    default:
      return x;  // softmax/log_softmax are row-wise, handled by the caller
  }
}

// f'(x); y = f(x) is passed for the forms that read the output.
double deriv(Act a, double p, double x, double y) {
  switch (a) {
    case Act::linear:
      return 1.0;
    case Act::relu:
      return x > 0 ? 1.0 : 0.0;
    case Act::leaky_relu:
      return x > 0 ? 1.0 : p;
    case Act::relu6:
      return (x > 0 && x < 6) ? 1.0 : 0.0;
    case Act::elu:
      return x > 0 ? 1.0 : p * std::exp(x);
    case Act::selu:
      return x > 0 ? kSeluScale : kSeluScale * kSeluAlpha * std::exp(x);
    case Act::gelu:
      return 0.5 * std::erfc(-x / std::sqrt(2.0)) + x * kInvSqrt2Pi * std::exp(-0.5 * x * x);
    case Act::gelu_tanh: {
      double s = sigmoid(2.0 * kSqrt2OverPi * (x + kGeluCubic * x * x * x));
      return s + 2.0 * x * s * (1.0 - s) * kSqrt2OverPi * (1.0 + 3.0 * kGeluCubic * x * x);
    }
    case Act::sigmoid:
      return y * (1.0 - y);
    case Act::hard_sigmoid:
      return (x > -3 && x < 3) ? 1.0 / 6.0 : 0.0;
    case Act::tanh:
      return 1.0 - y * y;
    case Act::softplus:
      return sigmoid(x);
    case Act::softsign: {
      double d = 1.0 + std::fabs(x);
      return 1.0 / (d * d);
    }
    case Act::silu: {
      double s = sigmoid(x);
      return s * (1.0 + x * (1.0 - s));
    }
    case Act::mish: {
      double t = std::tanh(softplus(x));
      return t + x * (1.0 - t * t) * sigmoid(x);
    }
    case Act::exponential:
      return std::exp(x);
    case Act::hard_silu:
      return x <= -3 ? 0.0 : (x >= 3 ? 1.0 : (2.0 * x + 3.0) / 6.0);
    default:
      return 1.0;
  }
}

bool row_wise(Act a) { return a == Act::softmax || a == Act::log_softmax; }

}  // namespace

void act_forward_ref(Act a, float param, const float* x, float* y, i64 rows, i64 cols) {
  if (rows <= 0 || cols <= 0) return;
  if (!row_wise(a)) {
    for (i64 i = 0; i < rows * cols; ++i) y[i] = (float)fwd(a, param, x[i]);
    return;
  }
  std::vector<double> e(cols);
  for (i64 r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    double m = -INFINITY;
    for (i64 c = 0; c < cols; ++c) m = std::fmax(m, (double)xr[c]);
    if (!std::isfinite(m)) m = std::isnan(m) ? m : 0.0;  // all -inf (or +inf) rows: no shift
    double s = 0;
    for (i64 c = 0; c < cols; ++c) {
      e[c] = std::exp((double)xr[c] - m);
      s += e[c];
    }
    for (i64 c = 0; c < cols; ++c)
      yr[c] = a == Act::softmax ? (float)(e[c] / s) : (float)((double)xr[c] - m - std::log(s));
  }
}

void act_backward_ref(Act a, float param, const float* x, const float* y, const float* dy,
                      float* dx, i64 rows, i64 cols) {
  if (rows <= 0 || cols <= 0) return;
  if (!row_wise(a)) {
    for (i64 i = 0; i < rows * cols; ++i) {
      double xi = x ? (double)x[i] : 0.0, yi = y ? (double)y[i] : 0.0;
      // Forms that read only y (see act_backward_needs_x) recover what they need from y.
      if (!act_backward_needs_x(a)) {
        switch (a) {
          case Act::relu:
            xi = yi;
            break;
          case Act::relu6:
            xi = yi;
            break;
          case Act::hard_sigmoid:
            xi = yi * 6.0 - 3.0;
            break;
          case Act::selu:
            xi = yi;
            break;
          default:
            break;
        }
      }
      double d;
      switch (a) {
        case Act::selu:
          d = yi >= 0 ? kSeluScale : yi + kSeluScale * kSeluAlpha;
          break;  // as TF
        case Act::softplus:
          d = -std::expm1(-yi);
          break;  // sigmoid(x) = 1 - e^-y
        case Act::softsign: {
          double t = 1.0 - std::fabs(yi);
          d = t * t;
          break;
        }
        case Act::exponential:
          d = yi;
          break;
        default:
          d = deriv(a, param, xi, yi);
      }
      dx[i] = (float)((double)dy[i] * d);
    }
    return;
  }
  for (i64 r = 0; r < rows; ++r) {
    const float* yr = y + r * cols;
    const float* dyr = dy + r * cols;
    float* dxr = dx + r * cols;
    double s = 0;
    if (a == Act::softmax) {
      for (i64 c = 0; c < cols; ++c) s += (double)dyr[c] * yr[c];
      for (i64 c = 0; c < cols; ++c) dxr[c] = (float)((double)yr[c] * ((double)dyr[c] - s));
    } else {
      for (i64 c = 0; c < cols; ++c) s += dyr[c];
      for (i64 c = 0; c < cols; ++c) dxr[c] = (float)((double)dyr[c] - std::exp((double)yr[c]) * s);
    }
  }
}

bool act_backward_needs_x(Act a) {
  switch (a) {
    case Act::leaky_relu:
    case Act::elu:
    case Act::gelu:
    case Act::gelu_tanh:
    case Act::silu:
    case Act::mish:
    case Act::hard_silu:
      return true;
    default:
      return false;
  }
}

}  // namespace ks
