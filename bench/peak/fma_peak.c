/* fma_peak.c: the machine's fp32 peak, measured with a loop of independent
 * fused multiply-adds on every thread (bench/, "Machine peak").
 *
 *   cc -O2 -march=native -pthread fma_peak.c -o fma_peak
 *   ./fma_peak THREADS SECONDS   ->  "<isa> <threads> <GFLOP/s>"
 *
 * Each thread keeps 16 accumulators of the widest vector the compiler targets
 * (AVX-512: 16 floats, AVX2: 8, else 1), enough to cover an FMA's latency on
 * two ports, and counts 2 flops per lane per FMA. The threads start together
 * and the slowest one's time divides the total work, so the result is what
 * all threads sustain at once. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__)
#include <immintrin.h>
#define ISA "avx512f"
#define LANES 16
typedef __m512 vec;
#define SET1 _mm512_set1_ps
#define FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define SUM(v) _mm512_reduce_add_ps(v)
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define ISA "avx2+fma"
#define LANES 8
typedef __m256 vec;
#define SET1 _mm256_set1_ps
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
static float SUM(__m256 v) {
  float t[8];
  _mm256_storeu_ps(t, v);
  return t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[7];
}
#else
#define ISA "scalar"
#define LANES 1
typedef float vec;
#define SET1(x) (x)
#define FMA(a, b, c) ((a) * (b) + (c))
#define SUM(v) (v)
#endif

#define ACC 16
#define INNER 1000 /* FMAs per accumulator between clock reads */

struct job {
  double seconds; /* how long to run */
  double flops;   /* done */
  double elapsed; /* taken */
  float sink;     /* keeps the result alive */
};

static pthread_barrier_t start;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Named accumulators: an array would be kept in memory by the compiler, and
 * store-to-load forwarding would bound the loop instead of the FMA units. */
#define STEP(x) x = FMA(x, a, b)
#define ALL(M)                                                                 \
  M(c0);                                                                       \
  M(c1);                                                                       \
  M(c2);                                                                       \
  M(c3);                                                                       \
  M(c4);                                                                       \
  M(c5);                                                                       \
  M(c6);                                                                       \
  M(c7);                                                                       \
  M(c8);                                                                       \
  M(c9);                                                                       \
  M(c10);                                                                      \
  M(c11);                                                                      \
  M(c12);                                                                      \
  M(c13);                                                                      \
  M(c14);                                                                      \
  M(c15)

static void *run(void *arg) {
  struct job *j = arg;
  const vec a = SET1(0.999999f), b = SET1(1e-7f);
  vec c0 = SET1(0), c1 = SET1(1), c2 = SET1(2), c3 = SET1(3), c4 = SET1(4),
      c5 = SET1(5), c6 = SET1(6), c7 = SET1(7), c8 = SET1(8), c9 = SET1(9),
      c10 = SET1(10), c11 = SET1(11), c12 = SET1(12), c13 = SET1(13),
      c14 = SET1(14), c15 = SET1(15);
  pthread_barrier_wait(&start);
  double t0 = now(), t = t0;
  long rounds = 0;
  while (t - t0 < j->seconds) {
    for (int k = 0; k < INNER; ++k) {
      ALL(STEP);
    }
    ++rounds;
    t = now();
  }
  float s = 0;
#define ADD(x) s += SUM(x)
  ALL(ADD);
  j->sink = s;
  j->elapsed = t - t0;
  j->flops = 2.0 * LANES * ACC * INNER * (double)rounds;
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  double seconds = argc > 2 ? atof(argv[2]) : 0.5;
  if (threads < 1 || threads > 1024 || !(seconds > 0)) {
    fprintf(stderr, "usage: fma_peak THREADS SECONDS\n");
    return 2;
  }
  pthread_t *tid = calloc((size_t)threads, sizeof *tid);
  struct job *jobs = calloc((size_t)threads, sizeof *jobs);
  if (!tid || !jobs)
    return 1;
  pthread_barrier_init(&start, NULL, (unsigned)threads);
  for (int i = 0; i < threads; ++i) {
    jobs[i].seconds = seconds;
    if (pthread_create(&tid[i], NULL, run, &jobs[i]))
      return 1;
  }
  double flops = 0, slowest = 0, sink = 0;
  for (int i = 0; i < threads; ++i) {
    pthread_join(tid[i], NULL);
    flops += jobs[i].flops;
    slowest = jobs[i].elapsed > slowest ? jobs[i].elapsed : slowest;
    sink += jobs[i].sink;
  }
  printf("%s %d %.2f\n", ISA, threads, flops / slowest / 1e9);
  fprintf(stderr, "checksum %g\n", sink);
  free(tid);
  free(jobs);
  return 0;
}
