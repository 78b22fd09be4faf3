// Compute peaks of this CPU, the ceilings for our prefill (int8 GEMM) and vision attention (float32):
// 12 independent accumulator chains per thread of AVX512-VNNI vpdpbusd (int8 multiply-accumulates) or
// of vfmadd231ps (float32 FMAs), zmm registers, no memory traffic.
//   gcc -O2 -mavx512f -mavx512vnni -fopenmp tools/bench/cpu-peak.c -o /tmp/cpu-peak
//   OMP_NUM_THREADS=2 /tmp/cpu-peak int8 ; OMP_NUM_THREADS=2 /tmp/cpu-peak fp32
#include <immintrin.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#define CHAINS(step) step(0) step(1) step(2) step(3) step(4) step(5) step(6) step(7) step(8) step(9) step(10) step(11)

static long long int8_chains(long iterations) {
  __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(5);
#define DECLARE(i) __m512i c##i = _mm512_setzero_si512();
  CHAINS(DECLARE)
#undef DECLARE
  for (long i = 0; i < iterations; i++) {
#define STEP(i) c##i = _mm512_dpbusd_epi32(c##i, a, b);
    CHAINS(STEP)
#undef STEP
    __asm__ volatile("" : "+v"(a));
  }
  __m512i s = _mm512_setzero_si512();
#define SUM(i) s = _mm512_add_epi32(s, c##i);
  CHAINS(SUM)
#undef SUM
  return _mm512_reduce_add_epi32(s);
}

static long long fp32_chains(long iterations) {
  __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(1e-7f);
#define DECLARE(i) __m512 c##i = _mm512_set1_ps((float)i);
  CHAINS(DECLARE)
#undef DECLARE
  for (long i = 0; i < iterations; i++) {
#define STEP(i) c##i = _mm512_fmadd_ps(c##i, a, b);
    CHAINS(STEP)
#undef STEP
    __asm__ volatile("" : "+v"(a));
  }
  __m512 s = _mm512_setzero_ps();
#define SUM(i) s = _mm512_add_ps(s, c##i);
  CHAINS(SUM)
#undef SUM
  return (long long)_mm512_reduce_add_ps(s);
}

int main(int argc, char **argv) {
  int int8 = argc < 2 || strcmp(argv[1], "fp32") != 0;
  const long iterations = 200000000;
  int threads = 0;
  long long sink = 0;
  double start = omp_get_wtime();
#pragma omp parallel reduction(+ : sink)
  {
#pragma omp single
    threads = omp_get_num_threads();
    sink += int8 ? int8_chains(iterations) : fp32_chains(iterations);
  }
  double seconds = omp_get_wtime() - start;
  // Per instruction: 64 int8 multiply-accumulates (vpdpbusd zmm) or 16 float32 FMAs (vfmadd231ps zmm).
  double macs = (double)iterations * 12 * (int8 ? 64 : 16) * threads;
  printf("%d thread(s): %.3f T%s/s (%s zmm), %.2f s, sink %lld\n", threads, macs / seconds / 1e12,
         int8 ? "MAC" : "FMA", int8 ? "vpdpbusd, int8" : "vfmadd231ps, float32", seconds, sink);
  return 0;
}
