// Denormals flushed to zero while the core computes, as TensorFlow's kernels do
// (tensorflow/core/platform/denormal.h): a result below 2^-126 becomes 0 (FTZ) and a
// denormal input reads as 0 (DAZ). An FMA meeting a denormal otherwise takes a microcode
// assist, and the small gradients of a long training run slow every GEMM. The previous
// mode is restored on exit: the threads the core borrows (the caller, OpenMP workers)
// go back to what the rest of the process expects.
#pragma once

namespace ks {

class FlushDenormals {
 public:
  FlushDenormals();
  ~FlushDenormals();
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;

 private:
  unsigned long long saved_;
};

}  // namespace ks
