// Program: the graph engine's executor. Python lowers a traced, differentiated and
// optimised graph to a flat tape of (kernel, operands, ints, floats) instructions with
// every decision made (kernel, operand addresses, a liveness plan of workspace offsets);
// the Program checks each instruction once when it is added, then runs the tape with no
// allocation, no lookups and one switch per instruction.
//
// Operands are float32 ranges: workspace slices (ws) or external arrays (ext: weights,
// grads, optimizer slots, constants; the binding keeps them alive). Operand ids index
// `operands_`; -1 is an absent optional operand.
//
// Instruction layouts (ins / outs / ints / floats), the Python contract:
//   copy            [x] [y]  ints [n]
//   fill            [] [y]  ints [n]  floats [value]
//   ewise           [k inputs] [m outputs]  ints [rank, shape..., k, strides(k*rank)...,
//                   n_instr, (code, dst, a, b, c)..., m, out_reg...]  floats: immediates
//                   (kerasette/ewise.h)
//   reduce          [x] [y]  ints [code, outer, len, inner]  (kerasette/reduce.h)
//   strided         [x] [y]  ints [rank, offset, shape..., strides...]
//   strided_write   [x] [y]  ints [rank, offset, accumulate, shape..., strides...]
//   matmul          [A, B] [C]  ints [batch, M, N, K, transA, transB, strideA, strideB]
//                   floats [alpha, beta]
//   gemm_bias_act   [A, W, bias|-1] [C]  ints [M, N, K, act]  floats [act_param]
//   act             [x] [y]  ints [act, rows, cols]  floats [param]
//   act_grad        [x|-1, y|-1, dy] [dx]  ints [act, rows, cols]  floats [param]
//   bias_grad       [dy] [db]  ints [rows, C]  (db written)
//   loss            [pred, target, row_weights|-1] [per_row|-1, dpred|-1]
//                   ints [loss, N, K, from_logits]  floats [label_smoothing, delta]
//   optimizer       [param, grad, slots...] []  ints [opt, n, nesterov, amsgrad, centered,
//                   lamb only: n_segments, seg_len... (absent: one segment)]
//                   floats [beta_1, beta_2, epsilon, momentum, rho, weight_decay,
//                   initial_accumulator_value, ftrl (optional, defaults -0.5 0 0 0 0):
//                   learning_rate_power, l1, l2, l2_shrinkage, beta]
//   clip            [g] []  ints [mode, n_segments, seg_len...]  floats [value]
//   constraint      [w] []  ints [kind, outer, len, inner]  floats [min, max, rate]
//   gather          [table, ids] [y]  ints [R, V, D]
//   scatter_add     [dy, ids] [dtable]  ints [R, V, D]  (accumulates; bad ids skipped)
//   take_along_axis [x, idx] [y]  ints [outer, L, J, inner]
//   put_along_axis_add [dy, idx] [dx]  ints [outer, L, J, inner]  (accumulates)
//   one_hot         [ids] [y]  ints [N, depth]
//   dropout         [x, seed_state?] [y, mask|-1]  ints [n, stream]  floats [rate]
//   random_uniform  [seed_state?] [y]  ints [n, stream]  floats [lo, hi]
//   random_normal   [seed_state?] [y]  ints [n, stream]  floats [mean, stddev]
//                   Random numbers come from (program seed, step, stream, element); an
//                   optional seed_state operand ([seed] or [seed, counter], float-stored
//                   integers, e.g. a Keras SeedGenerator's state) replaces (seed, step).
//   layernorm       [x, gamma|-1, beta|-1] [y, mean, rstd]  ints [rows, C]  floats [eps]
//   layernorm_grad  [dy, x, mean, rstd, gamma|-1] [dx|-1, dgamma|-1, dbeta|-1]
//                   ints [rows, C]  (dgamma/dbeta accumulate, dx is written)
//   batchnorm_train [x, gamma|-1, beta|-1] [y, mean, invstd, moving_mean|-1, moving_var|-1]
//                   ints [rows, C]  floats [momentum, eps]
//   batchnorm_infer [x, gamma|-1, beta|-1, moving_mean, moving_var] [y]  ints [rows, C]
//                   floats [eps]
//   batchnorm_grad  [dy, x, mean, invstd, gamma|-1] [dx|-1, dgamma|-1, dbeta|-1]
//                   ints [rows, C]  (dgamma/dbeta accumulate)
//   conv2d          [x (N,H,W,C), w (KH,KW,C/groups,O)] [y (N,OH,OW,O), scratch|-1]
//   conv2d_grad_input  [dy, w] [dx, scratch|-1]     (dx written)
//   conv2d_grad_filter [x, dy] [dw, scratch|-1]     (dw written)
//                   ints (all three) [N, H, W, C, O, KH, KW, stride_h, stride_w, dilation_h,
//                   dilation_w, pad_top, pad_left, OH, OW, groups]; scratch holds
//                   ConvShape::scratch() floats (kerasette/conv.h; may be -1 when
//                   that is 0, i.e. unless the taps are few: KH * KW * C <= 32)
//   conv2d_bias_act [x, w, bias (O)] [y, scratch|-1]  ints conv2d's + [act]  floats
//                   [act_param]: y = act(conv2d + bias), act elementwise (activation.h)
//   pool2d          [x] [y]      ints [N, H, W, C, KH, KW, stride_h, stride_w, pad_top,
//   pool2d_grad     [x, dy] [dx]      pad_left, OH, OW, mode (0 max, 1 average)]
//                   pool2d_grad's mode | 2: dx also times (x > 0) (a relu's output pooled)
//   conv2d_pool_grad_filter [x, y (N,OH,OW,O), g (N,PH,PW,O)] [dw, db|-1, scratch]
//                   ints conv2d's + the pooling's [KH, KW, stride_h, stride_w, pad_top,
//                   pad_left, PH, PW, mode]: a small-K conv's dw and db (written) from
//                   the gradient g of a disjoint pooling of its output y, as
//                   conv2d_grad_filter(x, pool2d_grad(y, g)) and that dz's column sums;
//                   scratch: conv_pool_grad_scratch() floats (kerasette/conv.h)
//   cumsum, cumprod [x] [y]  ints [outer, len, inner]  (along the middle axis)
//   lstm_seq        [xp, h0, c0, U, mask|-1] [H, C, G]  ints [B, T, u]
//   lstm_seq_grad   [h0, c0, U, mask|-1, H, C, G, dH, dC] [dxp, dh0, dc0, dU, scratch]
//                   ints [B, T, u]
//   gru_seq         [xp, h0, U, rb|-1, mask|-1] [H, G, scratch]  ints [B, T, u, reset_after]
//   gru_seq_grad    [h0, U, mask|-1, H, G, dH] [dxp, dh0, dU, drb|-1, scratch]
//                   ints [B, T, u, reset_after]
//   rnn_seq         [xp, h0, U, mask|-1] [H]  ints [B, T, u, act (0 tanh, 1 relu, 2 linear)]
//   rnn_seq_grad    [h0, U, mask|-1, H, dH] [dxp, dh0, dU, scratch]  ints [B, T, u, act]
//                   Recurrent cells over (B, T, .) sequences (shapes, scratch sizes:
//                   kerasette/recurrent.h); every grad output is written.
//
// Bad ids (gather, take_along_axis, put_along_axis_add) are counted while the tape runs;
// run() finishes the tape, advances the step, then throws std::invalid_argument.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kerasette/common.h"
#include "kerasette/ewise.h"

namespace ks {

enum class Kern : std::uint8_t {
  copy,
  fill,
  ewise,
  reduce,
  strided,
  strided_write,
  matmul,
  gemm_bias_act,
  act,
  act_grad,
  bias_grad,
  loss,
  optimizer,
  clip,
  constraint,
  gather,
  scatter_add,
  take_along_axis,
  put_along_axis_add,
  one_hot,
  dropout,
  random_uniform,
  random_normal,
  layernorm,
  layernorm_grad,
  batchnorm_train,
  batchnorm_infer,
  batchnorm_grad,
  conv2d,
  conv2d_grad_input,
  conv2d_grad_filter,
  conv2d_bias_act,
  pool2d,
  pool2d_grad,
  conv2d_pool_grad_filter,
  cumsum,
  cumprod,
  lstm_seq,
  lstm_seq_grad,
  gru_seq,
  gru_seq_grad,
  rnn_seq,
  rnn_seq_grad,
  count_
};
const char* kern_name(Kern k);

class Program {
 public:
  explicit Program(i64 workspace_floats);
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  // Operand ids. ws is bounds-checked against the workspace; ext takes a caller-owned
  // float32 range that must outlive the program (the binding holds the array).
  int ws(i64 offset, i64 size);
  int ext(float* data, i64 size);

  // Appends an instruction after checking everything run() will touch; throws
  // std::invalid_argument with a message naming the instruction otherwise.
  void add(const std::string& kernel, const std::vector<i64>& ins, const std::vector<i64>& outs,
           const std::vector<i64>& ints, const std::vector<double>& floats);

  // Runs the tape in order (caller holds mutex()), then step += 1.
  void run(float lr, i64 iteration);

  // The epoch loops' wiring (program_loops.cc).
  void set_feeds(const std::vector<std::pair<i64, i64>>& feeds);
  void set_output(i64 operand, i64 width);
  // Feed k is read only and no other buffer shares its bytes: run_predict may point the
  // tape at the caller's rows instead of copying them in.
  void set_feed_exclusive(i64 k);
  void set_accumulators(const std::vector<i64>& operands);
  void accumulate();  // sums += each accumulator operand's first float
  // Points every operand inside [from, from + size) at the same place in `to` instead:
  // run_predict reads each batch straight from the caller's array (no copy into the
  // feed). Only for a feed that nothing else shares (the memory plan keeps it apart).
  void redirect(const float* from, i64 size, const float* to);
  const std::vector<double>& accumulators() const { return acc_sums_; }
  void reset_accumulators();

  float* workspace() { return ws_.get(); }
  i64 workspace_floats() const { return ws_floats_; }
  i64 num_instructions() const { return (i64)tape_.size(); }
  i64 operand_size(i64 id) const;
  float* operand_ptr(i64 id) const;

  std::uint64_t seed = 0, step = 0;
  double opt_state = 1.0;  // Nadam's u_product, carried across steps
  std::mutex& mutex() { return mu_; }

  struct Feed {
    float* ptr;
    i64 width, capacity;
    bool exclusive = false;
  };
  const std::vector<Feed>& feeds() const { return feeds_; }
  const Feed& output() const { return out_; }
  bool has_output() const { return out_.ptr != nullptr; }

 private:
  struct Operand {
    float* ptr;
    i64 size;
  };
  struct Instr {
    Kern k;
    std::uint16_t nin, nout;
    std::uint32_t io;  // first of nin + nout pointers in ptrs_
    std::uint32_t ii;  // first int in ints_
    std::uint32_t fi;  // first float in floats_
    std::int32_t aux;  // ewise spec index, or -1
  };

  struct FloatFree {
    void operator()(float* p) const;
  };
  std::unique_ptr<float[], FloatFree> ws_;
  i64 ws_floats_ = 0;
  std::vector<Operand> operands_;
  std::vector<Instr> tape_;
  std::vector<float*> ptrs_;
  std::vector<i64> ints_;
  std::vector<float> floats_;
  std::vector<EwiseSpec> ewise_;
  std::vector<char> seed_two_;  // per instruction: its seed-state operand holds [seed, counter]
  std::vector<const float*> acc_ptrs_;
  std::vector<double> acc_sums_;
  std::vector<Feed> feeds_;
  Feed out_{nullptr, 0, 0};
  std::mutex mu_;

  const Operand& operand(i64 id, const char* role) const;
};

// The epoch loops (program_loops.cc), run with the GIL released and both programs'
// mutexes held by the caller. `last` (may be null) runs the short final batch; the two
// programs share one step counter and optimizer state (copied across around each run of
// `last`), so a short batch is just the next step. Each program adds its own
// accumulator operands into its own sums.
void run_batches(Program& full, Program* last, const std::vector<const float*>& arrays,
                 const std::vector<i64>& widths, const std::int64_t* idx, i64 n, i64 batch_size,
                 i64 first_batch, i64 n_batches, const float* lrs, i64 first_iteration);
void run_predict(Program& full, Program* last, const float* x, i64 width, i64 n, i64 batch_size,
                 float* out, i64 out_width);
// Checks run_batches's arguments without running (so the binding raises before the loop).
void check_batches(Program& full, Program* last, const std::vector<i64>& widths,
                   const std::vector<i64>& rows, const std::int64_t* idx, i64 idx_len, i64 n,
                   i64 batch_size, i64 first_batch, i64 n_batches, i64 n_lrs);

}  // namespace ks
