// Small helpers both loss implementations (ref and cpu) share, so they agree on the
// two data-dependent decisions Keras makes: which class a float id means, and
// whether hinge labels are {0,1} (then mapped to {-1,1}).
#pragma once
#include <cmath>

#include "kerasette/loss.h"

namespace ks {

// Keras casts float class ids to int64 (truncation). -1 when not a valid id in [0, K).
inline i64 sparse_label(float t, i64 K) {
  if (!(t > -1.0f && t < (float)K)) return -1;  // NaN lands here too
  i64 y = (i64)t;
  return y >= 0 && y < K ? y : -1;
}

// Keras's convert_binary_labels_to_hinge: only when every label is 0 or 1.
inline bool hinge_labels_binary(const float* t, i64 n) {
  for (i64 i = 0; i < n; ++i)
    if (t[i] != 0.0f && t[i] != 1.0f) return false;
  return true;
}

}  // namespace ks
