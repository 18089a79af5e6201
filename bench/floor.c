/* The floor: the least CPU a libcurl multi program spends per probe, for comparison with
 * prober in the same run. Also the paced scraper that drives blackbox_exporter the way
 * Prometheus would (with --keepalive, connections to the exporter are reused).
 *
 *   floor [--rate N] [--duration S] [--concurrency C] [--keepalive] URL...
 *   floor --syscall-cost
 *
 * --rate N starts N probes per second (0: flat out, C in flight). URLs are used in turn. Each
 * probe uses a fresh connection unless --keepalive. Prints one line:
 *   probes=P ok=O cpu_seconds=X wall_seconds=W
 * --syscall-cost prints how long the cheapest system call takes here (syscall_us=U): virtual
 * machines differ by tens of times in it, and a fresh connection per probe costs dozens of them,
 * so it says how far figures from two machines can be compared.
 */
#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t discard(char *data, size_t size, size_t count, void *user) {
  (void)data;
  (void)user;
  return size * count;
}

static double cpu_seconds(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
         (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
}

/* The median of five timings of 100,000 getppid calls, in microseconds per call. */
static double syscall_cost_us(void) {
  enum { kRounds = 5, kCalls = 100000 };
  double timings[kRounds];
  for (int round = 0; round < kRounds; ++round) {
    const double start = now_seconds();
    for (int i = 0; i < kCalls; ++i) {
      syscall(SYS_getppid); /* the raw call: no C-library caching can skip the kernel */
    }
    timings[round] = (now_seconds() - start) * 1e6 / kCalls;
  }
  for (int i = 1; i < kRounds; ++i) { /* insertion sort of five values */
    for (int j = i; j > 0 && timings[j] < timings[j - 1]; --j) {
      const double swap = timings[j];
      timings[j] = timings[j - 1];
      timings[j - 1] = swap;
    }
  }
  return timings[kRounds / 2];
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--syscall-cost") == 0) {
    printf("syscall_us=%.3f\n", syscall_cost_us());
    return 0;
  }
  double rate = 0, duration = 10;
  int concurrency = 100, keepalive = 0, first_url = 0;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--rate") == 0 && i + 1 < argc) {
      rate = atof(argv[++i]);
    } else if (strcmp(argv[i], "--duration") == 0 && i + 1 < argc) {
      duration = atof(argv[++i]);
    } else if (strcmp(argv[i], "--concurrency") == 0 && i + 1 < argc) {
      concurrency = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--keepalive") == 0) {
      keepalive = 1;
    } else {
      first_url = i;
      break;
    }
  }
  if (first_url == 0 || concurrency < 1) {
    fprintf(stderr, "usage: floor [--rate N] [--duration S] [--concurrency C] [--keepalive] URL...\n"
                    "       floor --syscall-cost\n");
    return 2;
  }
  const int url_count = argc - first_url;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM *multi = curl_multi_init();
  CURL **idle = calloc((size_t)concurrency, sizeof(CURL *));
  int idle_count = 0, in_flight = 0, next_url = 0;
  long probes = 0, ok = 0;
  const double start = now_seconds();
  const double end = start + duration;
  double next_start = start;
  const double cpu_before = cpu_seconds();

  for (;;) {
    const double now = now_seconds();
    const int accepting = now < end;
    /* Start what is due: paced by rate, or as many as fit when flat out. */
    while (accepting && in_flight < concurrency && (rate <= 0 || next_start <= now)) {
      CURL *easy = idle_count > 0 ? idle[--idle_count] : curl_easy_init();
      curl_easy_setopt(easy, CURLOPT_URL, argv[first_url + next_url]);
      next_url = (next_url + 1) % url_count;
      curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
      curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
      curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 10000L);
      if (!keepalive) {
        curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
      }
      curl_multi_add_handle(multi, easy);
      ++in_flight;
      if (rate > 0) {
        next_start += 1.0 / rate;
      }
    }
    if (!accepting && in_flight == 0) {
      break;
    }
    int wait_ms = 100;
    if (accepting && rate > 0 && in_flight < concurrency) {
      /* Round up: waking a little before the next start would spin until it is due. */
      const double until = ceil((next_start - now_seconds()) * 1000.0);
      wait_ms = until < 0 ? 0 : (until < 100 ? (int)until : 100);
    }
    int running = 0;
    curl_multi_perform(multi, &running);
    curl_multi_poll(multi, NULL, 0, wait_ms, NULL);
    curl_multi_perform(multi, &running);
    CURLMsg *message;
    int left;
    while ((message = curl_multi_info_read(multi, &left)) != NULL) {
      if (message->msg != CURLMSG_DONE) {
        continue;
      }
      CURL *easy = message->easy_handle;
      long status = 0;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      ++probes;
      ok += (message->data.result == CURLE_OK && status == 200) ? 1 : 0;
      curl_multi_remove_handle(multi, easy);
      --in_flight;
      if (keepalive) {
        idle[idle_count++] = easy; /* keeps its connection for the next request */
      } else {
        curl_easy_reset(easy);
        idle[idle_count++] = easy;
      }
    }
  }
  const double cpu = cpu_seconds() - cpu_before;
  printf("probes=%ld ok=%ld cpu_seconds=%.3f wall_seconds=%.3f\n", probes, ok, cpu, now_seconds() - start);
  for (int i = 0; i < idle_count; ++i) {
    curl_easy_cleanup(idle[i]);
  }
  free(idle);
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  return 0;
}
