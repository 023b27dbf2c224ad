/* pane_help.c - the help overlay: every key binding (from the key table,
 * so it never misses one), the legend of the marks, and each endpoint's
 * last fetch with what pproftop's requests cost the service. It takes the
 * navigation keys; any other key closes it. */
#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "pane.h"
#include "pproftop/format.h"
#include "pproftop/keymap.h"
#include "pproftop/sched.h"


#define HELP_LEGEND 5

#define HELP_ENDPOINTS (3 + EP_COUNT)

static int
help_lines(void)
{
	return KA_COUNT - 1 + HELP_LEGEND + HELP_ENDPOINTS;
}

/* One line of the endpoint table: what the last fetch of e took and brought. */
static void
endpoint_line(const struct pane_ctx *cx, int e, char *line, size_t len)
{
	const struct endpoint *ep = cx->m != NULL ? &cx->m->ep[e] : NULL;
	const struct ep_info *info = ep_info(e);
	char lat[32], svc[32], bytes[32], age[32], how[48], form[64];

	if (info->fed_by != EP_COUNT) {
		snprintf(line, len, "  %-13s comes with %s (%s)", info->name,
		         ep_info(info->fed_by)->name,
		         cx->m != NULL ? model_query(cx->m, info->fed_by) : "");
		return;
	}
	if (ep != NULL && ep->missing) {
		snprintf(line, len, "  %-13s %s", info->name,
		         cx->m->ep[EP_INDEX].polls > 0 ? "not served by the target"
		                                       : "fetched once the index lists it");
		return;
	}
	if (ep != NULL && ep->no_records) {
		snprintf(line, len, "  %-13s not fetched: the index counts no records", info->name);
		return;
	}
	if (ep == NULL || (ep->last_ok == 0 && ep->nerr == 0)) {
		snprintf(line, len, "  %-13s %s", info->name,
		         e == EP_DUMP  ? "only on demand (D)"
		         : e == EP_CPU ? "while the CPU pane is shown (or --cpu)"
		                       : "not fetched yet");
		return;
	}
	fmt_ns(lat, sizeof(lat), ep->latency * 1e9);
	if (ep->service_s >= 0)
		fmt_ns(svc, sizeof(svc), ep->service_s * 1e9);
	else
		snprintf(svc, sizeof(svc), "-");
	fmt_bytes(bytes, sizeof(bytes), (double)ep->bytes);
	if (ep->last_ok > 0)
		fmt_age(age, sizeof(age), cx->now - ep->last_ok);
	else
		snprintf(age, sizeof(age), "never");
	if (ep->form == FORM_PROTO && info->query[FORM_TEXT] != NULL) {
		char tb[32];
		snprintf(form, sizeof(form), "protobuf (text ~%s)",
		         fmt_bytes(tb, sizeof(tb), (double)ep->text_bytes));
	} else {
		snprintf(form, sizeof(form), "%s", ep->form == FORM_PROTO ? "protobuf" : "text");
	}
	if (e == EP_INDEX)
		snprintf(how, sizeof(how), "every %d polls", SCHED_INDEX_EVERY);
	else if (e == EP_GOROUTINELEAK)
		snprintf(how, sizeof(how), "every %.0f s", SCHED_LEAK_EVERY);
	else if (e == EP_DUMP)
		snprintf(how, sizeof(how), "on demand");
	else if (e == EP_CPU)
		snprintf(how, sizeof(how), "windows, CPU pane");
	else if (cx->every[e] > 1)
		snprintf(how, sizeof(how), "every %u polls", cx->every[e]);
	else
		snprintf(how, sizeof(how), "every poll");
	snprintf(line, len, "  %-13s %-26s %9s %9s %10s  %-14s good %s ago  %s", info->name, form,
	         lat, svc, bytes, how, age, ep->err[0] ? ep->err : "ok");
}

/* The last line of the endpoint table: what pproftop's requests cost the
 * service in all, against the budget (sched.h). */
static void
cost_line(const struct pane_ctx *cx, char *line, size_t len)
{
	double self = 0, all = -1, over;
	char a[32], b[32], c[32];
	size_t o;

	if (cx->m == NULL) {
		line[0] = '\0';
		return;
	}
	o = (size_t)snprintf(line, len, "  all in all: about %.2f%% of a core", 100 * cx->cpu_load);
	if (o < len && model_self_rate(cx->m, &self, &all, &over))
		o += (size_t)snprintf(line + o, len - o, ", %s allocated%s%s (last %s)",
		                      fmt_rate(a, sizeof(a), self, "bytes"),
		                      all > 0 ? " of the service's " : "",
		                      all > 0 ? fmt_rate(b, sizeof(b), all, "bytes") : "",
		                      fmt_age(c, sizeof(c), over));
	else if (o < len)
		o += (size_t)snprintf(line + o, len - o,
		                      "; what it allocates is known after two GC cycles");
	if (o < len && cx->share >= 0)
		snprintf(line + o, len - o, "; budget %.2g%% of a core, %s/s",
		         100 * (cx->share > 0 ? cx->share : SCHED_CPU_SHARE),
		         fmt_bytes(a, sizeof(a), sched_alloc_allowance(cx->share, self, all)));
	else if (o < len)
		snprintf(line + o, len - o, "; no budget (--budget 0)");
}

/* The help replaces the body (rows 1 .. lines-2); it is generated from the
 * key table, so it lists every binding. */
static void
help_draw(const struct pane_ctx *cx, struct pane *p, int y0, int h)
{
	char keys[80], line[300];
	int n = help_lines();
	int inner = h - 1;

	for (int y = y0; y < y0 + h; y++)
		ui_fill(cx, y, 0, cx->cols, A_NORMAL);
	int top = (int)p->top;
	if (top > n - inner)
		top = n - inner > 0 ? n - inner : 0;
	p->top = (size_t)top;
	snprintf(line, sizeof(line), "Keys  (Esc, ? or q closes%s)",
	         n > inner ? "; Up/Down scroll" : "");
	ui_put(cx, y0, 0, cx->cols, cx->attr[R_COLHDR], line);
	ui_fill(cx, y0, (int)strlen(line), cx->cols, cx->attr[R_COLHDR]);
	for (int i = 0; i < inner; i++) {
		int k = top + i;
		if (k >= n)
			break;
		if (k < KA_COUNT - 1) {
			enum km_action a = (enum km_action)(k + 1);
			keymap_keys(a, " ", keys, sizeof(keys));
			snprintf(line, sizeof(line), "  %-18s %s", keys, keymap_help(a));
		} else {
			static const char *const legend[2][HELP_LEGEND] = {
				{ "", "  marks: + new group   - gone (dimmed, for one poll)",
				  "         ^ +N/min growing: rose through the --window "
				  "(Mann-Kendall "
				  "p < 0.001); Enter says why or why not",
				  "         ^^ grows in both the goroutine and the heap pane   x "
				  "proven "
				  "leaked (goroutineleak)",
				  "  Pause freezes the view; polling goes on." },
				{ "", "  marks: + new group   - gone (dimmed, for one poll)",
				  "         \xe2\x96\xb2 +N/min growing: rose through the --window "
				  "(Mann-Kendall p < 0.001); Enter says why or why not",
				  "         \xe2\x96\xb2\xe2\x96\xb2 grows in both the goroutine "
				  "and the heap "
				  "pane   \xe2\x9c\x96 proven leaked (goroutineleak)",
				  "  Pause freezes the view; polling goes on." },
			};
			int j = k - (KA_COUNT - 1);
			if (j < HELP_LEGEND)
				snprintf(line, sizeof(line), "%s", legend[cx->utf8][j]);
			else if (j == HELP_LEGEND)
				line[0] = '\0';
			else if (j == HELP_LEGEND + 1)
				snprintf(line, sizeof(line),
				         "Endpoints: form, last fetch's latency and service time "
				         "(est.), "
				         "bytes, how often, last good, status");
			else if (j < HELP_LEGEND + 2 + EP_COUNT)
				endpoint_line(cx, j - HELP_LEGEND - 2, line, sizeof(line));
			else
				cost_line(cx, line, sizeof(line));
		}
		ui_put(cx, y0 + 1 + i, 0, cx->cols, A_NORMAL, line);
	}
}


/* Scrolling; false (close) for any other key. */
static bool
help_key(const struct pane_ctx *cx, struct pane *p, enum km_action a)
{
	int n = help_lines(), top = (int)p->top;

	switch (a) {
	case KA_UP:
		if (top > 0)
			top--;
		break;
	case KA_DOWN:
		if (top < n)
			top++;
		break;
	case KA_PGUP:
	case KA_HOME:
		top = 0;
		break;
	case KA_PGDN:
	case KA_END:
		top = n;
		break;
	case KA_NONE:
		break;
	default:
		return false;
	}
	p->top = (size_t)top;
	return true;
}

const struct pane_ops pane_help_ops = {
	.name = "Help",
	.draw = help_draw,
	.key = help_key,
};
