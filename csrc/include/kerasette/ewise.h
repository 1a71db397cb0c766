// The fused elementwise kernel ("ewise"): a small register program over k inputs that
// runs a whole chain of elementwise ops in one pass over memory (tinygrad-style fusion).
//
// Registers: 0..k-1 are the inputs (each broadcast over the output shape by its own
// element strides, 0 = broadcast), k..k+F-1 the immediates (broadcast scalars), and the
// higher ones temporaries. Each instruction (code, dst, a, b, c) writes dst (a temporary)
// from a, b, c (unused ones ignored). Outputs are contiguous, of the output shape, and
// take the register named by out_reg. The evaluation walks the flattened output in
// blocks of kEwiseBlock elements: every register is a block buffer (or a pointer straight
// into a contiguous input) and every instruction is one vectorised loop over the block.
//
// Semantics are numpy's on float32 values; bools are 0/1 floats and any nonzero (NaN
// included) counts as true.
#pragma once
#include <string>
#include <vector>

#include "kerasette/common.h"

namespace ks {

// X(name, arity). The numeric values are part of the Python contract (core.EWISE_CODES).
// clang-format off
#define KS_EWISE_OPS(X)                                                                   \
  X(identity, 1) X(negative, 1) X(abs, 1) X(sign, 1) X(exp, 1) X(expm1, 1) X(log, 1)     \
  X(log1p, 1) X(log2, 1) X(log10, 1) X(sqrt, 1) X(rsqrt, 1) X(square, 1) X(reciprocal, 1) \
  X(sin, 1) X(cos, 1) X(tan, 1) X(arcsin, 1) X(arccos, 1) X(arctan, 1) X(sinh, 1)         \
  X(cosh, 1) X(tanh, 1) X(arcsinh, 1) X(arccosh, 1) X(arctanh, 1) X(sigmoid, 1)           \
  X(relu, 1) X(floor, 1) X(ceil, 1) X(round, 1) X(trunc, 1) X(erf, 1) X(logical_not, 1)   \
  X(isnan, 1) X(isinf, 1) X(isfinite, 1) X(softplus, 1) X(softsign, 1) X(silu, 1)         \
  X(gelu, 1) X(gelu_tanh, 1) X(elu, 1) X(selu, 1) X(relu6, 1) X(hard_sigmoid, 1)          \
  X(hard_silu, 1) X(mish, 1) X(log_sigmoid, 1) X(cast_bool, 1) X(cast_int, 1)             \
  X(add, 2) X(subtract, 2) X(multiply, 2) X(divide, 2) X(power, 2) X(maximum, 2)          \
  X(minimum, 2) X(equal, 2) X(not_equal, 2) X(less, 2) X(less_equal, 2) X(greater, 2)     \
  X(greater_equal, 2) X(logical_and, 2) X(logical_or, 2) X(logical_xor, 2)                \
  X(floor_divide, 2) X(mod, 2) X(arctan2, 2) X(leaky_relu, 2) X(squared_difference, 2)    \
  X(where, 3) X(clip, 3)
// clang-format on

enum class EwOp : int {
#define KS_EW_ENUM(name, arity) name,
  KS_EWISE_OPS(KS_EW_ENUM)
#undef KS_EW_ENUM
      count_,
  // Internal codes (never sent by Python): power with an immediate exponent is
  // rewritten into these when decoding.
  cube_ = 1000,
  fill_one_,
};

constexpr int kEwiseBlock = 512;  // elements per block (a register is one block)
constexpr int kEwiseMaxRank = 16;
constexpr int kEwiseMaxRegs = 512;

const char* ewise_name(EwOp op);
int ewise_arity(EwOp op);

struct EwInstr {
  int code, dst, a, b, c;
};

// A decoded, validated ewise instruction (built once when the program is assembled).
struct EwiseSpec {
  i64 total = 0;  // elements in the output
  int rank = 0;   // after merging dims every operand walks alike
  i64 shape[kEwiseMaxRank] = {};
  int k = 0, n_imm = 0, n_regs = 0;  // inputs, immediates, all registers
  std::vector<i64> strides;          // k * rank (collapsed)
  std::vector<int> in_kind;          // per input: 0 contiguous, 1 scalar, 2 strided
  std::vector<float> imm;
  std::vector<EwInstr> code;
  std::vector<int> out_reg;
  std::vector<char> out_direct;  // output written in place as its register (no copy)
  std::vector<i64> in_extent;    // per input: elements it needs (max index + 1)
  i64 min_parallel = 0;          // elements below which one thread runs it
};

// Decodes ints = [rank, shape..., k, strides(k*rank)..., n_instr, (code,dst,a,b,c)...,
// m, out_reg...] and the immediates. Returns "" or a message saying what is wrong.
std::string ewise_decode(const i64* ints, i64 n_ints, const float* imm, i64 n_imm, int k, int m,
                         EwiseSpec* spec);
// Marks outputs that may be computed in place (no overlap with any input or other output);
// in_ranges/out_ranges hold each operand's [begin, end) byte addresses.
void ewise_plan_outputs(EwiseSpec* spec,
                        const std::vector<std::pair<const char*, const char*>>& in_ranges,
                        const std::vector<std::pair<const char*, const char*>>& out_ranges);

// Runs the program; ins[i] point at each input's element 0, outs at each output.
// Threads split big outputs by blocks (same bits on any thread count).
void ewise_run(const EwiseSpec& spec, const float* const* ins, float* const* outs);

// One instruction over n elements with the active ISA (tests and eager ops).
void ewise_apply(int code, float* d, const float* a, const float* b, const float* c, i64 n);
// The scalar reference (double where it matters), the oracle.
void ewise_apply_ref(int code, float* d, const float* a, const float* b, const float* c, i64 n);

}  // namespace ks
