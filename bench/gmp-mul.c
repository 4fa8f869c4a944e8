/*
 * bench/gmp-mul.c — the native GMP anchor of bench/mul (compiled by the bench with gcc when GMP's headers are
 * installed, into bench/out/; skipped otherwise). Never linked into mathstream.
 *
 *   gmp-mul A.txt B.txt OUT.txt RUNS [pipeline]
 *
 * Reads two decimal files, then prints one line per measurement (seconds, CLOCK_MONOTONIC):
 *   mul S1 S2 ...   RUNS timings of mpz_mul on the two numbers (binary, already converted)
 *   mulcpu S1 ...   the same runs in process CPU time (CLOCK_PROCESS_CPUTIME_ID: fair on a loaded machine)
 *   pipeline S      with "pipeline": GMP's whole decimal pipeline, timed from the start: read both files,
 *                   mpz_set_str, mpz_mul, mpz_get_str, write OUT.txt
 *   pipelinecpu S   the same in process CPU time
 */
#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double clock_s(clockid_t id) {
  struct timespec t;
  clock_gettime(id, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static double now(void) { return clock_s(CLOCK_MONOTONIC); }

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(2); }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc(n + 1);
  if (!buf || fread(buf, 1, n, f) != (size_t)n) { fprintf(stderr, "%s: read failed\n", path); exit(2); }
  buf[n] = 0;
  fclose(f);
  return buf;
}

int main(int argc, char **argv) {
  if (argc < 5) { fprintf(stderr, "usage: gmp-mul A.txt B.txt OUT.txt RUNS [pipeline]\n"); return 2; }
  int runs = atoi(argv[4]);
  int pipeline = argc > 5 && strcmp(argv[5], "pipeline") == 0;
  mpz_t x, y, z;
  mpz_inits(x, y, z, NULL);
  double t0 = now(), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
  char *a = read_file(argv[1]), *b = read_file(argv[2]);
  if (mpz_set_str(x, a, 10) != 0 || mpz_set_str(y, b, 10) != 0) { fprintf(stderr, "bad digits\n"); return 2; }
  free(a);
  free(b);
  if (pipeline) {
    mpz_mul(z, x, y);
    char *s = mpz_get_str(NULL, 10, z);
    FILE *f = fopen(argv[3], "wb");
    if (!f || fwrite(s, 1, strlen(s), f) != strlen(s) || fclose(f) != 0) { perror(argv[3]); return 2; }
    printf("pipeline %.6f\npipelinecpu %.6f\n", now() - t0, clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0);
    free(s);
  }
  double *cpu = malloc(sizeof(double) * (runs > 0 ? runs : 1));
  printf("mul");
  for (int r = 0; r < runs; r++) {
    double t = now(), c = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    mpz_mul(z, x, y);
    cpu[r] = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c;
    printf(" %.6f", now() - t);
  }
  printf("\nmulcpu");
  for (int r = 0; r < runs; r++) printf(" %.6f", cpu[r]);
  printf("\n");
  free(cpu);
  mpz_clears(x, y, z, NULL);
  return 0;
}
