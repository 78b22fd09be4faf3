// Peak int8 multiply-accumulates per second of AVX512-VNNI (vpdpbusd) on this machine: 12 independent
// accumulator chains per thread, no memory traffic. gcc -O2 -mavx512f -mavx512vnni -fopenmp vnni-peak.c
#include <immintrin.h>
#include <omp.h>
#include <stdio.h>
int main(void) {
  const long iterations = 200000000;
  double start = omp_get_wtime();
  int threads = 0;
  long long sink = 0;
#pragma omp parallel reduction(+ : sink)
  {
#pragma omp single
    threads = omp_get_num_threads();
    __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(5);
    __m512i c0 = _mm512_setzero_si512(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0,
            c8 = c0, c9 = c0, c10 = c0, c11 = c0;
    for (long i = 0; i < iterations; i++) {
      c0 = _mm512_dpbusd_epi32(c0, a, b); c1 = _mm512_dpbusd_epi32(c1, a, b);
      c2 = _mm512_dpbusd_epi32(c2, a, b); c3 = _mm512_dpbusd_epi32(c3, a, b);
      c4 = _mm512_dpbusd_epi32(c4, a, b); c5 = _mm512_dpbusd_epi32(c5, a, b);
      c6 = _mm512_dpbusd_epi32(c6, a, b); c7 = _mm512_dpbusd_epi32(c7, a, b);
      c8 = _mm512_dpbusd_epi32(c8, a, b); c9 = _mm512_dpbusd_epi32(c9, a, b);
      c10 = _mm512_dpbusd_epi32(c10, a, b); c11 = _mm512_dpbusd_epi32(c11, a, b);
      __asm__ volatile("" : "+v"(a));
    }
    __m512i s = _mm512_add_epi32(_mm512_add_epi32(_mm512_add_epi32(c0, c1), _mm512_add_epi32(c2, c3)),
                                 _mm512_add_epi32(_mm512_add_epi32(c4, c5), _mm512_add_epi32(c6, c7)));
    s = _mm512_add_epi32(s, _mm512_add_epi32(_mm512_add_epi32(c8, c9), _mm512_add_epi32(c10, c11)));
    sink += _mm512_reduce_add_epi32(s);
  }
  double seconds = omp_get_wtime() - start;
  double macs = (double)iterations * 12 * 64 * threads;
  printf("%d threads: %.3f TMAC/s int8 (vpdpbusd zmm), %.1f s, sink %lld\n", threads, macs / seconds / 1e12, seconds, sink);
  return 0;
}
