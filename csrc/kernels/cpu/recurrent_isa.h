// Declarations of the per-ISA recurrent cell loops (bodies in recurrent_kernels.inc):
// the elementwise half of one LSTM time step for one batch row, forward and backward,
// and the small product of one time step for a block of batch rows.
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
// z[r, :N] = x[r, :N] + h[r, :K] @ W for rows r < R (W is (K, N), row-major; x may be z):
// one step's recurrent product for a block of batch rows, in register tiles that read
// W in place (ks::gemm would pack W, the same every step, on every call). Each element
// is summed over k in order by the same code whatever R is, so a row's result does not
// depend on how the batch was cut into blocks.
using RecGemmFn = void (*)(i64 R, i64 N, i64 K, const float* h, i64 ldh, const float* W, i64 ldw,
                           const float* x, i64 ldx, float* z, i64 ldz);
#define KS_RNN_KERNEL_DECLS                                                                  \
  void lstm_fwd_row(i64 u, float* g, const float* cp, float* c, float* h);                   \
  void lstm_bwd_row(i64 u, const float* g, const float* cp, const float* c, const float* dH, \
                    const float* dC, float* dh, float* dc, float* dz);                       \
  void rec_gemm(i64 R, i64 N, i64 K, const float* h, i64 ldh, const float* W, i64 ldw,       \
                const float* x, i64 ldx, float* z, i64 ldz);
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
