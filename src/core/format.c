/* format.c - human-readable numbers (see format.h). */
#include "pproftop/format.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Scaled value with 3 significant digits: "1.23", "12.3", "123". */
static char *
scaled(char *buf, size_t len, double v, const char *suffix)
{
	double a = fabs(v);

	if (a >= 99.95 || a == floor(a))
		snprintf(buf, len, "%.0f%s", v, suffix);
	else if (a >= 9.995)
		snprintf(buf, len, "%.1f%s", v, suffix);
	else
		snprintf(buf, len, "%.2f%s", v, suffix);
	return buf;
}

char *
fmt_bytes(char *buf, size_t len, double v)
{
	static const char *const units[] = { " KiB", " MiB", " GiB", " TiB", " PiB" };
	double a = fabs(v);

	/* thresholds are where the rounded text would reach the next unit:
	 * 1023.7 B is "1.00 KiB", not "1024 B" */
	if (a < 1023.5) {
		snprintf(buf, len, "%.0f B", v);
		return buf;
	}
	int u = 0;
	v /= 1024;
	a /= 1024;
	while (a >= 1023.5 && u < 4) {
		v /= 1024;
		a /= 1024;
		u++;
	}
	if (a >= 99.95)
		snprintf(buf, len, "%.0f%s", v, units[u]);
	else if (a >= 9.995)
		snprintf(buf, len, "%.1f%s", v, units[u]);
	else
		snprintf(buf, len, "%.2f%s", v, units[u]);
	return buf;
}

char *
fmt_ns(char *buf, size_t len, double ns)
{
	double a = fabs(ns);

	/* thresholds where the rounded text would reach the next unit */
	if (a < 999.5)
		snprintf(buf, len, "%.0f ns", ns);
	else if (a < 999.5e3)
		scaled(buf, len, ns / 1e3, " us");
	else if (a < 999.5e6)
		scaled(buf, len, ns / 1e6, " ms");
	else if (a < 59.95e9)
		scaled(buf, len, ns / 1e9, " s");
	else if (a < 59.95 * 60e9)
		scaled(buf, len, ns / 60e9, " min");
	else
		scaled(buf, len, ns / 3600e9, " h");
	return buf;
}

char *
fmt_count(char *buf, size_t len, double v)
{
	double a = fabs(v);

	/* thresholds where the rounded text would reach the next unit; a
	 * fraction (a rate) keeps two significant digits below 10: 0.48/s is
	 * not "0/s" */
	if (a < 9.95 && v != floor(v))
		snprintf(buf, len, a < 0.995 ? "%.2g" : "%.1f", v);
	else if (a < 9999.5)
		snprintf(buf, len, "%.0f", v);
	else if (a < 999.5e3)
		scaled(buf, len, v / 1e3, "k");
	else if (a < 999.5e6)
		scaled(buf, len, v / 1e6, "M");
	else
		scaled(buf, len, v / 1e9, "G");
	return buf;
}

char *
fmt_cores(char *buf, size_t len, double cores)
{
	double a = fabs(cores);

	if (cores == 0)
		snprintf(buf, len, "0");
	else if (a < 0.9995)
		snprintf(buf, len, "%.3f", cores);
	else if (a < 9.995)
		snprintf(buf, len, "%.2f", cores);
	else
		snprintf(buf, len, "%.1f", cores);
	return buf;
}

char *
fmt_unit(char *buf, size_t len, double v, const char *unit)
{
	if (unit != NULL && strcmp(unit, "bytes") == 0)
		return fmt_bytes(buf, len, v);
	if (unit != NULL && strcmp(unit, "nanoseconds") == 0)
		return fmt_ns(buf, len, v);
	if (unit != NULL && strcmp(unit, "cores") == 0)
		return fmt_cores(buf, len, v);
	return fmt_count(buf, len, v);
}

char *
fmt_signed(char *buf, size_t len, double v, const char *unit)
{
	if (len == 0)
		return buf;
	if (len == 1) { /* no room for a sign and a digit */
		buf[0] = '\0';
		return buf;
	}
	if (v == 0) {
		snprintf(buf, len, "0");
		return buf;
	}
	buf[0] = v > 0 ? '+' : '-';
	fmt_unit(buf + 1, len - 1, fabs(v), unit);
	return buf;
}

char *
fmt_rate(char *buf, size_t len, double per_sec, const char *unit)
{
	size_t n;

	if (len == 0)
		return buf;
	fmt_signed(buf, len, per_sec, unit);
	n = strlen(buf);
	if (n + 3 <= len)
		memcpy(buf + n, "/s", 3);
	return buf;
}

char *
fmt_per_min(char *buf, size_t len, double per_sec, const char *unit)
{
	size_t n;

	if (len == 0)
		return buf;
	fmt_signed(buf, len, per_sec * 60, unit);
	n = strlen(buf);
	if (n + 5 <= len)
		memcpy(buf + n, "/min", 5);
	return buf;
}

char *
fmt_age(char *buf, size_t len, double s)
{
	if (!(s >= 0)) /* negative or NaN */
		s = 0;
	if (s > 1e12) /* keep the int conversions below defined */
		s = 1e12;
	if (s < 9.95)
		snprintf(buf, len, "%.1fs", s);
	else if (s < 60)
		snprintf(buf, len, "%.0fs", floor(s));
	else if (s < 3600)
		snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
	else
		snprintf(buf, len, "%.0fh%02dm", floor(s / 3600), (int)fmod(s / 60, 60));
	return buf;
}
