// (op, ISA) -> kernel. Blocking constants come from each ISA's blocksizes.h entry.
#include "dispatch/kernel_table.h"

#include "kernels/cpu/gemm/blocksizes.h"

namespace ks {
namespace {
using namespace gemm_detail;

template <class B>
constexpr GemmKernel make(UKernel k, RowKernel row, ColKernel col, bool avx2_pack) {
  return GemmKernel{k, row, col, B::MR, B::NR, B::MC, B::KC, B::NC, avx2_pack};
}

const GemmKernel kGemm[] = {
    make<GenericBlocks>(ukernel_generic, row_generic, col_generic, false),  // Isa::generic
    make<Avx2Blocks>(ukernel_avx2, row_avx2, col_avx2, true),               // Isa::avx2
    make<Avx512Blocks>(ukernel_avx512, row_avx512, col_avx512, true),       // Isa::avx512
};

const EwiseKernels kEwise[] = {{ew_generic::apply}, {ew_avx2::apply}, {ew_avx512::apply}};

const ReduceKernels kReduce[] = {{red_generic::chunk, red_generic::cols},
                                 {red_avx2::chunk, red_avx2::cols},
                                 {red_avx512::chunk, red_avx512::cols}};

const RecurrentKernels kRecurrent[] = {
    {rnn_generic::lstm_fwd_row, rnn_generic::lstm_bwd_row, rnn_generic::rec_gemm},
    {rnn_avx2::lstm_fwd_row, rnn_avx2::lstm_bwd_row, rnn_avx2::rec_gemm},
    {rnn_avx512::lstm_fwd_row, rnn_avx512::lstm_bwd_row, rnn_avx512::rec_gemm}};

const ConvKernels kConv[] = {
    {conv_generic::small_forward, conv_generic::small_filter, conv_generic::col2im,
     conv_generic::pool_forward},
    {conv_avx2::small_forward, conv_avx2::small_filter, conv_avx2::col2im, conv_avx2::pool_forward},
    {conv_avx512::small_forward, conv_avx512::small_filter, conv_avx512::col2im,
     conv_avx512::pool_forward}};

const ConvPoolKernels kConvPool[] = {{conv_pool_generic::pool_grad_part},
                                     {conv_pool_avx2::pool_grad_part},
                                     {conv_pool_avx512::pool_grad_part}};

const RandomKernels kRandom[] = {{rand_generic::dropout, rand_generic::uniform},
                                 {rand_avx2::dropout, rand_avx2::uniform},
                                 {rand_avx512::dropout, rand_avx512::uniform}};
}  // namespace

const GemmKernel& gemm_kernel(Isa isa) { return kGemm[static_cast<int>(isa)]; }
const EwiseKernels& ewise_kernels(Isa isa) { return kEwise[static_cast<int>(isa)]; }
const ReduceKernels& reduce_kernels(Isa isa) { return kReduce[static_cast<int>(isa)]; }
const RecurrentKernels& recurrent_kernels(Isa isa) { return kRecurrent[static_cast<int>(isa)]; }
const ConvKernels& conv_kernels(Isa isa) { return kConv[static_cast<int>(isa)]; }
const ConvPoolKernels& conv_pool_kernels(Isa isa) { return kConvPool[static_cast<int>(isa)]; }
const RandomKernels& random_kernels(Isa isa) { return kRandom[static_cast<int>(isa)]; }

}  // namespace ks
