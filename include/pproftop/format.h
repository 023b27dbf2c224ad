/* format.h - human-readable numbers into caller-provided bounded buffers.
 *
 * Every function writes at most len bytes including the NUL, truncating if
 * needed, and returns buf. Units follow go tool pprof: binary for bytes
 * (KiB, MiB), SI-ish for durations (us, ms, s).
 */
#ifndef PPROFTOP_FORMAT_H
#define PPROFTOP_FORMAT_H

#include <stddef.h>

/* fmt_bytes: "512 B", "1.5 KiB", "12.3 MiB", "2.00 GiB". */
char *fmt_bytes(char *buf, size_t len, double v);

/* fmt_ns: nanoseconds as "850 ns", "1.2 us", "3.45 ms", "1.20 s", "2.5 min". */
char *fmt_ns(char *buf, size_t len, double ns);

/* fmt_count: "999", "1.2k", "12.3k", "1.23M", "4.5G"; fractions below 10
 * (rates) with two significant digits: "0.48", "2.5". */
char *fmt_count(char *buf, size_t len, double v);

/* fmt_cores: CPU seconds per second, in cores: "0", "0.041", "0.250",
 * "1.25", "12.3" (three decimals below 1 core). */
char *fmt_cores(char *buf, size_t len, double cores);

/* fmt_unit: dispatch on a value_type unit ("bytes", "nanoseconds", "cores",
 * other). */
char *fmt_unit(char *buf, size_t len, double v, const char *unit);

/* fmt_signed: like fmt_unit with an explicit sign ("+1.2 MiB", "-3", "0"). */
char *fmt_signed(char *buf, size_t len, double v, const char *unit);

/* fmt_rate: fmt_signed plus "/s"; delay rates read as "12.3 ms/s". */
char *fmt_rate(char *buf, size_t len, double per_sec, const char *unit);

/* fmt_per_min: a per-second rate written per minute: "+12/min",
 * "+75.0 MiB/min" (growth slopes read better per minute). */
char *fmt_per_min(char *buf, size_t len, double per_sec, const char *unit);

/* fmt_age: seconds as "0.4s", "12s", "3m05s", "2h03m". */
char *fmt_age(char *buf, size_t len, double secs);

#endif
