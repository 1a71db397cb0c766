// Declarations of the per-ISA recurrent cell loops (bodies in recurrent_kernels.inc):
// the elementwise half of one LSTM time step for one batch row, forward and backward.
#pragma once
#include "kerasette/common.h"

namespace ks {
// g (4u): the pre-activations i,f,c,o in, the activated gates out; c = f*cp + i*cc,
// h = o*tanh(c) (c and h written).
using LstmFwdRowFn = void (*)(i64 u, float* g, const float* cp, float* c, float* h);
// The gate grads of one step from the saved gates g, previous cell cp and cell c: dht =
// dH + dh and dct = dC + dc are the totals on h_t and c_t; dz (4u) is written, dc
// becomes the grad on c_{t-1} and dh is zeroed (the GEMM with U^T adds h_{t-1}'s).
using LstmBwdRowFn = void (*)(i64 u, const float* g, const float* cp, const float* c,
                              const float* dH, const float* dC, float* dh, float* dc, float* dz);
#define KS_RNN_KERNEL_DECLS                                                                  \
  void lstm_fwd_row(i64 u, float* g, const float* cp, float* c, float* h);                   \
  void lstm_bwd_row(i64 u, const float* g, const float* cp, const float* c, const float* dH, \
                    const float* dC, float* dh, float* dc, float* dz);
namespace rnn_generic {
KS_RNN_KERNEL_DECLS
}
namespace rnn_avx2 {
KS_RNN_KERNEL_DECLS
}
namespace rnn_avx512 {
KS_RNN_KERNEL_DECLS
}
#undef KS_RNN_KERNEL_DECLS
}  // namespace ks
