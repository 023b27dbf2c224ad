/* test_render.c - headless render tests of the dashboard.
 *
 * Each test makes an ncurses SCREEN on /dev/null with newterm("xterm") at a
 * fixed size, builds a model by feeding real fixture bodies through
 * model_ingest, draws, and reads the screen back row by row with
 * mvwinnstr (cells drawn with A_ALTCHARSET are folded to + - |, see
 * c-tui-style.md 4.4). Set PPROFTOP_RENDER_DUMP=1 to print every screen a
 * test looks at.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curses.h>

#include "pproftop/keymap.h"
#include "pproftop/merge.h"
#include "pproftop/model.h"
#include "pproftop/parse.h"
#include "pproftop/ui.h"
#include "testutil.h"

/* ---- harness ---- */

static SCREEN *scr;
static FILE *tout, *tin;
static struct model model;
static struct ui *ui;
static double clock_now;

static void
term_open(int lines, int cols)
{
	tout = fopen("/dev/null", "w");
	tin = fopen("/dev/null", "r");
	assert_non_null(tout);
	assert_non_null(tin);
	scr = newterm("xterm", tout, tin);
	assert_non_null(scr);
	set_term(scr);
	resizeterm(lines, cols);
}

static void
term_close(void)
{
	endwin();
	delscreen(scr);
	scr = NULL;
	fclose(tout);
	fclose(tin);
}

/* A fresh model, terminal and UI. */
static void
start(int lines, int cols, bool color)
{
	term_open(lines, cols);
	model_init(&model);
	ui = ui_new(false, color);
	assert_non_null(ui);
	ui_set_model(ui, &model);
	clock_now = 1000;
}

static void
stop(void)
{
	ui_free(ui, false);
	ui = NULL;
	model_free(&model);
	term_close();
}

/* After every test, also a failed one (cmocka jumps out of it): free what
 * is left and go back to the environment's locale. */
static int
teardown(void **state)
{
	(void)state;
	if (ui != NULL)
		stop();
	unsetenv("NO_COLOR");
	setlocale(LC_ALL, "");
	return 0;
}

static void
feed(enum ep_id e, const char *rel)
{
	size_t len;
	char *body = tu_read(rel, &len);

	if (model_ingest(&model, e, (unsigned char *)body, len, clock_now, 0.012) != 0)
		fail_msg("model_ingest %s: %s", rel, model.ep[e].err);
}

/* One poll of every profile of a Go version folder, 2 s after the last. */
static void
poll_all(const char *dir)
{
	static const struct {
		enum ep_id e;
		const char *file;
	} eps[] = {
		{ EP_GOROUTINE, "goroutine.pb.gz" }, { EP_HEAP, "heap.pb.gz" },
		{ EP_ALLOCS, "allocs.pb.gz" },       { EP_BLOCK, "block.pb.gz" },
		{ EP_MUTEX, "mutex.pb.gz" },         { EP_MEMSTATS, "heap-debug1.txt" },
	};
	char rel[256];

	clock_now += 2;
	for (size_t i = 0; i < sizeof(eps) / sizeof(eps[0]); i++) {
		snprintf(rel, sizeof(rel), "%s/%s", dir, eps[i].file);
		feed(eps[i].e, rel);
	}
	ui_model_changed(ui);
}

/* Only the goroutine profile of dir: two captures of different processes fed
 * whole would (rightly) be seen as a restart of the target, which zeroes the
 * deltas these tests look at. */
static void
poll_goroutines(const char *dir)
{
	char rel[256];

	clock_now += 2;
	snprintf(rel, sizeof(rel), "%s/goroutine.pb.gz", dir);
	feed(EP_GOROUTINE, rel);
	ui_model_changed(ui);
}

static struct ui_status status; /* extra fields for the next draw */

static void
draw(void)
{
	struct ui_status st = status;

	st.target = "http://localhost:6060/debug/pprof/";
	st.now = clock_now + 0.5;
	st.interval = 2;
	st.poll_latency = 0.012;
	ui_draw(ui, &st);
	memset(&status, 0, sizeof(status));
}

/* Row y of the screen, trailing blanks removed. */
static char *
row(int y, char *buf, size_t len)
{
	int cols = getmaxx(stdscr);
	chtype cells[1024];

	buf[0] = '\0';
	if (mvwinnstr(stdscr, y, 0, buf, (int)len - 1) == ERR)
		buf[0] = '\0';
	/* in a single-byte locale cell i is byte i: fold alternate charset */
	if ((int)strlen(buf) == cols && cols < 1024 &&
	    mvwinchnstr(stdscr, y, 0, cells, cols) != ERR) {
		for (int x = 0; x < cols; x++) {
			if (!(cells[x] & A_ALTCHARSET))
				continue;
			char c = (char)(cells[x] & A_CHARTEXT);
			buf[x] = c == 'q' ? '-' : c == 'x' ? '|' : strchr("lkmjtuwn", c) ? '+' : c;
		}
	}
	size_t n = strlen(buf);
	while (n > 0 && buf[n - 1] == ' ')
		buf[--n] = '\0';
	return buf;
}

static void
dump(const char *title)
{
	char buf[4096];

	if (getenv("PPROFTOP_RENDER_DUMP") == NULL)
		return;
	fprintf(stderr, "---- %s\n", title);
	for (int y = 0; y < getmaxy(stdscr); y++)
		fprintf(stderr, "%2d|%s\n", y, row(y, buf, sizeof(buf)));
}

/* The first screen row containing needle, or -1. */
static int
find_row(const char *needle)
{
	char buf[4096];

	for (int y = 0; y < getmaxy(stdscr); y++)
		if (strstr(row(y, buf, sizeof(buf)), needle) != NULL)
			return y;
	return -1;
}

static void
key(int ch)
{
	ui_key(ui, ch);
}

/* The table's first data row (below the column titles), or -1. */
static int
first_data_row(void)
{
	int y = find_row("FUNCTION  FILE:LINE");

	return y < 0 ? -1 : y + 1;
}

/* The screen row drawn in reverse video below the column titles (the
 * selection), or -1. */
static int
reverse_row_from(int y0)
{
	assert_true(y0 > 0);
	for (int y = y0; y < getmaxy(stdscr) - 1; y++)
		if (mvwinch(stdscr, y, 0) & A_REVERSE)
			return y;
	return -1;
}

static int
selected_row(void)
{
	return reverse_row_from(first_data_row());
}

/* The attributes of the first cell of needle on the screen. */
static chtype
attr_of(const char *needle)
{
	char buf[4096];
	int y = find_row(needle);

	assert_true(y >= 0);
	const char *p = strstr(row(y, buf, sizeof(buf)), needle);
	return mvwinch(stdscr, y, (int)(p - buf)) & (A_ATTRIBUTES & ~A_CHARTEXT);
}

static void
assert_row(int y, const char *want)
{
	char buf[4096];

	assert_string_equal(row(y, buf, sizeof(buf)), want);
}

/* the row containing needle */
static void
assert_row_with(const char *needle, const char *want)
{
	int y = find_row(needle);

	if (y < 0)
		fail_msg("no row contains \"%s\"", needle);
	assert_row(y, want);
}

static void
type(const char *s)
{
	for (; *s; s++)
		key((unsigned char)*s);
}

/* A goroutine debug=1 body with one group per (count, function). */
static void
feed_goroutines(const int *counts, const char *const *fns, size_t n)
{
	char *body = malloc(1 << 16);
	size_t o = 0;
	int total = 0;

	for (size_t i = 0; i < n; i++)
		total += counts[i];
	o += (size_t)snprintf(body + o, (1 << 16) - o, "goroutine profile: total %d\n", total);
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(body + o, (1 << 16) - o,
		                      "%d @ 0x%zx\n#\t0x%zx\t%s+0x1\t/src/app/main.go:%zu\n\n",
		                      counts[i], i + 1, i + 1, fns[i], 10 * (i + 1));
	clock_now += 2;
	if (model_ingest(&model, EP_GOROUTINE, (unsigned char *)body, o, clock_now, 0.01) != 0)
		fail_msg("synthetic body: %s", model.ep[EP_GOROUTINE].err);
	ui_model_changed(ui);
}

/* ---- tests ---- */

static void
test_goroutines_first_poll(void **state)
{
	(void)state;
	start(24, 80, false);
	poll_all("go1.21");
	draw();
	dump("go1.21 80x24");
	assert_row(0, "pproftop http://localhost:6060/debug/pprof/  polled 0.5s ago (12 ms), "
	              "every 2s");
	/* 143 in the file, of which the goroutine that served the request
	 * and its connection's reader are pproftop's own */
	assert_row(3, " 1 Goroutines (26)   2 Heap (1)   3 Contention (5)   4 CPU (0)      "
	              "sort: COUNT");
	assert_row(
	    4, "141 goroutines in 26 groups, 0 since the baseline (0.0s); not counted: pproft...");
	/* what the growth verdict needs before it can judge */
	assert_row(5, "growth: judged after 8 points over 30 s (60 s window); 1 over 0 s so far");
	assert_row(6, "  COUNT   dPOLL   dBASE STATE          TREND    FUNCTION  FILE:LINE");
	/* the three labelled leakOne stacks are one group: 39 + 38 + 38 */
	assert_row(7,
	           "    115       -       0 chan receive        _   main.leakOne.func1 main.go:64");
	assert_row(8, "      2       -       0 sync.Mutex          _   main.contend main.go:89");
	/* the pprof handler's own goroutine is not shown */
	assert_int_equal(find_row("net/http/pprof"), -1);
	assert_int_equal(find_row("backgroundRead"), -1);
	assert_int_equal(selected_row(), 7);
	assert_row(23, "? help  q quit  Enter details  t tree  / filter  </> sort  p pause  s "
	               "snapsho...");
	stop();
}

/* The budget fetches a costly goroutine profile every 30 polls (60 s): the
 * default 60 s window can never hold 8 points, and the pane says which
 * window would. */
static void
test_window_hint(void **state)
{
	static unsigned every[EP_COUNT];

	(void)state;
	start(24, 160, false);
	poll_all("go1.21");
	every[EP_GOROUTINE] = 30;
	status.every = every;
	draw();
	dump("budget-spaced goroutines");
	assert_row(5, "growth: judged after 8 points over 30 s (60 s window); 1 over 0 s so far; "
	              "fetched every 60 s to spare the target: --window 480 judges");
	/* fetched every poll (the next poll redraws the pane): nothing to add */
	every[EP_GOROUTINE] = 1;
	status.every = every;
	poll_goroutines("go1.21");
	draw();
	assert_row(5, "growth: judged after 8 points over 30 s (60 s window); 2 over 2 s so far");
	stop();
}

static void
test_same_body_twice(void **state)
{
	(void)state;
	start(24, 80, false);
	poll_all("go1.21");
	poll_all("go1.21");
	draw();
	dump("go1.21 twice");
	assert_row(4, "141 goroutines in 26 groups, 0 since the last poll, 0 since the baseline "
	              "(2.0...");
	assert_row(5, "growth: judged after 8 points over 30 s (60 s window); 2 over 2 s so far");
	assert_row(7,
	           "    115       0       0 chan receive       __   main.leakOne.func1 main.go:64");
	assert_row(8, "      2       0       0 sync.Mutex         __   main.contend main.go:89");
	assert_int_equal(find_row(" + "), -1);
	assert_int_equal(find_row(" - "), -1);
	stop();
}

static void
test_new_and_gone(void **state)
{
	(void)state;
	start(24, 80, false);
	poll_all("go1.21");
	key('G'); /* select the last row, so that the leakOne row is not selected */
	poll_goroutines("go1.22");
	key('g');
	draw();
	dump("go1.21 -> go1.22");
	assert_row(4, "142 goroutines in 25 groups, +1 since the last poll, +1 since the baseline "
	              "(2...");
	/* go1.22's leakOne stack differs (runtime/pprof.Do moved): new group */
	assert_row(7, "    116    +116    +116 + main.leakOne.func1 main.go:64");
	assert_true(attr_of("+116") & A_BOLD);
	/* the go1.21 group is shown, dimmed, for this poll */
	key('G');
	draw();
	dump("go1.21 -> go1.22, end");
	/* the gone and the new groups differ in frames under runtime.main and
	 * so tell themselves apart: the trend gives way to their labels */
	assert_row_with("-115", "      0    -115    -115 - main.leakOne.func1 main.go:64");
	assert_row_with("-1 - main.main", "      0      -1      -1 - main.main <- runtime.main:267 "
	                                  "main.go:253");
	assert_true(attr_of("-115") & A_DIM);
	/* and disappears at the next poll */
	poll_goroutines("go1.22");
	draw();
	assert_int_equal(find_row("-115"), -1);
	stop();
}

static void
test_selection_follows_group(void **state)
{
	char buf[4096];

	(void)state;
	start(24, 80, false);
	poll_all("go1.21");
	draw();
	int y0 = first_data_row();
	while (strstr(row(selected_row(), buf, sizeof(buf)), "main.deep main.go:130") == NULL) {
		int before = selected_row();
		key(KEY_DOWN);
		draw();
		assert_int_not_equal(selected_row(), before);
	}
	int at = selected_row();
	assert_int_equal(at, y0 + 7);

	/* other rows come and go (19 new, 20 gone groups); the selection stays
	 * on main.deep (by id: its row index among the groups changed) */
	poll_goroutines("go1.22");
	draw();
	dump("selection after go1.22");
	assert_non_null(strstr(row(selected_row(), buf, sizeof(buf)), "main.deep main.go:130"));
	assert_true(find_row(" + ") >= 0);
	/* the tab counts what the pane's line counts: the 25 groups, not the
	 * 20 gone rows shown for a poll */
	assert_non_null(strstr(row(3, buf, sizeof(buf)), " 1 Goroutines (25) "));
	assert_non_null(strstr(row(4, buf, sizeof(buf)), " goroutines in 25 groups"));

	/* so does a change of the sort column */
	key('>');
	key('>');
	key('>');
	draw();
	dump("sorted by name");
	assert_non_null(strstr(row(3, buf, sizeof(buf)), "sort: FUNCTION"));
	assert_non_null(strstr(row(selected_row(), buf, sizeof(buf)), "main.deep main.go:130"));
	stop();
}

/* Until the user moves the cursor the selection stays on the top row: the
 * top group of go1.21 is gone in go1.22 (another line), and the view does
 * not scroll after its dimmed row to the bottom. */
static void
test_selection_stays_on_top(void **state)
{
	char buf[4096];

	(void)state;
	start(24, 80, false);
	poll_all("go1.21");
	draw();
	int y0 = first_data_row();
	assert_int_equal(selected_row(), y0);
	assert_non_null(strstr(row(y0, buf, sizeof(buf)), "    115 "));
	poll_goroutines("go1.22");
	draw();
	dump("top row kept");
	assert_int_equal(selected_row(), y0);
	assert_non_null(strstr(row(y0, buf, sizeof(buf)), "    116 "));
	/* once moved, the selection follows its group; Home goes back */
	key(KEY_DOWN);
	key(KEY_HOME);
	poll_goroutines("go1.21");
	draw();
	assert_int_equal(selected_row(), y0);
	stop();
}

/* The goroutine text hides the runtime frames that say why goroutines
 * wait: named by the target's /debug/pprof/symbol, STATE and the detail
 * have them. */
static void
test_text_states_named(void **state)
{
	char err[200];
	static const char ans[] = "num_symbols: 1\n0x43bc4e runtime.gopark\n"
	                          "0x4081ed runtime.chanrecv\n0x407e12 runtime.chanrecv1\n";

	(void)state;
	start(24, 100, false);
	clock_now += 2;
	feed(EP_GOROUTINE, "go1.21/goroutine-debug1.txt");
	ui_model_changed(ui);
	draw();
	assert_row_with("leakOne", "    115       -       0 -                                _   "
	                           "main.leakOne.func1 main.go:64");
	char q[2048];
	assert_true(model_symbol_query(&model, q, sizeof(q)));
	assert_int_equal(
	    model_ingest_symbols(&model, (const unsigned char *)ans, strlen(ans), err, sizeof(err)),
	    3);
	ui_model_changed(ui);
	draw();
	dump("text states named");
	assert_row_with("leakOne", "    115       -       0 chan receive                     _   "
	                           "main.leakOne.func1 main.go:64");
	key('\n');
	draw();
	dump("text states named, detail");
	assert_true(find_row("state: chan receive (from the stack's runtime frames)") >= 0);
	assert_true(
	    find_row("3 runtime frames the text leaves out, named by /debug/pprof/symbol:") >= 0);
	assert_true(find_row("    runtime.chanrecv1") >= 0);
	stop();
}

static void
test_sort_keys(void **state)
{
	char buf[4096], prev[4096];

	(void)state;
	start(40, 100, false);
	poll_all("go1.21");
	poll_goroutines("go1.22");
	draw();
	int y0 = first_data_row();
	assert_row(y0, "    116    +116    +116 chan receive   + main.leakOne.func1 main.go:64");
	/* by name: ascending function names */
	key('>');
	key('>');
	key('>');
	key('>'); /* stays on the last column */
	draw();
	dump("by name");
	assert_non_null(strstr(row(3, buf, sizeof(buf)), "sort: FUNCTION"));
	prev[0] = '\0';
	int fx = (int)(strstr(row(y0 - 1, buf, sizeof(buf)), "FUNCTION") - buf);
	for (int y = y0; y < getmaxy(stdscr) - 1; y++) {
		row(y, buf, sizeof(buf));
		if (buf[0] == '\0')
			break;
		char *fn = buf + fx;
		fn[strcspn(fn, " ")] = '\0'; /* the function, without its location */
		assert_true(strcmp(prev, fn) <= 0);
		snprintf(prev, sizeof(prev), "%s", fn);
	}
	/* by dBASE: largest change since the baseline first, removals last */
	key('<');
	draw();
	dump("by dBASE");
	assert_non_null(strstr(row(3, buf, sizeof(buf)), "sort: dBASE"));
	assert_non_null(strstr(row(y0, buf, sizeof(buf)), "+116"));
	key(KEY_END);
	draw();
	assert_row(getmaxy(stdscr) - 2,
	           "      0    -115    -115 chan receive   - main.leakOne.func1 main.go:64");
	stop();
}

static void
test_detail(void **state)
{
	(void)state;
	start(24, 80, false);
	poll_all("go1.21");
	key('\r');
	draw();
	dump("detail leakOne");
	assert_row(4, "Goroutines > main.leakOne.func1");
	assert_row_with("main.go:64", " >  main.leakOne.func1  /home/gopher/demo/main.go:64");
	assert_row_with("runtime/pprof.Do",
	                "    runtime/pprof.Do    /usr/lib/go-1.21/src/runtime/pprof/runtime.go:51");
	assert_row_with("leak_id\":\"0", "  {\"component\":\"leaker\", \"leak_id\":\"0\"} x39");
	assert_row_with("leak_id\":\"1", "  {\"component\":\"leaker\", \"leak_id\":\"1\"} x38");
	assert_row_with("  count ", "  count                 115   d poll -          d base 0");
	assert_true(attr_of("main.leakOne.func1  /home") & A_BOLD);
	assert_false(attr_of("runtime/pprof.Do") & A_BOLD);

	/* the group vanishes: the detail says so and keeps the stack */
	poll_all("go1.22");
	clock_now += 3;
	draw();
	dump("detail gone");
	assert_row(5, "group gone since 3.5s ago; showing its last known stack");
	assert_true(find_row("/home/gopher/demo/main.go:64") > 5);

	/* Esc goes back, to the same pane */
	key(27);
	draw();
	assert_true(first_data_row() > 0);
	assert_int_equal(find_row("group gone"), -1);
	/* Backspace too */
	key(KEY_ENTER);
	draw();
	assert_int_equal(find_row("FUNCTION  FILE:LINE"), -1);
	key(KEY_BACKSPACE);
	draw();
	assert_true(first_data_row() > 0);
	stop();
}

static void
test_detail_created_by_and_states(void **state)
{
	(void)state;
	start(30, 100, false);
	clock_now += 2;
	feed(EP_GOROUTINE, "go1.21/goroutine-debug2.txt");
	ui_model_changed(ui);
	key('\r');
	draw();
	dump("detail from a dump");
	assert_row(4, "Goroutines > main.leakOne.func1");
	assert_row(9, "  growth: judged after 8 points over 30 s (60 s window); 1 over 0 s so far");
	assert_row(10, "  states: chan receive x115; longest wait 1 min;");
	assert_row(11, "created by");
	assert_row(12, "    main.leakOne        /home/gopher/demo/main.go:62");
	stop();
}

/* The demo's churn stacks (debug=1 text): main.parked at one line under
 * different callers reads apart; the detail marks the frame that does it. */
static void
test_labels_apart(void **state)
{
	(void)state;
	start(24, 80, false);
	clock_now += 2;
	feed(EP_GOROUTINE, "local/goroutine-debug1.txt");
	ui_model_changed(ui);
	key('/');
	for (const char *c = "stackF[13]$"; *c; c++)
		key(*c);
	key('\r');
	draw();
	dump("main.parked, told apart");
	assert_row(6, "  COUNT   dPOLL   dBASE TREND       FUNCTION  FILE:LINE");
	assert_row(7,
	           "      2       -       0         _   main.parked <- main.stackF3 stacks.go:117");
	assert_row(8,
	           "      2       -       0         _   main.parked <- main.stackF1 stacks.go:117");
	key('j');
	key('\r');
	draw();
	dump("main.parked <- main.stackF1, detail");
	assert_row(4, "Goroutines > main.parked");
	assert_row(10, "stack (29 frames, leaf first; > marks the label frame)");
	assert_row(11, "  < where it differs from the other rows: main.parked <- main.stackF1");
	assert_row(12, " >  main.parked    /work/main/examples/demo/stacks.go:117");
	assert_row(13, " <  main.stackF1   /work/main/examples/demo/stacks.go:81");
	assert_true(attr_of("main.stackF1   /work") & A_BOLD);
	stop();
}

/* A protobuf keeps the runtime frames: the detail shows them, and why the
 * goroutines wait. */
static void
test_detail_runtime_frames(void **state)
{
	(void)state;
	start(30, 100, false);
	poll_all("go1.21");
	key('\r');
	draw();
	dump("detail, runtime frames");
	assert_row(14, "state: chan receive (from the stack's runtime frames)");
	assert_row(15, "stack (5 frames, leaf first; > marks the label frame)");
	assert_row(16, "  the first 3 (runtime) frames are not part of the group's identity");
	assert_row(17, "    runtime.gopark      /usr/lib/go-1.21/src/runtime/proc.go:398");
	assert_row(18, "    runtime.chanrecv    /usr/lib/go-1.21/src/runtime/chan.go:583");
	assert_row(19, "    runtime.chanrecv1   /usr/lib/go-1.21/src/runtime/chan.go:442");
	assert_row(20, " >  main.leakOne.func1  /home/gopher/demo/main.go:64");
	assert_true(attr_of("runtime.gopark") & A_DIM);
	stop();
}

static void
test_pause(void **state)
{
	(void)state;
	start(24, 80, false);
	poll_all("go1.21");
	draw();
	assert_int_equal(ui_key(ui, 'p'), KA_NONE);
	assert_true(ui_paused(ui));
	poll_goroutines("go1.22");
	poll_goroutines("go1.22");
	draw();
	dump("paused");
	/* the numbers are frozen; the header says PAUSED, and how old the
	 * view is while the polls go on */
	assert_row(0, "pproftop http://localhost:6060/debug/pprof/  view of 4.5s ago, polled ... "
	              "PAUSED");
	assert_row(1,
	           "goroutines      141     _ HeapAlloc   122 MiB     _ HeapInuse   123 MiB     _");
	assert_row(7,
	           "    115       -       0 chan receive        _   main.leakOne.func1 main.go:64");
	assert_int_equal(find_row("+116"), -1);
	/* the detail of a frozen group stays frozen too */
	key('\n');
	draw();
	assert_int_equal(find_row("group gone"), -1);
	key(27);

	assert_int_equal(ui_key(ui, ' '), KA_NONE);
	assert_false(ui_paused(ui));
	draw();
	dump("resumed");
	assert_int_equal(find_row("PAUSED"), -1);
	assert_row(7,
	           "    116       0    +116 chan receive       __   main.leakOne.func1 main.go:64");
	stop();
}

static void
test_filter(void **state)
{
	(void)state;
	start(24, 80, false);
	poll_all("go1.21");
	key('/');
	type("chan");
	draw();
	assert_row(23, "filter (regex, Enter apply, Esc cancel): /chan_");
	key('\r');
	draw();
	dump("filter chan");
	/* no room for the counts beside the filter */
	assert_row(3, " 1 Goroutines   2 Heap   3 Contention   4 CPU       sort: COUNT  filter: "
	              "/chan/");
	assert_row(8,
	           "      1       -       0 sleep          _   main.chanBlocker.func1 main.go:102");
	assert_row(9, "");
	assert_row_with("main.chanBlocker main",
	                "      1       -       0 chan send      _   main.chanBlocker main.go:107");
	assert_int_equal(find_row("main.leakOne.func1"), -1);

	/* an invalid regex keeps the old filter and says why */
	key('/');
	key(KEY_BACKSPACE);
	key(KEY_BACKSPACE);
	key(KEY_BACKSPACE);
	key(KEY_BACKSPACE);
	type("(leak");
	key('\n');
	draw();
	dump("bad regex");
	assert_row(23, "invalid regex /(leak/: Unmatched ( or \\(");
	assert_int_equal(find_row("main.leakOne.func1"), -1);

	/* Esc cancels the prompt */
	key('/');
	type("leak");
	key(27);
	draw();
	assert_int_equal(find_row("main.leakOne.func1"), -1);

	/* an empty filter clears it */
	key('/');
	for (int i = 0; i < 4; i++)
		key(127);
	key('\n');
	draw();
	assert_true(find_row("main.leakOne.func1") > 0);
	assert_int_equal(find_row("filter:"), -1);
	stop();
}

static void
test_too_small(void **state)
{
	(void)state;
	start(6, 20, false);
	poll_all("go1.21");
	draw();
	dump("20x6");
	assert_row(0, "Terminal too small");
	for (int y = 1; y < 6; y++)
		assert_row(y, "");
	resizeterm(9, 80);
	assert_int_equal(ui_key(ui, KEY_RESIZE), KA_NONE);
	draw();
	assert_row(0, "Terminal too small (80x9, need 50x10)");
	resizeterm(10, 50);
	ui_resize(ui);
	draw();
	dump("50x10");
	assert_row(0, "pproftop http://localhost:6060/debug/pprof/  po...");
	assert_row(1, "gorout      141 HAlloc  122 MiB HInuse  123 MiB");
	assert_row(7, "    115       -       0   main.leakOne.func1");
	assert_row(8, "      2       -       0   main.contend main.go:89");
	stop();
}

static void
test_escaping_and_truncation(void **state)
{
	char longfn[3100];

	(void)state;
	memcpy(longfn, "main.", 5);
	memset(longfn + 5, 'A', 3000);
	longfn[3005] = '\0';
	const char *fns[3] = { "main.bad\x07name\xff\xfe", longfn, "main.caf\xc3\xa9" };
	int counts[3] = { 3, 2, 1 };

	start(24, 80, false);
	feed_goroutines(counts, fns, 3);
	draw();
	dump("escaping");
	assert_row(
	    7, "      3       -       0              _   main.bad\\x07name\\xff\\xfe main.go:10");
	assert_row(
	    8, "      2       -       0              _   main.AAAAAAAAAAAAAAAAAAAA... main.go:20");
	/* not a UTF-8 terminal: the code point is escaped */
	assert_row(9, "      1       -       0              _   main.caf\\u00e9 main.go:30");
	key('j');
	key('\n');
	draw();
	assert_row(4,
	           "Goroutines > main.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	           "...");
	stop();

	setlocale(LC_ALL, "C.UTF-8");
	start(24, 80, false);
	feed_goroutines(counts, fns, 3);
	draw();
	dump("escaping, UTF-8");
	assert_row(7, "      3       -       0              \xe2\x96\x81   "
	              "main.bad\\x07name\\xff\\xfe main.go:10");
	assert_row(8, "      2       -       0              \xe2\x96\x81   "
	              "main.AAAAAAAAAAAAAAAAAAAAAA\xe2\x80\xa6 main.go:20");
	assert_row(9, "      1       -       0              \xe2\x96\x81   "
	              "main.caf\xc3\xa9 main.go:30");
	stop();
	setlocale(LC_ALL, "");
}

/* A leak of one goroutine per poll (2 s): after half the 60 s window it is
 * growing, with its slope per minute where the mark is; the steady group
 * beside it is not. The mark column widens for the slope. */
static void
test_growing_mark(void **state)
{
	const char *fns[2] = { "main.leaky", "main.steady" };

	(void)state;
	start(24, 80, false);
	for (int i = 1; i <= 14; i++) {
		int counts[2] = { 10 + i, 20 };
		feed_goroutines(counts, fns, 2);
	}
	draw();
	dump("growing, 26 s");
	assert_row(5, "growth: judged after 8 points over 30 s (60 s window); 14 over 26 s so far");
	assert_int_equal(find_row("^"), -1);
	for (int i = 15; i <= 20; i++) {
		int counts[2] = { 10 + i, 20 };
		feed_goroutines(counts, fns, 2);
	}
	draw();
	dump("growing");
	assert_row(5, "^ 1 group growing: main.leaky +30/min (60 s window; Enter explains)");
	assert_row(7, "     30      +1     +19 ====++++****### ^ +30/min main.leaky main.go:10");
	assert_row(8, "     20       0       0 _______________           main.steady main.go:20");
	/* the detail says how sure, over what */
	key('\r');
	draw();
	dump("growing, detail");
	assert_row_with("Mann-Kendall",
	                "  ^ growing +30/min over 38 s (20 points; Mann-Kendall p < 0.0001)");
	key(27);
	key('j');
	key('\r');
	draw();
	assert_row_with("window", "  not growing: flat over the 60 s window");
	stop();

	setlocale(LC_ALL, "C.UTF-8");
	start(24, 80, false);
	for (int i = 1; i <= 20; i++) {
		int counts[2] = { 10 + i, 20 };
		feed_goroutines(counts, fns, 2);
	}
	draw();
	assert_non_null(strstr(row(7, (char[4096]){ 0 }, 4096), "\xe2\x96\xb2 +30/min main.leaky"));
	stop();
	setlocale(LC_ALL, "");
}

static void
test_heap_pane(void **state)
{
	(void)state;
	start(24, 100, false);
	poll_all("go1.21");
	poll_all("go1.21"); /* the same GC cycle again: no second point */
	key('2');
	draw();
	dump("heap 100x24");
	assert_row(3, " 1 Goroutines (26)   2 Heap (1)   3 Contention (5)   4 CPU (0)          "
	              "                sort: INUSE");
	/* rates are measured between GC cycles: none yet, and never a false 0 */
	/* four stacks hold nothing and allocate nothing known: not listed, as
	 * go tool pprof does not list them; the tab counts the one row */
	assert_row(4, "in use 116 MiB in 1863 objects, 5 stacks (4 empty, not listed); rates: "
	              "waiting for a GC (they are...");
	assert_row(5, "as of the last GC: changes only at a GC (NumGC 49, 0 in the last 2.0s); "
	              "sampled every 512 KiB");
	/* the stacks of the request that captured the profile are not counted */
	assert_row(6, "not counted: 4 stacks serving /debug/pprof requests (pproftop's own); what "
	              "they allocate is known...");
	assert_row(7,
	           "growth: judged after 8 GC cycles over 45 s (60 s window); 1 over 0 s so far");
	assert_row(
	    8, "    INUSE OBJECTS      dBASE    GROWTH/s     ALLOC/s TREND             FUNCTION  "
	       "FILE:LINE");
	/* one GC cycle seen: one point */
	assert_row(9, "  116 MiB    1863          0           -           -               _   "
	              "main.grow main.go:71");
	/* at 80 columns dBASE makes room for the names */
	resizeterm(24, 80);
	ui_resize(ui);
	draw();
	dump("heap 80x24");
	assert_row(8,
	           "    INUSE OBJECTS    GROWTH/s     ALLOC/s TREND         FUNCTION  FILE:LINE");
	stop();
}

/* One poll of a service retaining 1 MiB/s and allocating 3 MiB/s in
 * main.grow, with a GC every third poll: MemStats, heap, allocs. */
static void
heap_service_poll(int i)
{
	static const enum ep_id eps[] = { EP_MEMSTATS, EP_HEAP, EP_ALLOCS };
	double gc_t = 1000 + 2 * (3 * (i / 3) + 1) - 0.5; /* a GC before polls 0, 3, 6, ... */
	int numgc = 100 + i / 3;
	int64_t grow = (int64_t)((gc_t - 1000) * 1048576);

	clock_now = 1000 + 2 * (i + 1);
	for (size_t k = 0; k < 3; k++) {
		size_t len;
		unsigned char *b = tu_heap_text(grow, 3 * grow, numgc, gc_t,
		                                (int64_t)(clock_now * 4 * 1048576), &len);
		if (model_ingest(&model, eps[k], b, len, clock_now, 0.01) != 0)
			fail_msg("heap poll %d: %s", i, model.ep[eps[k]].err);
	}
	ui_model_changed(ui);
}

/* Between GCs the rates stay what the last two cycles measured (the old
 * pane read 0 in two polls out of three, then three times too much); the
 * header's allocation rate is MemStats' exact one; a steady leak gets the
 * growth mark with its slope per minute. */
static void
test_heap_rates(void **state)
{
	(void)state;
	start(24, 100, false);
	key('2');
	clock_now = 1000;
	for (int i = 0; i < 5; i++)
		heap_service_poll(i);
	draw();
	dump("heap rates");
	assert_row(4, "in use 7.50 MiB in 7684 objects, 2 stacks; +1.00 MiB/s between GC cycles "
	              "6.0s apart; service allo...");
	assert_row(5, "as of the last GC: changes only at a GC (NumGC 101, 1 in the last 8.0s); "
	              "sampled every 1 B");
	assert_row(6,
	           "growth: judged after 8 GC cycles over 45 s (60 s window); 2 over 6 s so far");
	assert_row_with("main.go:10", " 7.50 MiB    7680  +6.00 MiB +1.00 MiB/s +3.00 MiB/s       "
	                              "       .#   main.grow main.go:10");
	assert_row_with("main.go:30", " 4.00 KiB       4          0         0/s         0/s       "
	                              "       __   main.other main.go:30");
	for (int i = 5; i < 7; i++) {
		heap_service_poll(i);
		draw();
		/* the same rate with and without a GC since the last poll */
		assert_non_null(strstr(row(find_row("main.go:10"), (char[4096]){ 0 }, 4096),
		                       "+1.00 MiB/s +3.00 MiB/s"));
	}
	resizeterm(24, 160);
	ui_resize(ui);
	draw();
	dump("heap rates, 160");
	assert_non_null(strstr(row(4, (char[4096]){ 0 }, 4096),
	                       "service allocating +4.00 MiB/s (MemStats, last 12s)"));
	for (int i = 7; i < 30; i++)
		heap_service_poll(i);
	draw();
	dump("heap leak");
	assert_row_with("growing", "^ 1 group growing: main.grow +60.0 MiB/min (60 s window; Enter "
	                           "explains)");
	assert_non_null(strstr(row(find_row("main.go:10"), (char[4096]){ 0 }, 4096),
	                       "^ +60.0 MiB/min main.grow main.go:10"));
	stop();
}

/* Go 1.27's goroutineleak profile: the LEAKED column appears, the proven
 * leaks are marked and counted, the detail says so in words. */
static void
test_leaked_column(void **state)
{
	(void)state;
	start(24, 100, false);
	clock_now += 2;
	feed(EP_GOROUTINE, "go1.27/goroutine.pb.gz");
	ui_model_changed(ui);
	draw();
	assert_int_equal(find_row("LEAKED"), -1); /* not served yet: no column */
	feed(EP_GOROUTINELEAK, "go1.27/goroutineleak.pb.gz");
	ui_model_changed(ui);
	draw();
	dump("leaked");
	assert_true(find_row("LEAKED") > 0);
	/* captured a moment apart: 117 in the goroutine profile, 118 proven */
	assert_row_with("main.leakOne.func1 ", "    117       -       0    118 chan receive        "
	                                       "        _ x main.leakOne.func1 main.go:64");
	assert_row_with("proven leaked",
	                "x 123 goroutines in 6 groups proven leaked by the runtime "
	                "(goroutineleak, 0.5s ago): blocked wher...");
	key('\r');
	draw();
	dump("leaked, detail");
	assert_row_with("leaked:", "  x 118 leaked: blocked where nothing else can reach "
	                           "(goroutineleak)");
	stop();
}

/* A goroutine leak whose goroutines hold heap: both rows grow, and both
 * say so (▲▲), through the function of the service's own code they share. */
static void
test_growth_link(void **state)
{
	(void)state;
	start(24, 100, false);
	for (int i = 0; i < 40; i++) {
		double gc_t = 1000 + 2 * (3 * (i / 3) + 1) - 0.5;
		int64_t grow = (int64_t)((gc_t - 1000) * 1048576);
		size_t len;
		clock_now = 1000 + 2 * (i + 1);
		for (int k = 0; k < 2; k++) {
			unsigned char *b = tu_heap_text(grow, grow, 100 + i / 3, gc_t,
			                                (int64_t)clock_now << 22, &len);
			assert_int_equal(model_ingest(&model, k ? EP_HEAP : EP_MEMSTATS, b, len,
			                              clock_now, 0.01),
			                 0);
		}
		char body[512];
		int n = snprintf(body, sizeof(body),
		                 "goroutine profile: total %d\n%d @ 0x1 0x2\n"
		                 "#\t0x1\tmain.holder+0x1\t/src/main.go:5\n"
		                 "#\t0x2\tmain.worker+0x1\t/src/main.go:20\n\n",
		                 i + 1, i + 1);
		unsigned char *p = malloc((size_t)n);
		memcpy(p, body, (size_t)n);
		assert_int_equal(model_ingest(&model, EP_GOROUTINE, p, (size_t)n, clock_now, 0.01),
		                 0);
	}
	ui_model_changed(ui);
	draw();
	dump("link, goroutines");
	assert_row_with("main.holder main.go",
	                "     40      +1     +39 ======++++++******### ^^ +30/min "
	                "main.holder main.go:5");
	assert_true(find_row("grows in both the goroutine and the heap pane through main.worker") >
	            0);
	key('\r');
	draw();
	assert_row_with("also growing",
	                "  also growing in the heap: +60.0 MiB/min through main.worker");
	key(27);
	key('2');
	draw();
	dump("link, heap");
	assert_true(find_row("^^ +60.0 MiB/min main.grow") > 0);
	stop();
}

/* The CPU pane on the go1.19 3.1 s window (go tool pprof: 350 ms; 200 ms
 * in main.burnCPU.func1 at main.go:117, 140 ms at :116, 10 ms under
 * main.contend), then the local 1 s window against it; F: functions. */
static void
test_cpu_pane(void **state)
{
	(void)state;
	start(24, 100, false);
	key('4');
	draw();
	dump("cpu empty");
	assert_true(ui_shows(ui, EP_CPU));
	assert_row(4, "CPU profiling: waiting for the first window (windows run while this pane "
	              "is shown, or with --cpu)");
	clock_now += 5;
	feed(EP_CPU, "go1.19/profile-cpu-3s.pb.gz");
	ui_model_changed(ui);
	draw();
	dump("cpu");
	assert_row(4, "CPU profiling: the last window 3.1 s, 0.113 cores in all (35 samples)");
	assert_row(5, "per stack, in cores (CPU seconds per second), and against the last window; "
	              "F: per function");
	assert_row(6, "    CPU SAMPLES TREND                         FUNCTION  FILE:LINE");
	assert_row(7,
	           "  0.064      20                           _   main.burnCPU.func1 main.go:117");
	assert_row(8,
	           "  0.045      14                           _   main.burnCPU.func1 main.go:116");
	assert_row(9, "  0.003       1                           _   main.contend main.go:92");
	key('F');
	draw();
	dump("cpu functions");
	assert_row(5, "per function, as pprof -top: CPU in the function itself (flat), CUM with "
	              "its callees; F: stacks");
	assert_row(6, "    CPU     CUM SAMPLES TREND                      FUNCTION  FILE:LINE");
	assert_row(
	    7, "  0.110   0.110      34                            main.burnCPU.func1 main.go:117");
	assert_row(8, "  0.003   0.003       1                            runtime.gentraceback "
	              "traceback.go:202");
	assert_row(9,
	           "      0   0.110       0                            main.burnCPU main.go:113");
	key('F');
	clock_now += 5;
	feed(EP_CPU, "local/profile-cpu-1s.pb.gz");
	ui_model_changed(ui);
	draw();
	dump("cpu second window");
	assert_row(4, "CPU profiling: the last window 1.0 s, 0.059 cores in all (6 samples); "
	              "previous window 0.113");
	/* against the previous window: new stacks +, the old ones gone - */
	assert_row(6, "    CPU SAMPLES  dWINDOW TREND                      FUNCTION  FILE:LINE");
	assert_row(
	    7, "  0.020       2   +0.020                        _ + main.spin behaviours.go:155");
	assert_row(
	    11,
	    "      0       0   -0.045                       #_ - main.burnCPU.func1 main.go:116");
	key('1');
	assert_false(ui_shows(ui, EP_CPU));
	stop();
}

static void
test_contention_pane(void **state)
{
	(void)state;
	start(24, 100, false);
	poll_all("go1.21");
	poll_all("go1.21");
	key('3');
	draw();
	dump("contention");
	/* 331.73 s and 37963 contentions by go tool pprof */
	assert_row(
	    4, "block: 3 stacks, 0/s delay, 0/s contentions over the last 2.0s; total 5.53 min");
	assert_row(
	    5, "mutex: 2 stacks, 0/s delay, 0/s contentions over the last 2.0s; total 1.60 min");
	/* the legend in two lines that fit 100 columns */
	assert_row(6, "K: B block (time goroutines waited), M mutex (time an Unlock kept others "
	              "waiting)");
	assert_row(7, "a wait is recorded when it ends: goroutines still stuck are in the "
	              "Goroutines pane");
	assert_row(8, "K     DELAY/s    CONT/s     DELAY    CONT TREND                FUNCTION  "
	              "FILE:LINE");
	assert_row(9, "B         0/s       0/s  3.93 min   37.9k                  _   main.contend "
	              "main.go:89");
	assert_row(10,
	           "M         0/s       0/s  1.60 min   38.0k                  _   main.contend "
	           "main.go:92");
	stop();

	/* profiling not enabled in the target: say how to enable it */
	start(24, 100, false);
	clock_now += 2;
	feed(EP_BLOCK, "variants/go1.19-block-rate-not-set.pb.gz");
	feed(EP_MUTEX, "variants/go1.19-mutex-rate-not-set.pb.gz");
	ui_model_changed(ui);
	key('3');
	draw();
	dump("contention disabled");
	assert_row(4, "block profile is empty: profiling is off unless the target calls "
	              "runtime.SetBlockProfileRate(1)");
	assert_row(5, "mutex profile is empty: profiling is off unless the target calls "
	              "runtime.SetMutexProfileFraction(5)");
	stop();
}

static void
test_stale_header(void **state)
{
	(void)state;
	start(24, 100, false);
	poll_all("go1.21");
	/* an endpoint that never answered does not make the view stale */
	model_fail(&model, EP_INDEX, "HTTP 404: Unknown profile", clock_now, 0.001);
	ui_model_changed(ui);
	draw();
	assert_int_equal(find_row("STALE"), -1);
	clock_now += 10;
	model_fail(&model, EP_GOROUTINE, "connect: connection refused", clock_now, 0.001);
	ui_model_changed(ui);
	draw();
	dump("stale");
	assert_row(0, "pproftop http://localhost:6060/debug/pprof/  STALE 10s connect: connection "
	              "refused");
	assert_row(23,
	           "last poll failed (showing the last good data): connect: connection refused");
	/* flags on the right, a message on the status line */
	status.insecure = true;
	status.mode = "snapshot 2026-01-02";
	status.message = "snapshot saved: /tmp/x";
	key('p');
	draw();
	dump("flags");
	assert_row(0,
	           "pproftop http://localhost:6060/debug/pprof/  STALE 10s [snapshot 2026-01-02] "
	           "TLS NOT VERIFIED PAUSED");
	assert_true(attr_of("STALE") & A_REVERSE);
	assert_row(23, "snapshot saved: /tmp/x");
	/* the data is kept */
	assert_row_with("main.leakOne", "    115       -       0 chan receive                     "
	                                "_   main.leakOne.func1 main.go:64");
	stop();
}

static void
test_help_lists_every_key(void **state)
{
	char keys[128], want[512];
	size_t n;
	const struct km_binding *b = keymap_bindings(&n);

	(void)state;
	start(40, 100, false);
	poll_all("go1.21");
	assert_int_equal(ui_key(ui, '?'), KA_NONE);
	draw();
	dump("help");
	for (int a = 1; a < KA_COUNT; a++) {
		keymap_keys((enum km_action)a, " ", keys, sizeof(keys));
		snprintf(want, sizeof(want), "  %-18s %s", keys, keymap_help((enum km_action)a));
		if (find_row(want) < 0)
			fail_msg("help lacks \"%s\"", want);
	}
	/* every named key of the table is in one of those lines */
	for (size_t i = 0; i < n; i++) {
		if (b[i].name == NULL)
			continue;
		keymap_keys(b[i].action, " ", keys, sizeof(keys));
		snprintf(want, sizeof(want), " %s ", b[i].name);
		char padded[140];
		snprintf(padded, sizeof(padded), " %s ", keys);
		assert_non_null(strstr(padded, want));
	}
	/* any key of the help closes it (q does not quit here) */
	assert_int_equal(ui_key(ui, 'q'), KA_NONE);
	draw();
	assert_true(first_data_row() > 0);
	stop();

	/* on a short screen it scrolls */
	start(24, 80, false);
	key(KEY_F(1));
	draw();
	assert_int_equal(find_row("  q                  quit"), -1);
	key(KEY_END);
	draw();
	dump("help scrolled");
	assert_true(find_row("  q                  quit") > 0);
	stop();
}

static void
test_actions(void **state)
{
	(void)state;
	start(24, 80, false);
	assert_int_equal(ui_key(ui, 'q'), KA_QUIT);
	assert_int_equal(ui_key(ui, 's'), KA_SNAPSHOT);
	assert_int_equal(ui_key(ui, 'b'), KA_BASELINE);
	assert_int_equal(ui_key(ui, '+'), KA_FASTER);
	assert_int_equal(ui_key(ui, '-'), KA_SLOWER);
	assert_int_equal(ui_key(ui, 'r'), KA_POLL_NOW);
	assert_int_equal(ui_key(ui, 'x'), KA_NONE);
	assert_int_equal(ui_key(ui, '2'), KA_NONE);
	draw();
	assert_row(3, " 1 Goroutines (0)   2 Heap (0)   3 Contention (0)   4 CPU (0)       sort: "
	              "INUSE");
	assert_row(4, "heap: waiting for the first poll");
	key('\t');
	draw();
	assert_non_null(strstr(row(3, (char[128]){ 0 }, 128), "sort: DELAY/s"));
	key(KEY_BTAB);
	key(KEY_BTAB);
	draw();
	assert_non_null(strstr(row(3, (char[128]){ 0 }, 128), "sort: COUNT"));
	stop();
}

static void
test_color(void **state)
{
	(void)state;
	unsetenv("NO_COLOR");
	start(24, 80, true);
	poll_all("go1.21");
	poll_goroutines("go1.22");
	draw();
	assert_int_not_equal(PAIR_NUMBER(attr_of("+116")), 0);
	stop();

	setenv("NO_COLOR", "1", 1);
	start(24, 80, true);
	poll_all("go1.21");
	poll_goroutines("go1.22");
	draw();
	assert_int_equal(PAIR_NUMBER(attr_of("+116")), 0);
	assert_true(attr_of("+116") & A_BOLD);
	stop();
	unsetenv("NO_COLOR");
}

static void
test_wide(void **state)
{
	(void)state;
	start(60, 300, false);
	poll_all("go1.21");
	poll_all("go1.22");
	draw();
	dump("300x60");
	char buf[4096];

	/* the six meters on one row, sparklines 29 wide; 141 -> 142 goroutines
	 * is no spike (a step is drawn full height only from an eighth of the
	 * level), NumGC's 49 -> 49 is flat */
	assert_non_null(
	    strstr(row(1, buf, sizeof(buf)),
	           "goroutines      142                            ## HeapAlloc   123 MiB"));
	assert_non_null(strstr(buf, "GC pause    91.5 us                            #_"));
	assert_int_equal(strlen(row(2, buf, sizeof(buf))), 299);
	assert_non_null(strstr(buf, "sort: COUNT"));
	/* a 40-column trend, the names get the rest */
	/* two captures of different processes: a restart, deltas zero */
	assert_row(5, "the target restarted: baseline reset");
	assert_row(6, "  COUNT   dPOLL   dBASE STATE          TREND                                "
	              "      FUNCTION  FILE:LINE");
	assert_row(7, "    116       0       0 chan receive                                        "
	              "  _   main.leakOne.func1 main.go:64");
	stop();
}

static void
test_report(void **state)
{
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	start(24, 80, false);
	poll_all("go1.21");
	poll_goroutines("go1.22");
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	ui_report(ui, f);
	fclose(f);
	if (getenv("PPROFTOP_RENDER_DUMP"))
		fputs(buf, stderr);
	assert_non_null(strstr(buf, "== Goroutines ==\n"));
	assert_non_null(strstr(buf, "== Heap ==\n"));
	assert_non_null(strstr(buf, "== Contention ==\n"));
	assert_non_null(strstr(buf, "  COUNT   dPOLL   dBASE STATE          TREND              "
	                            "FUNCTION  FILE:LINE\n"));
	assert_non_null(strstr(buf, "    116    +116    +116 chan receive                  _ + "
	                            "main.leakOne.func1 main.go:64\n"));
	/* why each goroutine waits, from the protobuf's runtime frames */
	assert_non_null(strstr(buf, "      1      +1      +1 sync.WaitGroup                _ + "
	                            "main.variety.func8 main.go:171\n"));
	/* the go1.21 group, gone, and its go1.22 successor differ in a frame
	 * of the runtime only at its line: the line tells them apart */
	assert_non_null(strstr(buf, "      1      +1      +1 IO wait                       _ + "
	                            "main.main <- runtime.main:271 main.go:253\n"));
	/* no goroutineleak profile: no LEAKED column */
	assert_null(strstr(buf, "LEAKED"));
	/* pproftop's own goroutines are not in it, and it says so */
	assert_null(strstr(buf, "net/http/pprof."));
	assert_non_null(
	    strstr(buf, "; not counted: pproftop's own 2 (its request, its connection)\n"));
	assert_non_null(strstr(buf, "not counted: 4 stacks serving /debug/pprof requests"));
	free(buf);
	stop();
}

/* Captures of two different processes: cumulative counters drop, so the
 * whole poll is a restart: the pane says so and no delta is shown. */
static void
test_restart(void **state)
{
	(void)state;
	start(24, 100, false);
	poll_all("go1.21");
	/* the target goes down, then the new process's heap answers first
	 * (its alloc counters are lower): the goroutine rows are still the old
	 * process's, and the pane says so rather than "baseline reset" */
	clock_now += 2;
	model_fail(&model, EP_GOROUTINE, "connection refused", clock_now, 0);
	feed(EP_BLOCK, "go1.22/block.pb.gz");
	feed(EP_HEAP, "go1.22/heap.pb.gz");
	ui_model_changed(ui);
	draw();
	dump("restart, heap first 100x24");
	assert_row_with("restarted", "the target restarted: these rows are the old process's "
	                             "until its next answer");
	poll_all("go1.22");
	draw();
	dump("restart 100x24");
	assert_row_with("restarted", "the target restarted: baseline reset");
	/* the old process's groups are not listed as gone, nor the new
	 * one's as new */
	assert_row_with("leakOne", "    116       0       0 chan receive                     _   "
	                           "main.leakOne.func1 main.go:64");
	assert_int_equal(find_row(" - "), -1);
	assert_int_equal(find_row(" + "), -1);
	/* a long address is cut for the flag, not the flag for the address */
	status.target =
	    "http://a-rather-long-host-name.example.internal.corp:6060/some/prefix/debug/pprof/";
	draw();
	char buf[512];
	assert_non_null(strstr(row(0, buf, sizeof(buf)), " RESTARTED 0.5s ago"));
	/* nor for the poll's text when it fills the line to the flag */
	status.target = "http://localhost:6060/debug/pprof/";
	resizeterm(24, 80);
	ui_resize(ui);
	draw();
	assert_non_null(strstr(row(0, buf, sizeof(buf)), "... RESTARTED 0.5s ago"));
	stop();
}

/* The help ends with what each endpoint's last fetch took and brought. */
static void
test_help_endpoints(void **state)
{
	(void)state;
	start(60, 120, false);
	poll_all("go1.21");
	key('?');
	key(KEY_END);
	draw();
	dump("help endpoints");
	assert_row_with("Endpoints",
	                "Endpoints: form, last fetch's latency and service time (est.), "
	                "bytes, how often, last good, status");
	/* fed protobufs here: what their text would weigh decides the next form */
	assert_row_with("  goroutine ",
	                "  goroutine     protobuf (text ~10.8 KiB)      12 ms         - "
	                "  2.78 KiB  every poll     good 0.5s ago  ok");
	assert_int_equal(model.ep[EP_GOROUTINE].want, FORM_TEXT);
	assert_row_with("  allocs ", "  allocs        comes with heap (heap?debug=1)");
	assert_row_with("  memstats ", "  memstats      comes with heap (heap?debug=1)");
	assert_row_with("  goroutineleak ", "  goroutineleak fetched once the index lists it");
	assert_row_with("  dump ", "  dump          only on demand (D)");
	assert_row_with("  index ", "  index         not fetched yet");
	/* and what it all costs, against the budget (no service times here:
	 * the fixtures were fed without libcurl's timings) */
	assert_row_with("  all in all",
	                "  all in all: about 0.00% of a core; what it allocates is "
	                "known after two GC cycles; budget 1% of a core, 1.00 MiB/s");
	stop();
}

/* Several targets: the merged model's detail shows each target's value of
 * the group, heaviest first, the down one marked; the header summarises
 * the targets and the status line says which is down and why. */
static void
test_targets(void **state)
{
	(void)state;
	static const char *const names[] = { "127.0.0.1:6061", "127.0.0.1:6062", "127.0.0.1:6063" };
	bool down[] = { false, true, false };
	struct snapshot *a = tu_parse("go1.21/goroutine.pb.gz", "goroutine");
	struct snapshot *b = tu_parse("go1.22/goroutine.pb.gz", "goroutine");
	const struct snapshot *in[] = { b, a, NULL };

	start(30, 120, false);
	ui_set_targets(ui, names, down, 3);
	clock_now += 2;
	model_ingest_snapshot(&model, EP_GOROUTINE, merge_snapshots(in, 3), clock_now);
	ui_model_changed(ui);
	status.targets = "3 targets, 1 down, worst 12ms";
	status.down = "127.0.0.1:6062 down: connection refused; its last data stays in the "
	              "merge, marked stale";
	draw();
	dump("merged");
	assert_row(0, "pproftop http://localhost:6060/debug/pprof/  3 targets, 1 down, worst "
	              "12ms  polled 0.5s ago (12 ms), every 2s");
	assert_row(29, "127.0.0.1:6062 down: connection refused; its last data stays in the merge, "
	               "marked stale");
	/* main.leakOne.func1: 115 goroutines on go1.21 (target 2); not in
	 * the go1.22 capture's stacks (another line) */
	assert_row_with("    116 ", "    116       -       0 chan receive            _   "
	                            "main.leakOne.func1 main.go:64");
	key(KEY_DOWN);
	draw();
	assert_row(selected_row(), "    115       -       0 chan receive            _   "
	                           "main.leakOne.func1 main.go:64");
	key('\r');
	draw();
	dump("merged detail");
	assert_row_with("by target", "by target (count, now; heaviest first)");
	int t = find_row("by target");
	assert_row(t + 1, "  127.0.0.1:6062        115  down: its last data (stale)");
	assert_row(t + 2, "  127.0.0.1:6061          0");
	assert_row(t + 3, "  127.0.0.1:6063          -  (no such profile)");
	assert_true(attr_of("127.0.0.1:6062        115") & A_BOLD);
	stop();
	snapshot_free(a);
	snapshot_free(b);
}

static void
test_keymap(void **state)
{
	size_t n;
	const struct km_binding *b = keymap_bindings(&n);
	bool named[KA_COUNT] = { false };

	(void)state;
	assert_int_equal(keymap_lookup('q'), KA_QUIT);
	assert_int_equal(keymap_lookup(' '), KA_PAUSE);
	assert_int_equal(keymap_lookup(KM_BTAB), KA_PREV_PANE);
	assert_int_equal(keymap_lookup('Z'), KA_NONE);
	for (size_t i = 0; i < n; i++) {
		if (b[i].name != NULL)
			named[b[i].action] = true;
		for (size_t j = i + 1; j < n; j++)
			assert_int_not_equal(b[i].key, b[j].key);
	}
	/* the tree's own table: unique keys too, shadowing the other */
	size_t nt;
	const struct km_binding *tb = keymap_tree_bindings(&nt);
	for (size_t i = 0; i < nt; i++) {
		if (tb[i].name != NULL)
			named[tb[i].action] = true;
		for (size_t j = i + 1; j < nt; j++)
			assert_int_not_equal(tb[i].key, tb[j].key);
		assert_int_equal(keymap_lookup_tree(tb[i].key), tb[i].action);
	}
	assert_int_equal(keymap_lookup_tree(KM_RIGHT), KA_EXPAND);
	assert_int_equal(keymap_lookup(KM_RIGHT), KA_NEXT_PANE);
	assert_int_equal(keymap_lookup_tree('q'), KA_QUIT);
	assert_int_equal(keymap_lookup('i'), KA_NONE);
	for (int a = 1; a < KA_COUNT; a++) {
		assert_true(named[a]);
		assert_true(keymap_help((enum km_action)a)[0] != '\0');
	}
	char keys[8];
	assert_int_equal(keymap_keys(KA_UP, " ", keys, sizeof(keys)), 4);
	assert_string_equal(keys, "Up k");
	assert_int_equal(keymap_keys(KA_BACK, " ", keys, sizeof(keys)), 7);
	assert_string_equal(keys, "Esc Bac");
}

/* ---- the call tree ---- */

/* The tree's first row (below its column titles), or -1. */
static int
tree_first_row(void)
{
	int y = find_row("FUNCTION  (calle");

	if (y < 0)
		y = find_row("FUNCTION  (calle");
	if (y < 0)
		y = find_row("FUNCTION  (callers below)");
	return y < 0 ? -1 : y + 1;
}

/* The tree row drawn in reverse video (the selection), or -1. */
static int
tree_selected(void)
{
	return reverse_row_from(tree_first_row());
}

/* A goroutine debug=1 body of two-frame stacks: count, leaf, caller. */
struct stk {
	int count;
	const char *leaf, *caller;
};

static void
feed_stacks(const struct stk *st, size_t n)
{
	char *body = malloc(1 << 16);
	size_t o = 0;
	int total = 0;

	for (size_t i = 0; i < n; i++)
		total += st[i].count;
	o += (size_t)snprintf(body + o, (1 << 16) - o, "goroutine profile: total %d\n", total);
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(body + o, (1 << 16) - o,
		                      "%d @ 0x%zx 0x%zx\n#\t0x%zx\t%s+0x1\t/src/app/main.go:%zu\n"
		                      "#\t0x%zx\t%s+0x1\t/src/app/main.go:%zu\n\n",
		                      st[i].count, 2 * i + 1, 2 * i + 2, 2 * i + 1, st[i].leaf,
		                      10 * (i + 1), 2 * i + 2, st[i].caller, 10 * (i + 1) + 5);
	clock_now += 2;
	if (model_ingest(&model, EP_GOROUTINE, (unsigned char *)body, o, clock_now, 0.01) != 0)
		fail_msg("synthetic body: %s", model.ep[EP_GOROUTINE].err);
	ui_model_changed(ui);
}

/* t on the goroutine pane of go1.21: the tree opens along its heaviest
 * path (115 leaked goroutines in main.leakOne.func1 under runtime/pprof.Do),
 * then every key of the tree. */
static void
test_tree(void **state)
{
	(void)state;
	start(30, 100, false);
	poll_all("go1.21");
	key('t');
	draw();
	dump("tree");
	assert_row(3, " 1 Goroutines (26)   2 Heap (1)   3 Contention (5)   4 CPU (0)             "
	              "tree top-down  sort: CUM");
	assert_row(4, "call tree of count (top-down, by function): 98 nodes, 25 shown; total 141");
	assert_row(5,
	           "    CUM    FLAT   dPOLL   dBASE TREND              FUNCTION  (callees below)");
	assert_row(6, "    115       0       -       0                _   v pprof.Do");
	assert_row(7, "    115     115       -       0                _       main.leakOne.func1");
	assert_row(8, "      4       0       -       0                _   > main.contend");
	assert_row(10, "      1       1       -       0                _     main.chanBlocker");
	assert_int_equal(tree_selected(), 6);
	assert_int_equal(find_row("net/http/pprof"), -1); /* our own request is left out */

	/* Right expands, * expands the whole subtree */
	key(KEY_DOWN);
	key(KEY_DOWN);
	key(KEY_RIGHT);
	draw();
	dump("contend expanded");
	assert_int_equal(tree_selected(), 8);
	assert_row(8, "      4       0       -       0                _   v main.contend");
	assert_row(9, "      2       0       -       0                _     > sync.(*Mutex).Lock");
	assert_row(10, "      2       2       -       0                _       time.Sleep");
	assert_row(11, "      1       0       -       0                _   > main.burnCPU");
	key('*');
	draw();
	dump("contend all");
	assert_row(9, "      2       0       -       0                _     v sync.(*Mutex).Lock");
	assert_row(10, "      2       0       -       0                _       v "
	               "sync.(*Mutex).lockSlow");
	assert_row(11, "      2       2       -       0                _           "
	               "sync.runtime_SemacquireMutex");
	assert_row(12, "      2       2       -       0                _       time.Sleep");
	/* Left collapses an expanded node, then goes to the parent */
	key(KEY_DOWN);
	key(KEY_LEFT);
	draw();
	assert_int_equal(tree_selected(), 9);
	assert_row(9, "      2       0       -       0                _     > sync.(*Mutex).Lock");
	assert_row(10, "      2       2       -       0                _       time.Sleep");
	key(KEY_LEFT);
	draw();
	assert_int_equal(tree_selected(), 8);

	/* f: only the stacks through main.contend, said on the tab bar */
	key('f');
	draw();
	dump("focus contend");
	assert_row(3, " 1 Goroutines   2 Heap   3 Contention   4 CPU         tree top-down  sort: "
	              "CUM  focus: main.contend");
	assert_row(4, "call tree of count (top-down, by function): 5 nodes, 3 shown; total 4; "
	              "focus: main.contend (Esc c...");
	assert_row(6, "      4       0       -       0                _   v main.contend");
	assert_row(7, "      2       0       -       0                _     > sync.(*Mutex).Lock");
	assert_row(8, "      2       2       -       0                _       time.Sleep");
	assert_row(9, "");
	assert_int_equal(tree_selected(), 6);

	/* d: the detail of the node's three stacks; Esc comes back to the tree */
	key('d');
	draw();
	dump("detail contend");
	assert_row(4, "Goroutines > main.contend: 3 stacks under this call tree node, count 4");
	assert_row(5, "stack 1: count 2, 4 frames, leaf first");
	assert_row(6, "    sync.runtime_SemacquireMutex  /usr/lib/go-1.21/src/runtime/sema.go:77");
	assert_row(9, "    main.contend                  /home/gopher/demo/main.go:89");
	assert_row(10, "stack 2: count 1, 2 frames, leaf first");
	assert_row(13, "stack 3: count 1, 2 frames, leaf first");
	key(27);
	draw();
	assert_row(6, "      4       0       -       0                _   v main.contend");
	/* Esc clears the focus; the selection stays on the node */
	key(27);
	draw();
	dump("focus cleared");
	assert_row(4, "call tree of count (top-down, by function): 98 nodes, 27 shown; total 141");
	assert_row(8, "      4       0       -       0                _   v main.contend");
	assert_int_equal(tree_selected(), 8);

	/* i: bottom-up, opened along its own heaviest path */
	key('i');
	draw();
	dump("inverted");
	assert_row(3, " 1 Goroutines (26)   2 Heap (1)   3 Contention (5)   4 CPU (0)            "
	              "tree bottom-up  sort: CUM");
	assert_row(5,
	           "    CUM    FLAT   dPOLL   dBASE TREND              FUNCTION  (callers below)");
	assert_row(6, "    115       0       -       0                _   v main.leakOne.func1");
	assert_row(7, "    115     115       -       0                _       pprof.Do");
	assert_row(8, "     11       0       -       0                _   > time.Sleep");
	assert_row(9, "      3       0       -       0                _   > "
	              "sync.runtime_SemacquireMutex");
	/* l: a node per function and line (main.contend's three lines apart) */
	key('i');
	key('l');
	draw();
	dump("by line");
	assert_row(3, " 1 Goroutines (26)   2 Heap (1)   3 Contention (5)   4 CPU (0)     tree "
	              "top-down by line  sort: CUM");
	assert_row(6, "    115       0       -       0                _   v pprof.Do "
	              "runtime.go:51");
	assert_row(7, "    115     115       -       0                _       main.leakOne.func1 "
	              "main.go:64");
	assert_row(8,
	           "      2       0       -       0                _   > main.contend main.go:89");
	assert_row(12,
	           "      1       0       -       0                _   > main.contend main.go:91");
	key('l');
	/* / filters as in the table: the nodes on a stack through a match */
	type("/chanBlocker\r");
	draw();
	dump("filter");
	assert_row(3,
	           " 1 Goroutines   2 Heap   3 Contention   4 CPU       tree top-down  sort: CUM  "
	           "filter: /chanBlocker/");
	assert_row(6, "      1       1       -       0                _     main.chanBlocker");
	assert_row(7,
	           "      1       0       -       0                _   > main.chanBlocker.func1");
	assert_row(8, "");
	/* a match deep in a collapsed subtree: the path down to it opens */
	type("/\x15SemacquireMutex\r");
	draw();
	dump("filter, deep match");
	assert_row(6, "      4       0       -       0                _   v main.contend");
	assert_row(7, "      2       0       -       0                _     v sync.(*Mutex).Lock");
	assert_row(8, "      2       0       -       0                _       v "
	              "sync.(*Mutex).lockSlow");
	assert_row(9, "      2       2       -       0                _           "
	              "sync.runtime_SemacquireMutex");
	/* and the other stack through it, below */
	assert_row(10, "      1       0       -       0                _   v main.variety.func6");
	type("/\x15\r");
	/* a snapshot's report has the shown tree after the tables */
	char *rep = NULL;
	size_t replen = 0;
	FILE *f = open_memstream(&rep, &replen);
	assert_non_null(f);
	ui_report(ui, f);
	fclose(f);
	assert_non_null(strstr(rep, "\n== Goroutines (call tree, top-down) ==\n"
	                            "    CUM    FLAT   dPOLL   dBASE FUNCTION  (callees below)\n"
	                            "    115       0       -       0 runtime/pprof.Do\n"
	                            "    115     115       -       0   main.leakOne.func1\n"
	                            "      4       0       -       0 main.contend\n"));
	free(rep);
	/* t: back to the table */
	key('t');
	draw();
	assert_row(
	    6, "  COUNT   dPOLL   dBASE STATE          TREND                 FUNCTION  FILE:LINE");
	assert_row(7, "    115       -       0 chan receive                     _   "
	              "main.leakOne.func1 main.go:64");
	stop();
}

/* The selection is a node: it stays on it while rows move across polls; a
 * vanished path is dimmed for one poll, then the selection goes to its
 * parent. */
static void
test_tree_follows_node(void **state)
{
	static const struct stk p1[] = {
		{ 5, "main.a", "main.serve" },
		{ 3, "main.b", "main.serve" },
		{ 1, "main.c", "main.run" },
	};
	static const struct stk p2[] = {
		{ 7, "main.a", "main.serve" },
		{ 3, "main.b", "main.serve" },
		{ 20, "main.c", "main.run" },
	};
	static const struct stk p3[] = {
		{ 7, "main.a", "main.serve" },
		{ 20, "main.c", "main.run" },
	};

	(void)state;
	start(24, 100, false);
	/* t before the first poll: the tree opens along its heaviest path once
	 * there is one */
	key('t');
	draw();
	assert_row(4, "call tree: no data yet");
	feed_stacks(p1, 3);
	draw();
	dump("synthetic");
	assert_row(6, "      8       0       -       0                _   v main.serve");
	assert_row(7, "      5       5       -       0                _       main.a");
	assert_row(8, "      3       3       -       0                _       main.b");
	assert_row(9, "      1       0       -       0                _   > main.run");
	key(KEY_DOWN);
	key(KEY_DOWN);
	draw();
	assert_int_equal(tree_selected(), 8);
	/* main.run overtakes main.serve: main.b moves down a row */
	feed_stacks(p2, 3);
	draw();
	dump("synthetic, rows moved");
	assert_row(6, "     20       0     +19     +19               _#   > main.run");
	assert_row(7, "     10       0      +2      +2               *#   v main.serve");
	assert_row(8, "      7       7      +2      +2               +#       main.a");
	assert_row(9, "      3       3       0       0               __       main.b");
	assert_int_equal(tree_selected(), 9);
	/* main.b's stack is gone: its node is dimmed for a poll */
	feed_stacks(p3, 2);
	draw();
	dump("synthetic, b gone");
	assert_row(9, "      0       0      -3      -3              ##_ -     main.b");
	assert_int_equal(tree_selected(), 9);
	assert_true(mvwinch(stdscr, 9, 30) & A_DIM);
	feed_stacks(p3, 2);
	draw();
	dump("synthetic, b forgotten");
	assert_int_equal(find_row("main.b"), -1);
	assert_int_equal(tree_selected(), 7);
	assert_row(7, "      7       0       0      -1             *#++   v main.serve");
	stop();
}

/* The heap and contention panes have their tree too (block and mutex
 * tagged B and M). */
static void
test_tree_heap_contention(void **state)
{
	(void)state;
	start(24, 100, false);
	poll_all("go1.21");
	key('2');
	key('t');
	draw();
	dump("heap tree");
	/* the four stacks holding nothing are not listed, as in the table */
	assert_row(4, "call tree of inuse_bytes (top-down, by function): 12 nodes, 1 shown; total "
	              "116 MiB");
	assert_row(5,
	           "      CUM      FLAT      dPOLL      dBASE TREND            FUNCTION  (callees "
	           "below)");
	assert_row(6, "  116 MiB   116 MiB          -          0              _   v main.grow");
	/* the goroutine pane kept its table; the heap pane its tree */
	key('1');
	draw();
	assert_true(first_data_row() > 0);
	key('2');
	draw();
	assert_row(6, "  116 MiB   116 MiB          -          0              _   v main.grow");
	key('3');
	key('t');
	draw();
	dump("contention tree");
	assert_row(3, " 1 Goroutines (26)   2 Heap (1)   3 Contention (5)   4 CPU (0)           "
	              "tree top-down  sort: dPOLL");
	assert_row(5, "K       CUM      FLAT      dPOLL      dBASE TREND           FUNCTION  "
	              "(callees below)");
	assert_row(6, "B  3.93 min      0 ns          -          0                 v main.contend");
	assert_row(7, "B  3.93 min  3.93 min          -          0                     "
	              "sync.(*Mutex).Lock");
	assert_row(8, "M  1.60 min      0 ns          -          0                 v main.contend");
	assert_row(9, "M  1.60 min  1.60 min          -          0                     "
	              "sync.(*Mutex).Unlock");
	/* focus on the mutex node: the block tree is not shown meanwhile */
	key(KEY_DOWN);
	key(KEY_DOWN);
	key('f');
	draw();
	dump("contention focus");
	assert_row(6, "M  1.60 min      0 ns          -          0                 v main.contend");
	assert_row(8, "");
	stop();
}

/* A node's cumulative series has its trend and growth verdict, as a
 * group's has; UTF-8 marks. */
static void
test_tree_growing(void **state)
{
	(void)state;
	setlocale(LC_ALL, "C.UTF-8");
	start(24, 100, false);
	for (int i = 1; i <= 20; i++) {
		struct stk st[] = {
			{ 10 + i, "main.leaky", "main.serve" },
			{ 20, "main.steady", "main.serve" },
			{ 5, "main.idle", "main.run" },
		};
		feed_stacks(st, 3);
		if (i == 1)
			key('t'); /* the node history starts when the tree is first shown */
		draw();           /* as the app draws after each poll */
	}
	draw();
	dump("growing tree");
	/* main.serve grows as main.leaky does, main.run does not */
	assert_row(5, "    CUM    FLAT   \xce\x94POLL   \xce\x94"
	              "BASE TREND                    FUNCTION  (callees below)");
	assert_non_null(
	    strstr(row(6, (char[4096]){ 0 }, 4096), "     50       0      +1     +19 "));
	assert_non_null(strstr(row(6, (char[4096]){ 0 }, 4096),
	                       "\xe2\x96\x88 \xe2\x96\xb2 +30/min \xe2\x96\xbe main.serve"));
	assert_non_null(strstr(row(7, (char[4096]){ 0 }, 4096),
	                       "\xe2\x96\x88 \xe2\x96\xb2 +30/min     main.leaky"));
	assert_non_null(
	    strstr(row(8, (char[4096]){ 0 }, 4096), "     20      20       0       0 "));
	assert_null(strstr(row(8, (char[4096]){ 0 }, 4096), "\xe2\x96\xb2"));
	assert_non_null(
	    strstr(row(9, (char[4096]){ 0 }, 4096), "           \xe2\x96\xb8 main.run"));
	assert_true(mvwinch(stdscr, 7, 47) & A_BOLD); /* the mark, after 14 columns of trend */
	stop();
	setlocale(LC_ALL, "");
}

/* Until a key moves or expands, the tree follows each poll's heaviest path
 * with the selection on the top row. */
static void
test_tree_untouched(void **state)
{
	static const struct stk p1[] = {
		{ 5, "main.a", "main.serve" },
		{ 1, "main.c", "main.run" },
	};
	static const struct stk p2[] = {
		{ 5, "main.a", "main.serve" },
		{ 9, "main.c", "main.run" },
	};

	(void)state;
	start(24, 100, false);
	key('t');
	feed_stacks(p1, 2);
	draw();
	assert_row(6, "      5       0       -       0                _   v main.serve");
	assert_row(8, "      1       0       -       0                _   > main.run");
	feed_stacks(p2, 2);
	draw();
	dump("untouched, next poll");
	assert_row(6, "      9       0      +8      +8               .#   v main.run");
	assert_row(7, "      9       9      +8      +8               .#       main.c");
	assert_row(8, "      5       0       0       0               __   > main.serve");
	assert_int_equal(tree_selected(), 6);
	/* once a key expanded something, the expansions are the user's */
	key(KEY_DOWN);
	key(KEY_DOWN);
	key(KEY_RIGHT);
	feed_stacks(p1, 2);
	draw();
	dump("touched, next poll");
	assert_row(6, "      5       0       0       0              ___   v main.serve");
	assert_row(8, "      1       0      -8       0              .#.   v main.run");
	assert_int_equal(tree_selected(), 6);
	/* < > sort the siblings by another column; the selection stays */
	key('>');
	key('>');
	draw();
	dump("sorted by dPOLL");
	assert_non_null(strstr(row(3, (char[4096]){ 0 }, 4096), "sort: dPOLL"));
	assert_row(6, "      5       0       0       0              ___   v main.serve");
	assert_row(8, "      1       0      -8       0              .#.   v main.run");
	key('>');
	key('>');
	key('>'); /* stays on the last column */
	draw();
	assert_non_null(strstr(row(3, (char[4096]){ 0 }, 4096), "sort: FUNCTION"));
	assert_row(6, "      1       0      -8       0              .#.   v main.run");
	assert_row(8, "      5       0       0       0              ___   v main.serve");
	assert_int_equal(tree_selected(), 8);
	stop();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_goroutines_first_poll, teardown),
		cmocka_unit_test_teardown(test_window_hint, teardown),
		cmocka_unit_test_teardown(test_same_body_twice, teardown),
		cmocka_unit_test_teardown(test_new_and_gone, teardown),
		cmocka_unit_test_teardown(test_selection_follows_group, teardown),
		cmocka_unit_test_teardown(test_selection_stays_on_top, teardown),
		cmocka_unit_test_teardown(test_text_states_named, teardown),
		cmocka_unit_test_teardown(test_sort_keys, teardown),
		cmocka_unit_test_teardown(test_detail, teardown),
		cmocka_unit_test_teardown(test_detail_created_by_and_states, teardown),
		cmocka_unit_test_teardown(test_labels_apart, teardown),
		cmocka_unit_test_teardown(test_detail_runtime_frames, teardown),
		cmocka_unit_test_teardown(test_pause, teardown),
		cmocka_unit_test_teardown(test_filter, teardown),
		cmocka_unit_test_teardown(test_too_small, teardown),
		cmocka_unit_test_teardown(test_escaping_and_truncation, teardown),
		cmocka_unit_test_teardown(test_growing_mark, teardown),
		cmocka_unit_test_teardown(test_heap_pane, teardown),
		cmocka_unit_test_teardown(test_heap_rates, teardown),
		cmocka_unit_test_teardown(test_leaked_column, teardown),
		cmocka_unit_test_teardown(test_growth_link, teardown),
		cmocka_unit_test_teardown(test_contention_pane, teardown),
		cmocka_unit_test_teardown(test_cpu_pane, teardown),
		cmocka_unit_test_teardown(test_stale_header, teardown),
		cmocka_unit_test_teardown(test_help_lists_every_key, teardown),
		cmocka_unit_test_teardown(test_actions, teardown),
		cmocka_unit_test_teardown(test_color, teardown),
		cmocka_unit_test_teardown(test_wide, teardown),
		cmocka_unit_test_teardown(test_report, teardown),
		cmocka_unit_test_teardown(test_restart, teardown),
		cmocka_unit_test_teardown(test_help_endpoints, teardown),
		cmocka_unit_test_teardown(test_keymap, teardown),
		cmocka_unit_test_teardown(test_targets, teardown),
		cmocka_unit_test_teardown(test_tree, teardown),
		cmocka_unit_test_teardown(test_tree_follows_node, teardown),
		cmocka_unit_test_teardown(test_tree_heap_contention, teardown),
		cmocka_unit_test_teardown(test_tree_growing, teardown),
		cmocka_unit_test_teardown(test_tree_untouched, teardown),
	};

	setlocale(LC_ALL, "");
	if (getenv("PPROFTOP_RENDER_ONLY") != NULL)
		cmocka_set_test_filter(getenv("PPROFTOP_RENDER_ONLY"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
