// FP32 FMA-throughput loop: the machine's measured peak for bench/gemm.py.
// Many independent accumulator chains hide the FMA latency, so the loop runs at the
// FMA units' issue rate. Built by bench/gemm.py with -O2 -mavx2 -mfma (and
// -mavx512f for the 512-bit variant) and run as: fma_peak THREADS SECONDS WIDTH.
// Prints the best burst's GFLOP/s, summed over threads.
#include <immintrin.h>
#include <omp.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>

// 12 chains x 8 lanes x 2 flops per FMA.
static double run256(long iters) {
  __m256 a[12];
  for (int i = 0; i < 12; ++i) a[i] = _mm256_set1_ps(1.0f + i * 1e-3f);
  const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
  for (long it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) a[i] = _mm256_fmadd_ps(a[i], x, y);
  }
  float s = 0, o[8];
  for (int i = 0; i < 12; ++i) {
    _mm256_storeu_ps(o, a[i]);
    s += o[0];
  }
  if (s == 12345.f) std::puts("");  // keeps the chains alive
  return 12.0 * 8 * 2 * iters;
}

#ifdef __AVX512F__
static double run512(long iters) {
  __m512 a[12];
  for (int i = 0; i < 12; ++i) a[i] = _mm512_set1_ps(1.0f + i * 1e-3f);
  const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
  for (long it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) a[i] = _mm512_fmadd_ps(a[i], x, y);
  }
  float s = 0, o[16];
  for (int i = 0; i < 12; ++i) {
    _mm512_storeu_ps(o, a[i]);
    s += o[0];
  }
  if (s == 12345.f) std::puts("");
  return 12.0 * 16 * 2 * iters;
}
#endif

int main(int argc, char** argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  double seconds = argc > 2 ? std::atof(argv[2]) : 0.5;
  int width = argc > 3 ? std::atoi(argv[3]) : 256;
  // Many short bursts (~0.3 ms each), best one kept: on a shared machine a burst that
  // was not preempted shows the hardware's rate, a long run shows the scheduler's.
  const long iters = 50000;
  double best = 0;
  auto start = std::chrono::steady_clock::now();
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() <
         seconds) {
    double flops = 0;
    auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads) reduction(+ : flops)
    {
#ifdef __AVX512F__
      flops += width == 512 ? run512(iters) : run256(iters);
#else
      flops += run256(iters);
#endif
    }
    double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (flops / dt > best) best = flops / dt;
  }
  std::printf("%.1f\n", best / 1e9);
  return 0;
}
