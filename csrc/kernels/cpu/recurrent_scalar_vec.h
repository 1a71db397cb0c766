// The "vector" of the generic recurrent loops (recurrent_kernels.inc's rec_gemm): one
// float, tiles of 4 rows x 4 columns. Included inside the ISA's namespace.
using vec = float;
constexpr int kVL = 1, kRB = 4, kNB = 4;
static inline vec vld(const float* p) { return *p; }
static inline void vst(float* p, vec v) { *p = v; }
static inline vec vbc(float f) { return f; }
static inline vec vfma(vec a, vec b, vec c) { return a * b + c; }
