// Plain two-pass references for the normalization kernels (the oracle in tests).
#include <cmath>
#include "kerasette/layer_ops.h"

namespace ks {

void batchnorm_forward_train_ref(float* y, float* mean, float* invstd, const float* x,
                                 const float* gamma, const float* beta, float* moving_mean,
                                 float* moving_var, float momentum, float eps, i64 rows, i64 C) {
  for (i64 c = 0; c < C; ++c) {
    double m = 0, v = 0;
    for (i64 r = 0; r < rows; ++r) m += x[r * C + c];
    m /= (double)rows;
    for (i64 r = 0; r < rows; ++r) v += (x[r * C + c] - m) * (x[r * C + c] - m);
    v /= (double)rows;
    mean[c] = (float)m;
    invstd[c] = (float)(1.0 / std::sqrt(v + eps));
    if (moving_mean) moving_mean[c] = (float)(moving_mean[c] * momentum + m * (1 - momentum));
    if (moving_var) moving_var[c] = (float)(moving_var[c] * momentum + v * (1 - momentum));
    for (i64 r = 0; r < rows; ++r)
      y[r * C + c] = (float)((x[r * C + c] - m) * invstd[c] * (gamma ? gamma[c] : 1.0f) +
                             (beta ? beta[c] : 0.0f));
  }
}

void layernorm_forward_ref(float* y, float* mean, float* rstd, const float* x,
                           const float* gamma, const float* beta, float eps, i64 rows, i64 C) {
  for (i64 r = 0; r < rows; ++r) {
    double m = 0, v = 0;
    for (i64 c = 0; c < C; ++c) m += x[r * C + c];
    m /= (double)C;
    for (i64 c = 0; c < C; ++c) v += (x[r * C + c] - m) * (x[r * C + c] - m);
    v /= (double)C;
    mean[r] = (float)m;
    rstd[r] = (float)(1.0 / std::sqrt(v + eps));
    for (i64 c = 0; c < C; ++c)
      y[r * C + c] = (float)((x[r * C + c] - m) * rstd[r] * (gamma ? gamma[c] : 1.0f) +
                             (beta ? beta[c] : 0.0f));
  }
}

}  // namespace ks
