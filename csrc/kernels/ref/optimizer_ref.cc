// Scalar reference optimizer updates, transcribed from Keras 3's update_step
// (keras/src/optimizers/{sgd,adam,rmsprop,adagrad,adadelta,nadam,adamax,ftrl,lion,lamb}.py) plus the base
// optimizer's decoupled weight decay (variable -= variable * wd * lr, applied first).
// Per element, in double, one element at a time: the oracle for cpu/optimizer.cc.
// Also holds the contract helpers shared by both versions (slot counts, init, per-step scalars).
#include <algorithm>
#include <cmath>

#include "kerasette/optimizer.h"

namespace ks {

int optimizer_num_slots(Opt o, const OptParams& p) {
  switch (o) {
    case Opt::sgd:
      return p.momentum != 0.0f ? 1 : 0;
    case Opt::adam:
    case Opt::adamw:
      return p.amsgrad ? 3 : 2;
    case Opt::rmsprop:
      return 1 + (p.momentum > 0.0f ? 1 : 0) + (p.centered ? 1 : 0);
    case Opt::adagrad:
      return 1;
    case Opt::adadelta:
      return 2;
    case Opt::nadam:
      return 2;
    case Opt::adamax:
      return 2;
    case Opt::ftrl:
      return 2;
    case Opt::lion:
      return 1;
    case Opt::lamb:
      return 2;
    default:
      return 0;
  }
}

void optimizer_init_slots(Opt o, const OptParams& p, float* const* slots, i64 n) {
  int ns = optimizer_num_slots(o, p);
  for (int s = 0; s < ns; ++s) {
    float v =
        ((o == Opt::adagrad || o == Opt::ftrl) && s == 0) ? p.initial_accumulator_value : 0.0f;
    std::fill(slots[s], slots[s] + n, v);
  }
}

void optimizer_prepare_step(Opt o, OptParams& p, i64 step, double* state) {
  if (o != Opt::nadam) return;
  // Keras Nadam: u_product *= beta_1 * (1 - 0.5 * 0.96^t) before the variable updates.
  double b1 = p.beta_1;
  double u_t = b1 * (1.0 - 0.5 * std::pow(0.96, (double)step));
  double u_t1 = b1 * (1.0 - 0.5 * std::pow(0.96, (double)(step + 1)));
  double prod = (state ? *state : 1.0) * u_t;
  if (state) *state = prod;
  p.s0 = (float)u_t;
  p.s1 = (float)u_t1;
  p.s2 = (float)prod;
  p.s3 = (float)(prod * u_t1);
}

namespace {

// Lamb over one variable [b, e): the trust ratio needs the whole variable's norms, so it
// is two passes (moments and norms, then the step).
void lamb_ref(const OptParams& p, i64 step, float* w, const float* g, float* const* slots, i64 b,
              i64 e) {
  const double lr = p.learning_rate, b1 = p.beta_1, b2 = p.beta_2, t = (double)step;
  const double bc1 = 1.0 - std::pow(b1, t), bc2 = 1.0 - std::pow(b2, t);
  double w_sq = 0.0, u_sq = 0.0;
  for (i64 i = b; i < e; ++i) {
    double wi = w[i];
    if (p.weight_decay != 0.0f) wi = wi - wi * (double)p.weight_decay * lr;
    w[i] = (float)wi;
    double m = slots[0][i] + (g[i] - (double)slots[0][i]) * (1.0 - b1);
    double v = slots[1][i] + ((double)g[i] * g[i] - slots[1][i]) * (1.0 - b2);
    slots[0][i] = (float)m;
    slots[1][i] = (float)v;
    double u = (m / bc1) / (std::sqrt(v / bc2) + p.epsilon);
    w_sq += wi * wi;
    u_sq += u * u;
  }
  const double wn = std::sqrt(w_sq), un = std::sqrt(u_sq);
  const double ratio = (wn > 0.0 && un > 0.0) ? wn / un : 1.0;
  for (i64 i = b; i < e; ++i) {
    double u = (slots[0][i] / bc1) / (std::sqrt(slots[1][i] / bc2) + p.epsilon);
    w[i] = (float)(w[i] - ratio * lr * u);
  }
}

}  // namespace

void optimizer_update_ref(Opt o, const OptParams& p, i64 step, float* param, const float* grad,
                          float* const* slots, i64 n) {
  if (o == Opt::lamb) {
    if (!p.segments) return lamb_ref(p, step, param, grad, slots, 0, n);
    for (i64 k = 0, off = 0; k < p.n_segments; off += p.segments[k++])
      lamb_ref(p, step, param, grad, slots, off, off + p.segments[k]);
    return;
  }
  const double lr = p.learning_rate, b1 = p.beta_1, b2 = p.beta_2, eps = p.epsilon;
  const double wd = p.weight_decay, mom = p.momentum, rho = p.rho, t = (double)step;
  for (i64 i = 0; i < n; ++i) {
    double w = param[i], g = grad[i];
    if (wd != 0.0) w = w - w * wd * lr;
    switch (o) {
      case Opt::sgd:
        if (mom != 0.0) {
          double m = mom * slots[0][i] - lr * g;
          slots[0][i] = (float)m;
          w += p.nesterov ? mom * m - lr * g : m;
        } else {
          w -= lr * g;
        }
        break;
      case Opt::adam:
      case Opt::adamw: {
        double alpha = lr * std::sqrt(1.0 - std::pow(b2, t)) / (1.0 - std::pow(b1, t));
        double m = slots[0][i] + (g - slots[0][i]) * (1.0 - b1);
        double v = slots[1][i] + (g * g - slots[1][i]) * (1.0 - b2);
        slots[0][i] = (float)m;
        slots[1][i] = (float)v;
        if (p.amsgrad) {
          v = std::max((double)slots[2][i], v);
          slots[2][i] = (float)v;
        }
        w -= m * alpha / (std::sqrt(v) + eps);
        break;
      }
      case Opt::rmsprop: {
        double v = rho * slots[0][i] + (1.0 - rho) * g * g;
        slots[0][i] = (float)v;
        double denom = v + eps;
        if (p.centered) {
          float* ag = slots[mom > 0.0 ? 2 : 1];
          double a = rho * ag[i] + (1.0 - rho) * g;
          ag[i] = (float)a;
          denom = v - a * a + eps;
        }
        double inc = lr * g / std::sqrt(denom);
        if (mom > 0.0) {
          double m = mom * slots[1][i] + inc;
          slots[1][i] = (float)m;
          w -= m;
        } else {
          w -= inc;
        }
        break;
      }
      case Opt::adagrad: {
        double acc = slots[0][i] + g * g;
        slots[0][i] = (float)acc;
        w -= lr * g / std::sqrt(acc + eps);
        break;
      }
      case Opt::adadelta: {
        double ag = rho * slots[0][i] + (1.0 - rho) * g * g;
        slots[0][i] = (float)ag;
        double delta = -std::sqrt(slots[1][i] + eps) * g / std::sqrt(ag + eps);
        slots[1][i] = (float)(rho * slots[1][i] + (1.0 - rho) * delta * delta);
        w += lr * delta;
        break;
      }
      case Opt::nadam: {
        double u_t = p.s0, u_t1 = p.s1, up_t = p.s2, up_t1 = p.s3;
        double m = slots[0][i] + (g - slots[0][i]) * (1.0 - b1);
        double v = slots[1][i] + (g * g - slots[1][i]) * (1.0 - b2);
        slots[0][i] = (float)m;
        slots[1][i] = (float)v;
        double m_hat = u_t1 * m / (1.0 - up_t1) + (1.0 - u_t) * g / (1.0 - up_t);
        double v_hat = v / (1.0 - std::pow(b2, t));
        w -= m_hat * lr / (std::sqrt(v_hat) + eps);
        break;
      }
      case Opt::adamax: {
        double m = slots[0][i] + (g - slots[0][i]) * (1.0 - b1);
        double u = std::max(b2 * slots[1][i], std::fabs(g));
        slots[0][i] = (float)m;
        slots[1][i] = (float)u;
        w -= lr * m / ((1.0 - std::pow(b1, t)) * (u + eps));
        break;
      }
      case Opt::ftrl: {
        const double pw = -(double)p.lr_power;
        const double l2_reg = (double)p.l2 + (double)p.ftrl_beta / (2.0 * lr);
        const double acc = slots[0][i], na = acc + g * g;
        double lin = slots[1][i] + (g + 2.0 * p.l2_shrinkage * w) -
                     (std::pow(na, pw) - std::pow(acc, pw)) / lr * w;
        const double quad = std::pow(na, pw) / lr + 2.0 * l2_reg;
        const double lc = std::min(std::max(lin, -(double)p.l1), (double)p.l1);
        slots[1][i] = (float)lin;
        slots[0][i] = (float)na;
        w = (lc - lin) / quad;
        break;
      }
      case Opt::lion: {
        double c = slots[0][i] * b1 + g * (1.0 - b1);
        w -= lr * (double)((c > 0.0) - (c < 0.0));
        slots[0][i] = (float)(slots[0][i] * b2 + g * (1.0 - b2));
        break;
      }
      default:
        break;
    }
    param[i] = (float)w;
  }
}

}  // namespace ks
