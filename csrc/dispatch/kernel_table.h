// The one table mapping (op, ISA) to a kernel: GEMM's micro-kernels and blocking, the
// fused elementwise instruction loops and the reduction loops. Other ops add their own
// entry type here.
#pragma once
#include "kerasette/cpu.h"
#include "kernels/cpu/conv_isa.h"
#include "kernels/cpu/conv_pool_isa.h"
#include "kernels/cpu/ewise_isa.h"
#include "kernels/cpu/gemm/ukernel.h"
#include "kernels/cpu/random_isa.h"
#include "kernels/cpu/recurrent_isa.h"
#include "kernels/cpu/reduce_isa.h"

namespace ks {

struct GemmKernel {
  gemm_detail::UKernel ukernel;
  gemm_detail::RowKernel row;  // M == 1, B not transposed
  gemm_detail::ColKernel col;  // N == 1, A not transposed
  int MR, NR;                  // register tile
  int MC, KC, NC;              // cache blocking
  bool avx2_pack;              // packing may use the AVX2 transposes
};

// The GEMM micro-kernel and blocking for `isa` (which must be supported).
const GemmKernel& gemm_kernel(Isa isa);

struct EwiseKernels {
  EwApplyFn apply;  // one ewise instruction over a block
};
const EwiseKernels& ewise_kernels(Isa isa);

struct ReduceKernels {
  RedChunkFn chunk;  // a contiguous piece of a row -> partial
  RedColsFn cols;    // columns reduced along a strided axis
};
const ReduceKernels& reduce_kernels(Isa isa);

struct RecurrentKernels {
  LstmFwdRowFn lstm_fwd_row;  // one batch row of an LSTM step's gates and state
  LstmBwdRowFn lstm_bwd_row;
  RecGemmFn rec_gemm;  // one step's h @ U for a block of rows, U read in place
};
const RecurrentKernels& recurrent_kernels(Isa isa);

struct ConvKernels {
  ConvSmallFwdFn small_forward;  // direct convolution, small im2col rows
  ConvSmallFilterFn small_filter;
  ConvCol2imFn col2im;  // the input gradient's scatter back into images
  ConvPoolFwdFn pool_forward;
};
const ConvKernels& conv_kernels(Isa isa);

struct ConvPoolKernels {
  ConvPoolGradFn grad_part;  // small-K filter and bias gradients from a pooled gradient
};
const ConvPoolKernels& conv_pool_kernels(Isa isa);

struct RandomKernels {
  RandDropoutFn dropout;  // a range of one dropout call
  RandUniformFn uniform;  // a range of one random_uniform call
};
const RandomKernels& random_kernels(Isa isa);

}  // namespace ks
