// Program: operands, the checks each instruction passes when it is added, and the run
// loop (layouts in program.h). add() does all the work that can be done once: it looks
// the kernel name up, resolves operand ids to pointers, checks that every operand covers
// what the ints say the kernel touches, and decodes ewise programs. run() then walks a
// flat array of small records with one switch per instruction.
#include "runtime/program.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "kerasette/activation.h"
#include "kerasette/conv.h"
#include "kerasette/fpenv.h"
#include "kerasette/gemm.h"
#include "kerasette/index_ops.h"
#include "kerasette/layer_ops.h"
#include "kerasette/loss.h"
#include "kerasette/optimizer.h"
#include "kerasette/random.h"
#include "kerasette/recurrent.h"
#include "kerasette/reduce.h"
#include "kerasette/strided.h"

namespace ks {
namespace {

constexpr i64 kMaxDim = i64(1) << 40;
constexpr i64 kAny = -1;  // variable count

struct KernInfo {
  const char* name;
  i64 nin, nout, nints, nfloats;  // kAny where the layout says how many
};
const KernInfo kKern[] = {
    {"copy", 1, 1, 1, 0},
    {"fill", 0, 1, 1, 1},
    {"ewise", kAny, kAny, kAny, kAny},
    {"reduce", 1, 1, 4, 0},
    {"strided", 1, 1, kAny, 0},
    {"strided_write", 1, 1, kAny, 0},
    {"matmul", 2, 1, 8, 2},
    {"gemm_bias_act", 3, 1, 4, 1},
    {"act", 1, 1, 3, 1},
    {"act_grad", 3, 1, 3, 1},
    {"bias_grad", 1, 1, 2, 0},
    {"loss", 3, 2, 4, 2},
    {"optimizer", kAny, 0, kAny, kAny},
    {"clip", 1, 0, kAny, 1},
    {"constraint", 1, 0, 4, 3},
    {"gather", 2, 1, 3, 0},
    {"scatter_add", 2, 1, 3, 0},
    {"take_along_axis", 2, 1, 4, 0},
    {"put_along_axis_add", 2, 1, 4, 0},
    {"one_hot", 1, 1, 2, 0},
    {"dropout", kAny, 2, 2, 1},
    {"random_uniform", kAny, 1, 2, 2},
    {"random_normal", kAny, 1, 2, 2},
    {"layernorm", 3, 3, 2, 1},
    {"layernorm_grad", 5, 3, 2, 0},
    {"batchnorm_train", 3, 5, 2, 2},
    {"batchnorm_infer", 5, 1, 2, 1},
    {"batchnorm_grad", 5, 3, 2, 0},
    {"conv2d", 2, 2, 16, 0},
    {"conv2d_grad_input", 2, 2, 16, 0},
    {"conv2d_grad_filter", 2, 2, 16, 0},
    {"conv2d_bias_act", 3, 2, 17, 1},
    {"pool2d", 1, 1, 13, 0},
    {"pool2d_grad", 2, 1, 13, 0},
    {"conv2d_pool_grad_filter", 3, 3, 25, 0},
    {"cumsum", 1, 1, 3, 0},
    {"cumprod", 1, 1, 3, 0},
    {"lstm_seq", 5, 3, 3, 0},
    {"lstm_seq_grad", 9, 5, 3, 0},
    {"gru_seq", 5, 3, 4, 0},
    {"gru_seq_grad", 6, 5, 4, 0},
    {"rnn_seq", 4, 1, 4, 0},
    {"rnn_seq_grad", 5, 4, 4, 0},
};
static_assert(sizeof(kKern) / sizeof(kKern[0]) == (size_t)Kern::count_, "kernel table");

std::string str(i64 v) { return std::to_string(v); }

ConvShape conv_shape(const i64* I) {
  return ConvShape{I[0], I[1], I[2],  I[3],  I[4],  I[5],  I[6],  I[7],
                   I[8], I[9], I[10], I[11], I[12], I[13], I[14], I[15]};
}
// pool2d's ints as a ConvShape (O = C, dilation 1, one group).
ConvShape pool_shape(const i64* I) {
  return ConvShape{I[0], I[1], I[2], I[3], I[3], I[4],  I[5],  I[6],
                   I[7], 1,    1,    I[8], I[9], I[10], I[11], 1};
}

// conv2d_pool_grad_filter's pooling (ints 16..23) over the conv's output (N, OH, OW, O).
ConvShape conv_pool_shape(const i64* I) {
  return ConvShape{I[0],  I[13], I[14], I[4],  I[4],  I[16], I[17], I[18],
                   I[19], 1,     1,     I[20], I[21], I[22], I[23], 1};
}

// Random kernels draw from (seed, step) mixed into one key, and the instruction's stream.
std::uint64_t step_key(std::uint64_t seed, std::uint64_t step) {
  return rng_mix(seed, step, 0x6B6572617365747AULL);
}
// A seed-state operand (Keras SeedGenerator: [seed, counter] as float-stored integers)
// replaces (program seed, step) in the key.
std::uint64_t state_key(const float* st, bool two) {
  const auto word = [](float v) {
    return (std::uint64_t)(std::fabs(v) < 9e18f ? (std::int64_t)v : 0);
  };
  return step_key(word(st[0]), two ? word(st[1]) : 0) ^ 0x5EEDULL;
}

}  // namespace

const char* kern_name(Kern k) {
  int i = (int)k;
  return i >= 0 && i < (int)Kern::count_ ? kKern[i].name : "unknown";
}

void Program::FloatFree::operator()(float* p) const { std::free(p); }

Program::Program(i64 workspace_floats) {
  if (workspace_floats < 0 || workspace_floats > (i64(1) << 38))
    throw std::invalid_argument("Program: workspace_floats must be in [0, 2^38], got " +
                                str(workspace_floats));
  // 64-byte aligned (a cache line, one AVX-512 vector), zeroed, never reallocated.
  const size_t bytes = ((size_t)workspace_floats * sizeof(float) + 63) / 64 * 64 + 64;
  float* p = static_cast<float*>(std::aligned_alloc(64, bytes));
  if (!p) throw std::bad_alloc();
  std::memset(p, 0, bytes);
  ws_.reset(p);
  ws_floats_ = workspace_floats;
}

int Program::ws(i64 offset, i64 size) {
  if (offset < 0 || size < 0 || offset > ws_floats_ || size > ws_floats_ - offset)
    throw std::invalid_argument("ws(" + str(offset) + ", " + str(size) +
                                ") is outside the workspace of " + str(ws_floats_) + " floats");
  if (operands_.size() >= (size_t)0x7fffffff) throw std::invalid_argument("too many operands");
  operands_.push_back({ws_.get() + offset, size});
  return (int)operands_.size() - 1;
}

int Program::ext(float* data, i64 size) {
  if (size < 0 || (size > 0 && !data)) throw std::invalid_argument("ext: bad array");
  if (operands_.size() >= (size_t)0x7fffffff) throw std::invalid_argument("too many operands");
  operands_.push_back({data, size});
  return (int)operands_.size() - 1;
}

i64 Program::operand_size(i64 id) const {
  if (id < 0 || id >= (i64)operands_.size())
    throw std::invalid_argument("operand id " + str(id) + " does not exist (this program has " +
                                str((i64)operands_.size()) + " operands)");
  return operands_[id].size;
}
float* Program::operand_ptr(i64 id) const {
  operand_size(id);
  return operands_[id].ptr;
}

void Program::add(const std::string& kernel, const std::vector<i64>& ins,
                  const std::vector<i64>& outs, const std::vector<i64>& I,
                  const std::vector<double>& Fd) {
  int ki = -1;
  for (int i = 0; i < (int)Kern::count_; ++i)
    if (kernel == kKern[i].name) {
      ki = i;
      break;
    }
  const std::string where =
      "Program.add('" + kernel + "') [instruction " + str((i64)tape_.size()) + "]: ";
  auto fail = [&](const std::string& msg) { throw std::invalid_argument(where + msg); };
  if (ki < 0) {
    std::string names;
    for (const KernInfo& k : kKern) names += std::string(names.empty() ? "" : ", ") + k.name;
    fail("unknown kernel; expected one of " + names);
  }
  const Kern K = (Kern)ki;
  const KernInfo& info = kKern[ki];
  if (info.nin != kAny && (i64)ins.size() != info.nin)
    fail("expects " + str(info.nin) + " ins, got " + str((i64)ins.size()));
  if (info.nout != kAny && (i64)outs.size() != info.nout)
    fail("expects " + str(info.nout) + " outs, got " + str((i64)outs.size()));
  if (info.nints != kAny && (i64)I.size() != info.nints)
    fail("expects " + str(info.nints) + " ints, got " + str((i64)I.size()));
  if (info.nfloats != kAny && (i64)Fd.size() != info.nfloats)
    fail("expects " + str(info.nfloats) + " floats, got " + str((i64)Fd.size()));
  if (ins.size() + outs.size() > 60000) fail("too many operands");
  std::vector<float> F(Fd.size());
  for (size_t i = 0; i < Fd.size(); ++i) F[i] = (float)Fd[i];

  // Operand resolution: -1 is absent (only where the layout allows it).
  auto resolve = [&](const std::vector<i64>& ids, const char* side,
                     std::vector<const Operand*>& out) {
    out.assign(ids.size(), nullptr);
    for (size_t i = 0; i < ids.size(); ++i) {
      if (ids[i] == -1) continue;
      if (ids[i] < 0 || ids[i] >= (i64)operands_.size())
        fail(std::string(side) + "[" + str((i64)i) + "] = " + str(ids[i]) +
             " is not an operand id (this program has " + str((i64)operands_.size()) + ")");
      out[i] = &operands_[ids[i]];
    }
  };
  std::vector<const Operand*> in, out;
  resolve(ins, "ins", in);
  resolve(outs, "outs", out);
  // need(side, i, n, required): operand covers n floats.
  auto need = [&](bool is_in, size_t i, i64 n, bool required) {
    const Operand* o = is_in ? in[i] : out[i];
    const char* side = is_in ? "ins" : "outs";
    if (!o) {
      if (required) fail(std::string(side) + "[" + str((i64)i) + "] is required (got -1)");
      return;
    }
    if (o->size < n)
      fail(std::string(side) + "[" + str((i64)i) + "] holds " + str(o->size) +
           " floats but the kernel touches " + str(n));
  };
  auto dim = [&](size_t j, const char* what) {
    if (I[j] < 0 || I[j] > kMaxDim)
      fail(std::string(what) + " = " + str(I[j]) + " is out of range");
    return I[j];
  };
  auto mul = [&](i64 a, i64 b) {
    i64 r;
    if (__builtin_mul_overflow(a, b, &r) || r > (i64(1) << 62)) fail("sizes overflow");
    return r;
  };
  auto flag = [&](size_t j, const char* what) {
    if (I[j] != 0 && I[j] != 1) fail(std::string(what) + " must be 0 or 1, got " + str(I[j]));
    return I[j] != 0;
  };
  auto enum_in = [&](size_t j, int count, const char* what) {
    if (I[j] < 0 || I[j] >= count)
      fail(std::string(what) + " = " + str(I[j]) + " is not in [0, " + str(count) + ")");
    return (int)I[j];
  };

  std::vector<i64> ints(I.begin(), I.end());
  std::int32_t aux = -1;
  switch (K) {
    case Kern::copy: {
      const i64 n = dim(0, "n");
      need(true, 0, n, true);
      need(false, 0, n, true);
      break;
    }
    case Kern::fill: {
      need(false, 0, dim(0, "n"), true);
      break;
    }
    case Kern::ewise: {
      if (outs.empty()) fail("needs at least one output");
      if (ins.size() > 256 || outs.size() > 64) fail("too many ins/outs");
      for (size_t i = 0; i < in.size(); ++i) need(true, i, 0, true);
      for (size_t i = 0; i < out.size(); ++i) need(false, i, 0, true);
      EwiseSpec s;
      std::string err = ewise_decode(I.data(), (i64)I.size(), F.data(), (i64)F.size(),
                                     (int)ins.size(), (int)outs.size(), &s);
      if (!err.empty()) fail(err);
      std::vector<std::pair<const char*, const char*>> ir, orng;
      for (size_t i = 0; i < in.size(); ++i) {
        need(true, i, s.in_extent[i], true);
        const char* b = reinterpret_cast<const char*>(in[i]->ptr);
        ir.emplace_back(b, b + s.in_extent[i] * sizeof(float));
      }
      for (size_t i = 0; i < out.size(); ++i) {
        need(false, i, s.total, true);
        const char* b = reinterpret_cast<const char*>(out[i]->ptr);
        orng.emplace_back(b, b + s.total * sizeof(float));
      }
      ewise_plan_outputs(&s, ir, orng);
      ewise_.push_back(std::move(s));
      aux = (std::int32_t)ewise_.size() - 1;
      break;
    }
    case Kern::reduce: {
      enum_in(0, (int)RedOp::count_, "reduce code");
      const i64 o = dim(1, "outer"), l = dim(2, "len"), n = dim(3, "inner");
      need(true, 0, mul(mul(o, l), n), true);
      need(false, 0, mul(o, n), true);
      break;
    }
    case Kern::strided:
    case Kern::strided_write: {
      const bool w = K == Kern::strided_write;
      const size_t head = w ? 3 : 2;
      if (I.size() < head) fail("ints too short");
      const i64 rank = I[0];
      if (rank < 0 || rank > kStridedMaxRank) fail("rank " + str(rank) + " outside [0, 16]");
      if ((i64)I.size() != (i64)head + 2 * rank)
        fail("expects " + str((i64)head + 2 * rank) + " ints for rank " + str(rank) + ", got " +
             str((i64)I.size()));
      const i64 offset = I[1];
      if (offset < 0) fail("offset must be >= 0");
      if (w) flag(2, "accumulate");
      i64 total = 1;
      for (i64 d = 0; d < rank; ++d) total = mul(total, dim(head + d, "shape"));
      for (i64 d = 0; d < rank; ++d)
        if (I[head + rank + d] < -kMaxDim || I[head + rank + d] > kMaxDim)
          fail("stride out of range");
      i64 lo = 0, hi = 0;
      // The strided side (x for strided, y for strided_write) must hold [offset+lo, offset+hi].
      if (strided_extent((int)rank, &I[head], &I[head + rank], &lo, &hi)) {
        const Operand* sv = w ? out[0] : in[0];
        if (!sv) fail("operands are required");
        if (offset + lo < 0 || offset + hi >= sv->size)
          fail(std::string(w ? "outs[0]" : "ins[0]") + " holds " + str(sv->size) +
               " floats but the view reaches elements [" + str(offset + lo) + ", " +
               str(offset + hi) + "]");
      }
      need(w, 0, total, true);  // the contiguous side
      need(!w, 0, 0, true);
      break;
    }
    case Kern::matmul: {
      const i64 b = dim(0, "batch"), M = dim(1, "M"), N = dim(2, "N"), Kd = dim(3, "K");
      flag(4, "transA");
      flag(5, "transB");
      const i64 sa = dim(6, "strideA"), sb = dim(7, "strideB");
      if (b > 0) {
        if (mul(M, Kd) > 0) need(true, 0, mul(b - 1, sa) + mul(M, Kd), true);
        if (mul(Kd, N) > 0) need(true, 1, mul(b - 1, sb) + mul(Kd, N), true);
      }
      need(true, 0, 0, true);
      need(true, 1, 0, true);
      need(false, 0, mul(mul(b, M), N), true);
      break;
    }
    case Kern::gemm_bias_act: {
      const i64 M = dim(0, "M"), N = dim(1, "N"), Kd = dim(2, "K");
      enum_in(3, (int)Act::count_, "act");
      need(true, 0, mul(M, Kd), true);
      need(true, 1, mul(Kd, N), true);
      need(true, 2, N, false);
      need(false, 0, mul(M, N), true);
      break;
    }
    case Kern::act: {
      enum_in(0, (int)Act::count_, "act");
      const i64 n = mul(dim(1, "rows"), dim(2, "cols"));
      need(true, 0, n, true);
      need(false, 0, n, true);
      break;
    }
    case Kern::act_grad: {
      const Act a = (Act)enum_in(0, (int)Act::count_, "act");
      const i64 n = mul(dim(1, "rows"), dim(2, "cols"));
      const bool nx = act_backward_needs_x(a), lin = a == Act::linear;
      need(true, 0, n, nx);
      need(true, 1, n, !nx && !lin);
      need(true, 2, n, true);
      need(false, 0, n, true);
      break;
    }
    case Kern::bias_grad: {
      const i64 r = dim(0, "rows"), C = dim(1, "C");
      need(true, 0, mul(r, C), true);
      need(false, 0, C, true);
      break;
    }
    case Kern::loss: {
      const Loss l = (Loss)enum_in(0, (int)Loss::count_, "loss");
      const i64 N = dim(1, "N"), Kd = dim(2, "K");
      flag(3, "from_logits");
      need(true, 0, mul(N, Kd), true);
      need(true, 1, l == Loss::sparse_categorical_ce ? N : mul(N, Kd), true);
      need(true, 2, N, false);
      need(false, 0, N, false);
      need(false, 1, mul(N, Kd), false);
      break;
    }
    case Kern::optimizer: {
      if (I.size() < 5) fail("expects at least 5 ints, got " + str((i64)I.size()));
      if (F.size() != 7 && F.size() != 12)
        fail("expects 7 or 12 floats, got " + str((i64)F.size()));
      const Opt o = (Opt)enum_in(0, (int)Opt::count_, "optimizer");
      const i64 n = dim(1, "n");
      if (F.size() == 7) F.insert(F.end(), {-0.5f, 0.0f, 0.0f, 0.0f, 0.0f});  // Ftrl's defaults
      // Lamb: [n_segments, seg_len...] after the 5 ints (absent: one variable of n).
      if (o == Opt::lamb) {
        if (I.size() == 5) {
          ints.push_back(1);
          ints.push_back(n);
        } else {
          const i64 ns = dim(5, "n_segments");
          if ((i64)I.size() != 6 + ns)
            fail("lamb expects " + str(6 + ns) + " ints, got " + str((i64)I.size()));
          i64 total = 0;
          for (i64 s = 0; s < ns; ++s) {
            total += dim(6 + s, "seg_len");
            if (total > kMaxDim) fail("segments too long");
          }
          if (total != n) fail("lamb segments sum to " + str(total) + ", not n = " + str(n));
        }
      } else if (I.size() != 5) {
        fail("expects 5 ints, got " + str((i64)I.size()));
      }
      OptParams p;
      p.nesterov = flag(2, "nesterov");
      p.amsgrad = flag(3, "amsgrad");
      p.centered = flag(4, "centered");
      p.momentum = F[3];
      const int ns = optimizer_num_slots(o, p);
      if ((i64)ins.size() != 2 + ns)
        fail("this optimizer needs ins [param, grad] + " + str(ns) + " slot(s), got " +
             str((i64)ins.size()) + " ins");
      for (size_t i = 0; i < ins.size(); ++i) need(true, i, n, true);
      break;
    }
    case Kern::clip: {
      if (I.size() < 2) fail("ints too short");
      const i64 mode = I[0];
      if (mode < 0 || mode > 2)
        fail("mode must be 0 (clipvalue), 1 (clipnorm) or 2 (global_clipnorm)");
      const i64 ns = dim(1, "n_segments");
      if ((i64)I.size() != 2 + ns)
        fail("expects " + str(2 + ns) + " ints, got " + str((i64)I.size()));
      i64 total = 0;
      for (i64 s = 0; s < ns; ++s) {
        total += dim(2 + s, "seg_len");
        if (total > kMaxDim) fail("segments too long");
      }
      if (!(F[0] >= 0.0f)) fail("value must be >= 0");
      need(true, 0, total, true);
      break;
    }
    case Kern::constraint: {
      enum_in(0, 5, "constraint kind");
      need(true, 0, mul(mul(dim(1, "outer"), dim(2, "len")), dim(3, "inner")), true);
      break;
    }
    case Kern::gather:
    case Kern::scatter_add: {
      const i64 R = dim(0, "R"), V = dim(1, "V"), D = dim(2, "D");
      if (K == Kern::gather) {
        need(true, 0, mul(V, D), true);
        need(false, 0, mul(R, D), true);
      } else {
        need(true, 0, mul(R, D), true);
        need(false, 0, mul(V, D), true);
      }
      need(true, 1, R, true);
      break;
    }
    case Kern::take_along_axis:
    case Kern::put_along_axis_add: {
      const i64 o = dim(0, "outer"), L = dim(1, "L"), J = dim(2, "J"), n = dim(3, "inner");
      const i64 big = mul(mul(o, L), n), small = mul(mul(o, J), n);
      const bool take = K == Kern::take_along_axis;
      need(true, 0, take ? big : small, true);
      need(true, 1, small, true);
      need(false, 0, take ? small : big, true);
      break;
    }
    case Kern::one_hot: {
      const i64 N = dim(0, "N"), d = dim(1, "depth");
      need(true, 0, N, true);
      need(false, 0, mul(N, d), true);
      break;
    }
    case Kern::dropout: {
      if (ins.size() < 1 || ins.size() > 2)
        fail("expects ins [x] or [x, seed_state], got " + str((i64)ins.size()));
      if (ins.size() == 2) need(true, 1, 1, true);
      const i64 n = dim(0, "n");
      if (!(F[0] >= 0.0f && F[0] <= 1.0f)) fail("rate must be in [0, 1]");
      need(true, 0, n, true);
      need(false, 0, n, true);
      need(false, 1, n, false);
      break;
    }
    case Kern::random_uniform:
    case Kern::random_normal: {
      if (ins.size() > 1) fail("expects ins [] or [seed_state], got " + str((i64)ins.size()));
      if (ins.size() == 1) need(true, 0, 1, true);
      need(false, 0, dim(0, "n"), true);
      break;
    }
    case Kern::layernorm: {
      const i64 r = dim(0, "rows"), C = dim(1, "C"), n = mul(r, C);
      need(true, 0, n, true);
      need(true, 1, C, false);
      need(true, 2, C, false);
      need(false, 0, n, true);
      need(false, 1, r, true);
      need(false, 2, r, true);
      break;
    }
    case Kern::batchnorm_train: {
      const i64 r = dim(0, "rows"), C = dim(1, "C"), n = mul(r, C);
      need(true, 0, n, true);
      need(true, 1, C, false);
      need(true, 2, C, false);
      need(false, 0, n, true);
      need(false, 1, C, true);
      need(false, 2, C, true);
      need(false, 3, C, false);
      need(false, 4, C, false);
      break;
    }
    case Kern::batchnorm_infer: {
      const i64 r = dim(0, "rows"), C = dim(1, "C"), n = mul(r, C);
      need(true, 0, n, true);
      need(true, 1, C, false);
      need(true, 2, C, false);
      need(true, 3, C, true);
      need(true, 4, C, true);
      need(false, 0, n, true);
      break;
    }
    case Kern::layernorm_grad:
    case Kern::batchnorm_grad: {
      const i64 r = dim(0, "rows"), C = dim(1, "C"), n = mul(r, C);
      const i64 stat = K == Kern::layernorm_grad ? r : C;
      need(true, 0, n, true);
      need(true, 1, n, true);
      need(true, 2, stat, true);
      need(true, 3, stat, true);
      need(true, 4, C, false);
      need(false, 0, n, false);
      need(false, 1, C, false);
      need(false, 2, C, false);
      break;
    }
    case Kern::conv2d:
    case Kern::conv2d_grad_input:
    case Kern::conv2d_grad_filter:
    case Kern::conv2d_bias_act: {
      for (size_t j = 0; j < 16; ++j) dim(j, "conv dim");
      const ConvShape c = conv_shape(I.data());
      const char* e = conv_shape_error(c);
      if (*e) fail(e);
      const i64 xs = mul(mul(mul(c.N, c.H), c.W), c.C),
                ws_ = mul(mul(mul(c.KH, c.KW), c.Cg()), c.O),
                ys = mul(mul(mul(c.N, c.OH), c.OW), c.O);
      mul(mul(c.OH, c.OW), mul(mul(c.KH, c.KW), c.Cg()));  // one image's im2col: throws on overflow
      if (K == Kern::conv2d || K == Kern::conv2d_bias_act) {
        need(true, 0, xs, true);
        need(true, 1, ws_, true);
        need(false, 0, ys, true);
      }
      if (K == Kern::conv2d_bias_act) {
        const Act a = (Act)enum_in(16, (int)Act::count_, "act");
        if (a == Act::softmax || a == Act::log_softmax) fail("conv2d_bias_act: act is row-wise");
        need(true, 2, c.O, true);
      }
      if (K == Kern::conv2d_grad_input) {
        need(true, 0, ys, true);
        need(true, 1, ws_, true);
        need(false, 0, xs, true);
      }
      if (K == Kern::conv2d_grad_filter) {
        need(true, 0, xs, true);
        need(true, 1, ys, true);
        need(false, 0, ws_, true);
      }
      need(false, 1, c.scratch(), c.scratch() > 0);  // the small-K filter gradient's parts
      break;
    }
    case Kern::pool2d:
    case Kern::pool2d_grad: {
      for (size_t j = 0; j < 12; ++j) dim(j, "pool dim");
      if (K == Kern::pool2d) flag(12, "mode");
      else enum_in(12, 4, "mode");  // bit 0 average, bit 1 relu mask (x > 0)
      const ConvShape c = pool_shape(I.data());
      const char* e = conv_shape_error(c);
      if (*e) fail(e);
      const i64 xs = mul(mul(mul(c.N, c.H), c.W), c.C), ys = mul(mul(mul(c.N, c.OH), c.OW), c.C);
      need(true, 0, xs, true);
      if (K == Kern::pool2d) {
        need(false, 0, ys, true);
      } else {
        need(true, 1, ys, true);
        need(false, 0, xs, true);
      }
      break;
    }
    case Kern::conv2d_pool_grad_filter: {
      for (size_t j = 0; j < 24; ++j) dim(j, "conv / pool dim");
      enum_in(24, 4, "mode");  // bit 0 average, bit 1 relu mask (y > 0)
      const ConvShape c = conv_shape(I.data()), q = conv_pool_shape(I.data());
      const char* e = conv_shape_error(c);
      if (!*e) e = conv_shape_error(q);
      if (!*e) e = conv_pool_grad_error(c, q);
      if (*e) fail(e);
      const i64 ys = mul(mul(mul(c.N, c.OH), c.OW), c.O);
      need(true, 0, mul(mul(mul(c.N, c.H), c.W), c.C), true);
      need(true, 1, ys, true);
      need(true, 2, mul(mul(mul(c.N, q.OH), q.OW), c.O), true);
      need(false, 0, mul(c.cols(), c.O), true);
      need(false, 1, c.O, false);
      need(false, 2, conv_pool_grad_scratch(c, q), true);
      break;
    }
    case Kern::cumsum:
    case Kern::cumprod: {
      const i64 n = mul(mul(dim(0, "outer"), dim(1, "len")), dim(2, "inner"));
      need(true, 0, n, true);
      need(false, 0, n, true);
      break;
    }
    case Kern::lstm_seq:
    case Kern::lstm_seq_grad:
    case Kern::gru_seq:
    case Kern::gru_seq_grad:
    case Kern::rnn_seq:
    case Kern::rnn_seq_grad: {
      const i64 B = dim(0, "B"), T = dim(1, "T"), u = dim(2, "u");
      const bool lstm = K == Kern::lstm_seq || K == Kern::lstm_seq_grad;
      const bool gru = K == Kern::gru_seq || K == Kern::gru_seq_grad;
      const bool ra = gru && flag(3, "reset_after");
      if (!lstm && !gru) enum_in(3, 3, "act");
      const i64 Gn = lstm ? 4 : gru ? 3 : 1;
      const i64 bu = mul(B, u), seq = mul(bu, T), xs = mul(seq, Gn), gs = mul(seq, 4),
                us = mul(u, mul(u, Gn)), bt = mul(B, T);
      if (K == Kern::lstm_seq) {
        need(true, 0, xs, true);
        need(true, 1, bu, true);
        need(true, 2, bu, true);
        need(true, 3, us, true);
        need(true, 4, bt, false);
        need(false, 0, seq, true);
        need(false, 1, seq, true);
        need(false, 2, gs, true);
      } else if (K == Kern::lstm_seq_grad) {
        need(true, 0, bu, true);
        need(true, 1, bu, true);
        need(true, 2, us, true);
        need(true, 3, bt, false);
        need(true, 4, seq, true);
        need(true, 5, seq, true);
        need(true, 6, gs, true);
        need(true, 7, seq, true);
        need(true, 8, seq, true);
        need(false, 0, xs, true);
        need(false, 1, bu, true);
        need(false, 2, bu, true);
        need(false, 3, us, true);
        need(false, 4, mul(bu, 2) + us, true);  // dh, dc and U transposed
      } else if (K == Kern::gru_seq) {
        need(true, 0, xs, true);
        need(true, 1, bu, true);
        need(true, 2, us, true);
        need(true, 3, mul(u, 3), false);
        need(true, 4, bt, false);
        need(false, 0, seq, true);
        need(false, 1, gs, true);
        need(false, 2, mul(bu, 4), true);
        if (!ra && in[3]) fail("the recurrent bias (ins[3]) is only for reset_after");
      } else if (K == Kern::gru_seq_grad) {
        need(true, 0, bu, true);
        need(true, 1, us, true);
        need(true, 2, bt, false);
        need(true, 3, seq, true);
        need(true, 4, gs, true);
        need(true, 5, seq, true);
        need(false, 0, xs, true);
        need(false, 1, bu, true);
        need(false, 2, us, true);
        need(false, 3, mul(u, 3), false);
        need(false, 4, mul(bu, 6), true);
      } else if (K == Kern::rnn_seq) {
        need(true, 0, seq, true);
        need(true, 1, bu, true);
        need(true, 2, us, true);
        need(true, 3, bt, false);
        need(false, 0, seq, true);
      } else {
        need(true, 0, bu, true);
        need(true, 1, us, true);
        need(true, 2, bt, false);
        need(true, 3, seq, true);
        need(true, 4, seq, true);
        need(false, 0, seq, true);
        need(false, 1, bu, true);
        need(false, 2, us, true);
        need(false, 3, bu, true);
      }
      break;
    }
    default:
      fail("internal: kernel without checks");
  }

  if (ptrs_.size() + in.size() + out.size() > 0xffffffffu ||
      ints_.size() + ints.size() > 0xffffffffu)
    fail("program too large");
  Instr t;
  t.k = K;
  t.nin = (std::uint16_t)in.size();
  t.nout = (std::uint16_t)out.size();
  t.io = (std::uint32_t)ptrs_.size();
  t.ii = (std::uint32_t)ints_.size();
  t.fi = (std::uint32_t)floats_.size();
  t.aux = aux;
  // Seed-state operands of two floats or more carry [seed, counter].
  const Operand* st = (K == Kern::dropout && in.size() == 2) ? in[1]
                      : ((K == Kern::random_uniform || K == Kern::random_normal) && in.size() == 1)
                          ? in[0]
                          : nullptr;
  seed_two_.push_back(st && st->size >= 2);
  for (const Operand* o : in) ptrs_.push_back(o ? o->ptr : nullptr);
  for (const Operand* o : out) ptrs_.push_back(o ? o->ptr : nullptr);
  ints_.insert(ints_.end(), ints.begin(), ints.end());
  floats_.insert(floats_.end(), F.begin(), F.end());
  tape_.push_back(t);
}

void Program::run(float lr, i64 iteration) {
  const FlushDenormals flush;  // the whole tape, serial kernels included (fpenv.h)
  // Every optimizer instruction of one step starts from the same carried state (Nadam's
  // u_product advances once per step however many buffers are updated).
  const double state0 = opt_state;
  double state1 = state0;
  i64 bad = 0, bad_at = -1;
  const std::uint64_t key = step_key(seed, step);
  for (size_t ti = 0; ti < tape_.size(); ++ti) {
    const Instr& t = tape_[ti];
    // add() laid the record out; these catch a tape corrupted since (redirect, feeds).
    KS_ASSERT((size_t)t.io + t.nin + t.nout <= ptrs_.size());
    KS_ASSERT(t.ii <= ints_.size() && t.fi <= floats_.size());
    KS_ASSERT(t.k != Kern::ewise || (t.aux >= 0 && (size_t)t.aux < ewise_.size()));
    float* const* p = ptrs_.data() + t.io;
    float* const* o = p + t.nin;
    const i64* I = ints_.data() + t.ii;
    const float* F = floats_.data() + t.fi;
    switch (t.k) {
      case Kern::copy:
        if (o[0] != p[0] && I[0] > 0) std::memmove(o[0], p[0], sizeof(float) * I[0]);
        break;
      case Kern::fill:
        std::fill(o[0], o[0] + I[0], F[0]);
        break;
      case Kern::ewise:
        ewise_run(ewise_[t.aux], p, o);
        break;
      case Kern::reduce:
        reduce((RedOp)I[0], p[0], o[0], I[1], I[2], I[3]);
        break;
      case Kern::strided: {
        const int r = (int)I[0];
        strided_copy(p[0] + I[1], o[0], r, I + 2, I + 2 + r);
        break;
      }
      case Kern::strided_write: {
        const int r = (int)I[0];
        strided_write(p[0], o[0] + I[1], r, I + 3, I + 3 + r, I[2] != 0);
        break;
      }
      case Kern::matmul: {
        const i64 b = I[0], M = I[1], N = I[2], Kd = I[3];
        const bool ta = I[4] != 0, tb = I[5] != 0;
        for (i64 q = 0; q < b; ++q)
          gemm(ta, tb, M, N, Kd, F[0], p[0] + q * I[6], ta ? M : Kd, p[1] + q * I[7], tb ? Kd : N,
               F[1], o[0] + q * M * N, N);
        break;
      }
      case Kern::gemm_bias_act:
        gemm_bias_act(false, false, I[0], I[1], I[2], p[0], I[2], p[1], I[1], p[2], (Act)I[3], F[0],
                      o[0], I[1]);
        break;
      case Kern::act:
        act_forward((Act)I[0], F[0], p[0], o[0], I[1], I[2]);
        break;
      case Kern::act_grad:
        act_backward((Act)I[0], F[0], p[0], p[1], p[2], o[0], I[1], I[2]);
        break;
      case Kern::bias_grad:
        reduce(RedOp::sum, p[0], o[0], 1, I[0], I[1]);
        break;
      case Kern::loss: {
        LossParams lp;
        lp.from_logits = I[3] != 0;
        lp.label_smoothing = F[0];
        lp.delta = F[1];
        loss_rows((Loss)I[0], lp, p[0], p[1], p[2], o[0], o[1], I[1], I[2]);
        break;
      }
      case Kern::optimizer: {
        const Opt op = (Opt)I[0];
        OptParams q;
        q.learning_rate = lr;
        q.beta_1 = F[0];
        q.beta_2 = F[1];
        q.epsilon = F[2];
        q.momentum = F[3];
        q.rho = F[4];
        q.weight_decay = F[5];
        q.initial_accumulator_value = F[6];
        q.nesterov = I[2] != 0;
        q.amsgrad = I[3] != 0;
        q.centered = I[4] != 0;
        q.lr_power = F[7];
        q.l1 = F[8];
        q.l2 = F[9];
        q.l2_shrinkage = F[10];
        q.ftrl_beta = F[11];
        if (op == Opt::lamb) {
          q.n_segments = I[5];
          q.segments = I + 6;
        }
        const i64 stp = iteration + 1;  // Keras: iterations + 1
        double st = state0;
        optimizer_prepare_step(op, q, stp, &st);
        state1 = st;
        optimizer_update(op, q, stp, p[0], p[1], p + 2, I[1]);
        break;
      }
      case Kern::clip: {
        const i64 ns = I[1];
        const float v = F[0];
        float* g = p[0];
        i64 total = 0;
        for (i64 s = 0; s < ns; ++s) total += I[2 + s];
        if (I[0] == 0) {
          clip_inplace(g, -v, v, total);
        } else if (I[0] == 1) {  // Keras clipnorm: each variable to norm <= v
          i64 off = 0;
          for (i64 s = 0; s < ns; ++s) {
            const i64 len = I[2 + s];
            const double nrm = std::sqrt(sum_squares(g + off, len));
            if (nrm > v) scale_inplace(g + off, (float)(v / nrm), len);
            off += len;
          }
        } else {
          const double nrm = std::sqrt(sum_squares(g, total));
          if (nrm > v) scale_inplace(g, (float)(v / nrm), total);
        }
        break;
      }
      case Kern::constraint:
        constraint_apply((Constraint)I[0], p[0], I[1], I[2], I[3], F[0], F[1], F[2]);
        break;
      case Kern::gather: {
        const i64 b = embedding_forward(o[0], p[1], p[0], I[0], I[1], I[2]);
        if (b && bad_at < 0) bad_at = (i64)ti;
        bad += b;
        break;
      }
      case Kern::scatter_add:
        embedding_backward(o[0], p[0], p[1], I[0], I[1], I[2]);
        break;
      case Kern::take_along_axis: {
        const i64 b = take_along_axis(p[0], p[1], o[0], I[0], I[1], I[2], I[3]);
        if (b && bad_at < 0) bad_at = (i64)ti;
        bad += b;
        break;
      }
      case Kern::put_along_axis_add: {
        const i64 b = put_along_axis_add(p[0], p[1], o[0], I[0], I[1], I[2], I[3]);
        if (b && bad_at < 0) bad_at = (i64)ti;
        bad += b;
        break;
      }
      case Kern::one_hot:
        one_hot(p[0], o[0], I[0], I[1]);
        break;
      case Kern::dropout: {
        const std::uint64_t k = t.nin == 2 ? state_key(p[1], seed_two_[ti]) : key;
        dropout_keyed(p[0], o[0], o[1], F[0], k, (std::uint64_t)I[1], I[0]);
        break;
      }
      case Kern::random_uniform:
      case Kern::random_normal: {
        const std::uint64_t k = t.nin == 1 ? state_key(p[0], seed_two_[ti]) : key;
        if (t.k == Kern::random_uniform)
          random_uniform(o[0], F[0], F[1], k, (std::uint64_t)I[1], I[0]);
        else random_normal(o[0], F[0], F[1], k, (std::uint64_t)I[1], I[0]);
        break;
      }
      case Kern::layernorm:
        layernorm_forward(o[0], o[1], o[2], p[0], p[1], p[2], F[0], I[0], I[1]);
        break;
      case Kern::layernorm_grad:
        layernorm_backward(o[0], o[1], o[2], p[0], p[1], p[2], p[3], p[4], I[0], I[1]);
        break;
      case Kern::batchnorm_train:
        batchnorm_forward_train(o[0], o[1], o[2], p[0], p[1], p[2], o[3], o[4], F[0], F[1], I[0],
                                I[1]);
        break;
      case Kern::batchnorm_infer:
        batchnorm_forward_infer(o[0], p[0], p[1], p[2], p[3], p[4], F[0], I[0], I[1]);
        break;
      case Kern::batchnorm_grad:
        batchnorm_backward_train(o[0], o[1], o[2], p[0], p[1], p[2], p[3], p[4], I[0], I[1]);
        break;
      case Kern::conv2d:
        conv2d_forward(conv_shape(I), p[0], p[1], o[0], o[1]);
        break;
      case Kern::conv2d_bias_act:
        conv2d_forward_bias_act(conv_shape(I), p[0], p[1], p[2], (Act)I[16], F[0], o[0], o[1]);
        break;
      case Kern::conv2d_grad_input:
        conv2d_grad_input(conv_shape(I), p[0], p[1], o[0], o[1]);
        break;
      case Kern::conv2d_grad_filter:
        conv2d_grad_filter(conv_shape(I), p[0], p[1], o[0], o[1]);
        break;
      case Kern::pool2d:
        pool2d_forward(pool_shape(I), I[12] != 0, p[0], o[0]);
        break;
      case Kern::pool2d_grad:
        pool2d_backward(pool_shape(I), (I[12] & 1) != 0, (I[12] & 2) != 0, p[0], p[1], o[0]);
        break;
      case Kern::conv2d_pool_grad_filter:
        conv2d_pool_grad_filter(conv_shape(I), conv_pool_shape(I), (I[24] & 1) != 0,
                                (I[24] & 2) != 0, p[0], p[1], p[2], o[0], o[1], o[2]);
        break;
      case Kern::cumsum:
        cumulative(false, p[0], o[0], I[0], I[1], I[2]);
        break;
      case Kern::cumprod:
        cumulative(true, p[0], o[0], I[0], I[1], I[2]);
        break;
      case Kern::lstm_seq:
        lstm_seq_forward(I[0], I[1], I[2], p[0], p[1], p[2], p[3], p[4], o[0], o[1], o[2]);
        break;
      case Kern::lstm_seq_grad:
        lstm_seq_backward(I[0], I[1], I[2], p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8],
                          o[0], o[1], o[2], o[3], o[4]);
        break;
      case Kern::gru_seq:
        gru_seq_forward(I[0], I[1], I[2], I[3] != 0, p[0], p[1], p[2], p[3], p[4], o[0], o[1],
                        o[2]);
        break;
      case Kern::gru_seq_grad:
        gru_seq_backward(I[0], I[1], I[2], I[3] != 0, p[0], p[1], p[2], p[3], p[4], p[5], o[0],
                         o[1], o[2], o[3], o[4]);
        break;
      case Kern::rnn_seq:
        rnn_seq_forward(I[0], I[1], I[2], (int)I[3], p[0], p[1], p[2], p[3], o[0]);
        break;
      case Kern::rnn_seq_grad:
        rnn_seq_backward(I[0], I[1], I[2], (int)I[3], p[0], p[1], p[2], p[3], p[4], o[0], o[1],
                         o[2], o[3]);
        break;
      default:
        KS_ASSERT(!"every Kern has a case in run()");
        break;
    }
  }
  opt_state = state1;
  ++step;
  if (bad) {
    const Instr& t = tape_[bad_at];
    const i64* I = ints_.data() + t.ii;
    const i64 V = I[1];  // gather's V, or the axis length L
    throw std::invalid_argument(
        std::string(kern_name(t.k)) + " (instruction " + str(bad_at) + "): " + str(bad) +
        " id(s) outside " +
        (t.k == Kern::gather ? "[0, " + str(V) + ")" : "[-" + str(V) + ", " + str(V) + ")"));
  }
}

void Program::set_feeds(const std::vector<std::pair<i64, i64>>& feeds) {
  std::vector<Feed> f;
  for (const auto& fd : feeds) {
    const i64 sz = operand_size(fd.first);
    if (fd.second < 1) throw std::invalid_argument("set_feeds: width must be >= 1");
    f.push_back({operands_[fd.first].ptr, fd.second, sz / fd.second});
  }
  feeds_ = std::move(f);
}

void Program::set_feed_exclusive(i64 k) {
  if (k < 0 || k >= (i64)feeds_.size())
    throw std::invalid_argument("set_feed_exclusive: no feed " + str(k));
  feeds_[k].exclusive = true;
}

void Program::set_output(i64 operand, i64 width) {
  const i64 sz = operand_size(operand);
  if (width < 1) throw std::invalid_argument("set_output: width must be >= 1");
  out_ = {operands_[operand].ptr, width, sz / width};
}

void Program::set_accumulators(const std::vector<i64>& ops) {
  std::vector<const float*> p;
  for (i64 id : ops) {
    if (operand_size(id) < 1)
      throw std::invalid_argument("set_accumulators: operand " + str(id) + " is empty");
    p.push_back(operands_[id].ptr);
  }
  acc_ptrs_ = std::move(p);
  acc_sums_.assign(acc_ptrs_.size(), 0.0);
}

void Program::accumulate() {
  for (size_t i = 0; i < acc_ptrs_.size(); ++i) acc_sums_[i] += (double)acc_ptrs_[i][0];
}

void Program::reset_accumulators() { std::fill(acc_sums_.begin(), acc_sums_.end(), 0.0); }

void Program::redirect(const float* from, i64 size, const float* to) {
  KS_ASSERT(size >= 0 && (size == 0 || (from && to)));
  for (float*& p : ptrs_)
    if (p >= from && p < from + size) p = const_cast<float*>(to) + (p - from);
}

}  // namespace ks
