// Scalar reference reductions (the oracle for kernels/cpu/reduce*): one element at a
// time in double, numpy's NaN rules (max/min propagate NaN; argmax/argmin return the
// first NaN, else the first extreme).
#include <cmath>

#include "kerasette/reduce.h"

namespace ks {

void reduce_ref(RedOp op, const float* x, float* y, i64 outer, i64 len, i64 inner) {
  for (i64 o = 0; o < outer; ++o)
    for (i64 j = 0; j < inner; ++j) {
      const float* v = x + o * len * inner + j;
      double s = (op == RedOp::prod) ? 1.0 : 0.0, best = 0.0;
      i64 bi = 0;
      bool flag = op == RedOp::all, nan = false;
      double m = op == RedOp::min ? INFINITY : -INFINITY;
      for (i64 l = 0; l < len; ++l) {
        const double e = v[l * inner];
        nan = nan || e != e;
        switch (op) {
          case RedOp::sum:
          case RedOp::mean:
            s += e;
            break;
          case RedOp::prod:
            s *= e;
            break;
          case RedOp::max:
          case RedOp::logsumexp:
            m = std::fmax(m, e);
            break;
          case RedOp::min:
            m = std::fmin(m, e);
            break;
          case RedOp::argmax:
          case RedOp::argmin: {
            bool better =
                l == 0 || (best == best && (e != e || (op == RedOp::argmax ? e > best : e < best)));
            if (better) {
              best = e;
              bi = l;
            }
            break;
          }
          case RedOp::any:
            flag = flag || e != 0;
            break;
          case RedOp::all:
            flag = flag && e != 0;
            break;
          default:
            break;
        }
      }
      double r = 0.0;
      switch (op) {
        case RedOp::sum:
        case RedOp::prod:
          r = s;
          break;
        case RedOp::mean:
          r = len ? s / (double)len : NAN;
          break;
        case RedOp::max:
        case RedOp::min:
          r = nan ? NAN : m;
          break;
        case RedOp::argmax:
        case RedOp::argmin:
          r = (double)bi;
          break;
        case RedOp::any:
        case RedOp::all:
          r = flag ? 1.0 : 0.0;
          break;
        case RedOp::logsumexp: {
          if (nan) {
            r = NAN;
            break;
          }
          if (!std::isfinite(m)) {
            r = m;
            break;
          }
          double t = 0.0;
          for (i64 l = 0; l < len; ++l) t += std::exp((double)v[l * inner] - m);
          r = m + std::log(t);
          break;
        }
        default:
          break;
      }
      y[o * inner + j] = (float)r;
    }
}

}  // namespace ks
