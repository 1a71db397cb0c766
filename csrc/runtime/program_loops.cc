// The epoch loops over compiled Programs (declared in program.h): gather each batch's
// rows into the feeds, run, add up the accumulators. No allocation, no Python.
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "kerasette/data_ops.h"
#include "runtime/program.h"

namespace ks {
namespace {

std::string str(i64 v) { return std::to_string(v); }

// Runs `p` for one batch on behalf of `full`: a short batch's program continues the
// full program's step counter and optimizer state.
void run_as(Program& full, Program& p, float lr, i64 iteration) {
  if (&p != &full) {
    p.step = full.step;
    p.opt_state = full.opt_state;
  }
  try {
    p.run(lr, iteration);
  } catch (...) {
    if (&p != &full) {
      full.step = p.step;
      full.opt_state = p.opt_state;
    }
    throw;
  }
  if (&p != &full) {
    full.step = p.step;
    full.opt_state = p.opt_state;
  }
  p.accumulate();
}

void check_program_feeds(const Program& p, const char* which, const std::vector<i64>& widths,
                         i64 rows) {
  const auto& f = p.feeds();
  if (f.size() != widths.size())
    throw std::invalid_argument(std::string(which) + " program has " + str((i64)f.size()) +
                                " feeds but " + str((i64)widths.size()) + " arrays were given");
  for (size_t k = 0; k < f.size(); ++k) {
    if (f[k].width != widths[k])
      throw std::invalid_argument(std::string(which) + " program's feed " + str((i64)k) +
                                  " has width " + str(f[k].width) + " but array " + str((i64)k) +
                                  " has " + str(widths[k]) + " columns");
    if (f[k].capacity < rows)
      throw std::invalid_argument(std::string(which) + " program's feed " + str((i64)k) +
                                  " holds " + str(f[k].capacity) + " rows, the batch has " +
                                  str(rows));
  }
}

}  // namespace

void check_batches(Program& full, Program* last, const std::vector<i64>& widths,
                   const std::vector<i64>& rows, const std::int64_t* idx, i64 idx_len, i64 n,
                   i64 batch_size, i64 first_batch, i64 n_batches, i64 n_lrs) {
  if (batch_size < 1) throw std::invalid_argument("batch_size must be >= 1");
  if (n < 0 || first_batch < 0 || n_batches < 0)
    throw std::invalid_argument("n, first_batch and n_batches must be >= 0");
  for (size_t k = 0; k < rows.size(); ++k)
    if (rows[k] < n)
      throw std::invalid_argument("array " + str((i64)k) + " has " + str(rows[k]) +
                                  " rows, fewer than n = " + str(n));
  if (idx) {
    if (idx_len < n)
      throw std::invalid_argument("idx has " + str(idx_len) + " entries, fewer than n");
    i64 lim = rows.empty() ? n : *std::min_element(rows.begin(), rows.end());
    for (i64 i = 0; i < n; ++i)
      if (idx[i] < 0 || idx[i] >= lim)
        throw std::invalid_argument("idx[" + str(i) + "] = " + str(idx[i]) + " is not a row index");
  }
  const i64 nb_total = (n + batch_size - 1) / batch_size;
  const i64 nb = std::max<i64>(0, std::min(n_batches, nb_total - first_batch));
  if (n_lrs < nb)
    throw std::invalid_argument("lrs has " + str(n_lrs) + " entries for " + str(nb) + " batches");
  bool uses_full = false, uses_last = false;
  for (i64 b = first_batch; b < first_batch + nb; ++b)
    (std::min(batch_size, n - b * batch_size) == batch_size ? uses_full : uses_last) = true;
  if (uses_full) check_program_feeds(full, "full", widths, batch_size);
  if (uses_last) {
    if (!last)
      throw std::invalid_argument("the final batch has " + str(n % batch_size) +
                                  " rows but no `last` program was given");
    check_program_feeds(*last, "last", widths, n % batch_size);
  }
}

void run_batches(Program& full, Program* last, const std::vector<const float*>& arrays,
                 const std::vector<i64>& widths, const std::int64_t* idx, i64 n, i64 batch_size,
                 i64 first_batch, i64 n_batches, const float* lrs, i64 first_iteration) {
  for (i64 b = first_batch; b < first_batch + n_batches; ++b) {
    const i64 s = b * batch_size;
    if (s >= n) break;
    const i64 N = std::min(batch_size, n - s);
    Program& p = N == batch_size ? full : *last;
    const auto& feeds = p.feeds();
    for (size_t k = 0; k < feeds.size(); ++k) {
      const i64 w = widths[k];
      if (idx) gather_rows(feeds[k].ptr, arrays[k], idx + s, N, w);
      else std::memcpy(feeds[k].ptr, arrays[k] + s * w, sizeof(float) * N * w);
    }
    run_as(full, p, lrs[b - first_batch], first_iteration + b - first_batch);
  }
}

void run_predict(Program& full, Program* last, const float* x, i64 width, i64 n, i64 batch_size,
                 float* out, i64 out_width) {
  if (batch_size < 1) throw std::invalid_argument("batch_size must be >= 1");
  for (i64 s = 0; s < n; s += batch_size) {
    const i64 N = std::min(batch_size, n - s);
    Program* pp = N == batch_size ? &full : last;
    const char* which = N == batch_size ? "full" : "last";
    if (!pp)
      throw std::invalid_argument("the final batch has " + str(N) +
                                  " rows but no `last` program was given");
    if (pp->feeds().empty() || pp->feeds()[0].width != width || pp->feeds()[0].capacity < N)
      throw std::invalid_argument(std::string(which) + " program's feed 0 does not take " + str(N) +
                                  " rows of width " + str(width));
    if (!pp->has_output() || pp->output().width != out_width || pp->output().capacity < N)
      throw std::invalid_argument(std::string(which) + " program's output does not give " + str(N) +
                                  " rows of width " + str(out_width));
  }
  for (i64 s = 0; s < n; s += batch_size) {
    const i64 N = std::min(batch_size, n - s);
    Program& p = N == batch_size ? full : *last;
    const Program::Feed& f = p.feeds()[0];
    if (f.exclusive) {  // the tape reads this batch's rows of x in place
      p.redirect(f.ptr, f.capacity * f.width, x + s * width);
      try {
        run_as(full, p, 0.0f, 0);
      } catch (...) {
        p.redirect(x + s * width, f.capacity * f.width, f.ptr);
        throw;
      }
      p.redirect(x + s * width, f.capacity * f.width, f.ptr);
    } else {
      std::memcpy(f.ptr, x + s * width, sizeof(float) * N * width);
      run_as(full, p, 0.0f, 0);
    }
    std::memcpy(out + s * out_width, p.output().ptr, sizeof(float) * N * out_width);
  }
}

}  // namespace ks
