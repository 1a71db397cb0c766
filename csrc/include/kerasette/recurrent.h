// Recurrent cells over a whole sequence, one fused pass per time step: the recurrent
// GEMM h_{t-1} @ U (ks::gemm) then the gate nonlinearities and the state update, and the
// backward pass through time (BPTT) over the saved states and gates.
//
// Layout (batch-major, as the projections come out of one matmul):
//   xp    (B, T, G*u)  x @ W + b for every step (G = 4 LSTM, 3 GRU, 1 SimpleRNN)
//   h0/c0 (B, u)       initial states
//   U     (u, G*u)     recurrent kernel (Keras layout; LSTM gates i,f,c,o; GRU z,r,h)
//   mask  (B, T) or null: 0 skips the step (the states carry over), else taken
//   H, C  (B, T, u)    the states after each step
//   G     (B, T, 4u)   saved per-step values: LSTM the activated gates i,f,c,o; GRU
//                      z, r, hh and (reset_after) r_h = h@U_h + b_h or (not) r*h_{t-1}
// Activations: LSTM/GRU tanh + sigmoid; SimpleRNN act 0 tanh, 1 relu, 2 linear.
// Grads: dxp, dh0, dc0 are written; dU and drb are written (zeroed first).
// In place: the LSTM's G may be xp, and its dxp may be G (each step reads a row's slice
// before writing the same slice).
// Scratch (floats): lstm_seq_backward 2*B*u + 4*u*u; gru_seq_forward 4*B*u;
//                   gru_seq_backward 6*B*u; rnn_seq_backward B*u.
#pragma once
#include "kerasette/common.h"

namespace ks {

void lstm_seq_forward(i64 B, i64 T, i64 u, const float* xp, const float* h0, const float* c0,
                      const float* U, const float* mask, float* H, float* C, float* G);
void lstm_seq_backward(i64 B, i64 T, i64 u, const float* h0, const float* c0, const float* U,
                       const float* mask, const float* H, const float* C, const float* G,
                       const float* dH, const float* dC, float* dxp, float* dh0, float* dc0,
                       float* dU, float* scratch);

void gru_seq_forward(i64 B, i64 T, i64 u, bool reset_after, const float* xp, const float* h0,
                     const float* U, const float* rb, const float* mask, float* H, float* G,
                     float* scratch);
void gru_seq_backward(i64 B, i64 T, i64 u, bool reset_after, const float* h0, const float* U,
                      const float* mask, const float* H, const float* G, const float* dH,
                      float* dxp, float* dh0, float* dU, float* drb, float* scratch);

void rnn_seq_forward(i64 B, i64 T, i64 u, int act, const float* xp, const float* h0, const float* U,
                     const float* mask, float* H);
void rnn_seq_backward(i64 B, i64 T, i64 u, int act, const float* h0, const float* U,
                      const float* mask, const float* H, const float* dH, float* dxp, float* dh0,
                      float* dU, float* scratch);

}  // namespace ks
