// The fused elementwise kernel (contract in kerasette/ewise.h): decoding and checking the
// register program once, then running it block by block. The per-instruction loops live
// in ewise_kernels.inc, compiled here for the baseline ISA and in ewise_avx2.cc /
// ewise_avx512.cc; the dispatch table picks one from active_isa().
//
// Per block each register is a pointer: a contiguous input points straight into its
// memory (no copy), a scalar input or immediate into a buffer filled once per call, a
// broadcast/strided input into a buffer gathered segment by segment along the innermost
// dim (memcpy for stride 1, fill for stride 0), and a temporary into the thread's
// register file. An output that overlaps nothing else is its register (written in
// place); the others are copied from their register at the end of the block.
#pragma GCC optimize("no-trapping-math")
#include "kerasette/ewise.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "dispatch/kernel_table.h"
#include "kerasette/cpu.h"
#include "kerasette/parallel.h"
#include "kernels/cpu/ewise_isa.h"
#include "kernels/cpu/ewise_math.h"

namespace ks {
namespace ew_generic {
#include "kernels/cpu/ewise_kernels.inc"
}  // namespace ew_generic

namespace {

struct OpInfo {
  const char* name;
  int arity;
};
const OpInfo kOps[] = {
#define KS_EW_INFO(name, arity) {#name, arity},
    KS_EWISE_OPS(KS_EW_INFO)
#undef KS_EW_INFO
};

std::string str(i64 v) { return std::to_string(v); }

// The thread's register file, grown once and reused (no allocation per step).
float* register_file(size_t floats) {
  thread_local std::vector<float> buf;
  if (buf.size() < floats) buf.resize(floats);
  return buf.data();
}

}  // namespace

const char* ewise_name(EwOp op) {
  int i = (int)op;
  return i >= 0 && i < (int)EwOp::count_ ? kOps[i].name : "internal";
}
int ewise_arity(EwOp op) {
  int i = (int)op;
  if (i >= 0 && i < (int)EwOp::count_) return kOps[i].arity;
  return (op == EwOp::cube_ || op == EwOp::fill_one_) ? 1 : 0;
}

std::string ewise_decode(const i64* I, i64 n_ints, const float* imm, i64 n_imm, int k, int m,
                         EwiseSpec* s) {
  i64 p = 0;
  auto take = [&](i64* v) {
    if (p >= n_ints) return false;
    *v = I[p++];
    return true;
  };
  i64 rank;
  if (!take(&rank)) return "ints is empty (expected rank first)";
  if (rank < 0 || rank > kEwiseMaxRank)
    return "rank " + str(rank) + " outside [0, " + str(kEwiseMaxRank) + "]";
  i64 shape[kEwiseMaxRank];
  i64 total = 1;
  for (i64 d = 0; d < rank; ++d) {
    if (!take(&shape[d])) return "ints ends inside the output shape";
    if (shape[d] < 0 || shape[d] > (i64(1) << 40)) return "bad output dim " + str(shape[d]);
    total = shape[d] == 0 || total == 0 ? 0 : total * shape[d];
    if (total > (i64(1) << 40)) return "output too large";
  }
  i64 kk;
  if (!take(&kk)) return "ints ends before the input count";
  if (kk != k) return "ints says " + str(kk) + " inputs but ins has " + str(k);
  std::vector<i64> st((size_t)k * rank);
  for (i64 j = 0; j < (i64)k * rank; ++j) {
    if (!take(&st[j])) return "ints ends inside the input strides";
    if (st[j] < 0 || st[j] > (i64(1) << 40))
      return "input strides must be in [0, 2^40] (use `strided` for flips), got " + str(st[j]);
  }
  const int n_regs_fixed = k + (int)n_imm;
  i64 n_instr;
  if (!take(&n_instr)) return "ints ends before the instruction count";
  if (n_instr < 0 || n_instr > 4096)
    return "instruction count " + str(n_instr) + " outside [0, 4096]";
  s->code.clear();
  int max_reg = n_regs_fixed - 1;
  for (i64 j = 0; j < n_instr; ++j) {
    i64 v[5];
    for (int q = 0; q < 5; ++q)
      if (!take(&v[q])) return "ints ends inside instruction " + str(j);
    if (v[0] < 0 || v[0] >= (i64)EwOp::count_)
      return "instruction " + str(j) + ": unknown code " + str(v[0]);
    const int ar = kOps[v[0]].arity;
    if (v[1] < n_regs_fixed || v[1] >= kEwiseMaxRegs)
      return "instruction " + str(j) + " (" + kOps[v[0]].name + "): dst " + str(v[1]) +
             " must be a temporary register in [" + str(n_regs_fixed) + ", " + str(kEwiseMaxRegs) +
             ")";
    for (int q = 0; q < 3; ++q) {
      if (q < ar) {
        if (v[2 + q] < 0 || v[2 + q] >= kEwiseMaxRegs)
          return "instruction " + str(j) + " (" + kOps[v[0]].name + "): operand register " +
                 str(v[2 + q]) + " out of range";
        max_reg = std::max<int>(max_reg, (int)v[2 + q]);
      } else {
        v[2 + q] = v[2];  // unused operands read the first one (always valid)
      }
    }
    max_reg = std::max<int>(max_reg, (int)v[1]);
    EwInstr in{(int)v[0], (int)v[1], (int)v[2], (int)v[3], (int)v[4]};
    // power with an immediate exponent: the cheap exact forms.
    if (in.code == (int)EwOp::power && in.b >= k && in.b < n_regs_fixed) {
      float e = imm[in.b - k];
      if (e == 1.0f) in.code = (int)EwOp::identity;
      else if (e == 2.0f) in.code = (int)EwOp::square;
      else if (e == 3.0f) in.code = (int)EwOp::cube_;
      else if (e == -1.0f) in.code = (int)EwOp::reciprocal;
      else if (e == 0.0f) in.code = (int)EwOp::fill_one_;
    }
    s->code.push_back(in);
  }
  i64 mm;
  if (!take(&mm)) return "ints ends before the output count";
  if (mm != m) return "ints says " + str(mm) + " outputs but outs has " + str(m);
  s->out_reg.assign(m, 0);
  for (int o = 0; o < m; ++o) {
    i64 r;
    if (!take(&r)) return "ints ends inside out_reg";
    if (r < 0 || r > max_reg) return "out_reg " + str(r) + " is not a register of this program";
    s->out_reg[o] = (int)r;
  }
  if (p != n_ints) return "ints has " + str(n_ints - p) + " values past the end of the program";
  s->n_regs = max_reg + 1;
  s->k = k;
  s->n_imm = (int)n_imm;
  s->imm.assign(imm, imm + n_imm);
  s->total = total;

  // Extents before collapsing (what each input must hold).
  s->in_extent.assign(k, 0);
  for (int i = 0; i < k; ++i) {
    i64 hi = 0;
    for (i64 d = 0; d < rank; ++d) hi += (shape[d] - 1) * st[(size_t)i * rank + d];
    s->in_extent[i] = total == 0 ? 0 : hi + 1;
  }
  // Collapse: drop size-1 dims, then merge dims that every input walks contiguously.
  int r = 0;
  i64 cs[kEwiseMaxRank];
  std::vector<i64> cst((size_t)k * kEwiseMaxRank);
  for (i64 d = 0; d < rank; ++d) {
    if (shape[d] == 1) continue;
    bool merge = r > 0;
    for (int i = 0; merge && i < k; ++i)
      merge = cst[(size_t)i * kEwiseMaxRank + r - 1] == st[(size_t)i * rank + d] * shape[d];
    if (merge) {
      cs[r - 1] *= shape[d];
      for (int i = 0; i < k; ++i) cst[(size_t)i * kEwiseMaxRank + r - 1] = st[(size_t)i * rank + d];
    } else {
      cs[r] = shape[d];
      for (int i = 0; i < k; ++i) cst[(size_t)i * kEwiseMaxRank + r] = st[(size_t)i * rank + d];
      ++r;
    }
  }
  s->rank = r;
  for (int d = 0; d < r; ++d) s->shape[d] = cs[d];
  s->strides.assign((size_t)k * (r > 0 ? r : 1), 0);
  s->in_kind.assign(k, 0);
  for (int i = 0; i < k; ++i) {
    bool scalar = true, contig = true;
    i64 want = 1;
    for (int d = r - 1; d >= 0; --d) {
      i64 v = cst[(size_t)i * kEwiseMaxRank + d];
      s->strides[(size_t)i * r + d] = v;
      scalar = scalar && v == 0;
      contig = contig && v == want;
      want *= cs[d];
    }
    s->in_kind[i] = r == 0 ? 0 : (contig ? 0 : (scalar ? 1 : 2));
  }
  s->out_direct.assign(m, 0);
  // Forking pays off once the block work is tens of microseconds: a short chain (a relu
  // gradient) streams 2^17 floats in a few, so it stays on one thread up to ~2^17.
  s->min_parallel = std::max<i64>(i64(1) << 14, (i64(1) << 19) / (1 + (i64)s->code.size()));
  return "";
}

void ewise_plan_outputs(EwiseSpec* s,
                        const std::vector<std::pair<const char*, const char*>>& in_ranges,
                        const std::vector<std::pair<const char*, const char*>>& out_ranges) {
  const int m = (int)s->out_reg.size(), first_temp = s->k + s->n_imm;
  auto overlap = [](std::pair<const char*, const char*> a, std::pair<const char*, const char*> b) {
    return a.first < b.second && b.first < a.second;
  };
  for (int o = 0; o < m; ++o) {
    bool ok = s->out_reg[o] >= first_temp && s->total > 0;
    for (int q = 0; ok && q < o; ++q) ok = !(s->out_direct[q] && s->out_reg[q] == s->out_reg[o]);
    for (size_t i = 0; ok && i < in_ranges.size(); ++i) ok = !overlap(out_ranges[o], in_ranges[i]);
    for (int q = 0; ok && q < m; ++q) ok = q == o || !overlap(out_ranges[o], out_ranges[q]);
    s->out_direct[o] = ok;
  }
}

namespace {

// dst[0..n) = input elements at flat output positions [s0, s0 + n).
void gather(const EwiseSpec& s, const float* x, const i64* st, i64 s0, i64 n, float* dst) {
  const int r = s.rank;
  i64 idx[kEwiseMaxRank];
  i64 rem = s0, off = 0;
  for (int d = r - 1; d >= 0; --d) {
    idx[d] = rem % s.shape[d];
    rem /= s.shape[d];
    off += idx[d] * st[d];
  }
  const i64 inner = s.shape[r - 1], is = st[r - 1];
  i64 p = 0;
  while (p < n) {
    const i64 seg = std::min(inner - idx[r - 1], n - p);
    if (is == 1) {
      std::memcpy(dst + p, x + off, sizeof(float) * seg);
    } else if (is == 0) {
      const float v = x[off];
      for (i64 j = 0; j < seg; ++j) dst[p + j] = v;
    } else {
      for (i64 j = 0; j < seg; ++j) dst[p + j] = x[off + j * is];
    }
    p += seg;
    off += seg * is;
    idx[r - 1] += seg;
    for (int d = r - 1; d > 0 && idx[d] == s.shape[d]; --d) {
      off -= idx[d] * st[d];
      idx[d] = 0;
      ++idx[d - 1];
      off += st[d - 1];
    }
  }
}

constexpr i64 kStackFile = 2048;  // floats: small programs keep their registers on the stack

void run_range(const EwiseSpec& s, const float* const* ins, float* const* outs, i64 begin, i64 end,
               EwApplyFn apply) {
  // Registers as long as the block, rounded to whole 64-byte lines.
  const i64 B = std::min<i64>(kEwiseBlock, (end - begin + 15) / 16 * 16);
  alignas(64) float stack_file[kStackFile];
  float* file = (i64)s.n_regs * B <= kStackFile ? stack_file : register_file((size_t)s.n_regs * B);
  const float* reg[kEwiseMaxRegs];
  const i64 fill_n = std::min(B, end - begin);
  for (int i = 0; i < s.n_regs; ++i) reg[i] = file + (size_t)i * B;
  for (int i = 0; i < s.k; ++i)
    if (s.in_kind[i] == 1)
      std::fill(file + (size_t)i * B, file + (size_t)i * B + fill_n, ins[i][0]);
  for (int j = 0; j < s.n_imm; ++j)
    std::fill(file + (size_t)(s.k + j) * B, file + (size_t)(s.k + j) * B + fill_n, s.imm[j]);
  const int m = (int)s.out_reg.size();
  for (i64 s0 = begin; s0 < end; s0 += B) {
    const i64 n = std::min(B, end - s0);
    for (int i = 0; i < s.k; ++i) {
      if (s.in_kind[i] == 0) {
        reg[i] = ins[i] + s0;
      } else if (s.in_kind[i] == 2) {
        gather(s, ins[i], s.strides.data() + (size_t)i * s.rank, s0, n, file + (size_t)i * B);
      }
    }
    for (int o = 0; o < m; ++o)
      if (s.out_direct[o]) reg[s.out_reg[o]] = outs[o] + s0;
    for (const EwInstr& in : s.code)
      apply(in.code, const_cast<float*>(reg[in.dst]), reg[in.a], reg[in.b], reg[in.c], n);
    for (int o = 0; o < m; ++o)
      if (!s.out_direct[o] && outs[o] + s0 != reg[s.out_reg[o]])
        std::memmove(outs[o] + s0, reg[s.out_reg[o]], sizeof(float) * n);
  }
}

}  // namespace

void ewise_run(const EwiseSpec& s, const float* const* ins, float* const* outs) {
  if (s.total <= 0) return;
  const EwApplyFn apply = ewise_kernels(active_isa()).apply;
  parallel_ranges(s.total, s.min_parallel, kEwiseBlock,
                  [&](i64 b, i64 e) { run_range(s, ins, outs, b, e, apply); });
}

void ewise_apply(int code, float* d, const float* a, const float* b, const float* c, i64 n) {
  ewise_kernels(active_isa()).apply(code, d, a, b, c, n);
}

}  // namespace ks
