/* ui.h - the full-screen terminal dashboard (ncursesw).
 *
 * The UI draws a struct model through a struct view and turns keys into
 * actions; it never polls, never touches the event loop and never writes a
 * file (except ui_report's stream). The app owns the loop: it calls
 * ui_model_changed() when data arrived (or when time passed, so that ages
 * move), ui_key() for every key read with wgetch(), and ui_draw() once per
 * loop pass when ui_dirty() says so.
 *
 * Screen, top to bottom: a header (target, age and latency of the last good
 * poll, STALE with the reason when the last poll failed, PAUSED), one or two
 * rows of meters with sparklines, a tab bar (1 Goroutines, 2 Heap,
 * 3 Contention), the selected pane (a sortable, filterable table of groups,
 * or the detail of one group) and a status line (message, filter prompt,
 * key hints).
 *
 * Pause: the UI freezes its view itself (view_freeze) and keeps showing it
 * until resumed; the model keeps moving underneath and the header still
 * shows the live poll state. Selection and the detail pane follow a group
 * by id, never by row index.
 *
 * Memory: the UI holds references on the snapshots its rows point to, so
 * the model may move on (model_ingest) at any time between calls.
 */
#ifndef PPROFTOP_UI_H
#define PPROFTOP_UI_H

#include <stdbool.h>
#include <stdio.h>

#include "pproftop/keymap.h"
#include "pproftop/model.h"


/* What the header shows besides the model. Strings are borrowed for the
 * duration of ui_draw only. */
struct ui_status {
	const char *target;  /* as displayed (no credentials) */
	double now;          /* poll clock, seconds (same clock as model times) */
	double interval;     /* seconds between polls */
	const char *message; /* one-line status (snapshot path, error); may be NULL */
	bool insecure;       /* show "TLS NOT VERIFIED" */
	const char *mode;    /* NULL when live, else e.g. a saved snapshot's path */
	double poll_latency; /* seconds the last complete poll took; 0 unknown */
	bool polling;        /* a poll is in flight */
	unsigned failures;   /* consecutive polls that could not reach the target */
	const unsigned
	    *every;     /* EP_COUNT entries: fetched every k-th poll (0, 1: every); may be NULL */
	double stretch; /* polls are this many intervals apart (the allocation budget) */
	double share;   /* the budget's share (sched_config.share) */
	double
	    cpu_load; /* what our requests cost the service, a share of a core (sched_cpu_load) */
	/* several targets (NULL with one): after the target, e.g. "3 targets,
	 * 1 down, worst 120 ms"; and the first down target's line, shown on
	 * the status line when there is no message */
	const char *targets;
	const char *down;
	/* while a CPU window runs, "CPU profiling on (5 s windows)"
	 * (cpulane_status); NULL when none does */
	const char *cpu_profiling;
};

struct ui;

/* ui_new: a dashboard. init_terminal: set up curses on the controlling
 * terminal (initscr, cbreak, noecho, nodelay, keypad, short ESCDELAY);
 * false: the caller (a test) already made the current SCREEN with newterm.
 * color is also forced off when NO_COLOR is set and not empty; without
 * color only bold, reverse, dim and underline are used. UTF-8 sparklines and
 * marks are used only when nl_langinfo(CODESET) is UTF-8 (call setlocale
 * first). Returns NULL when the terminal cannot be initialized. */
struct ui *ui_new(bool init_terminal, bool color);

/* ui_free: releases the UI (and the frozen view, if paused). end_terminal:
 * endwin() too. NULL is fine. */
void ui_free(struct ui *ui, bool end_terminal);

/* ui_set_model: the model to show; the view follows it live unless paused.
 * m must outlive the UI (or the next ui_set_model). */
void ui_set_model(struct ui *ui, const struct model *m);

/* ui_set_targets: several targets: each one's name (n of them, in the
 * merged snapshots' order) and whether it is down (down[i], read at each
 * draw), for the "by target" section of a merged group's detail. Both
 * arrays are borrowed and must outlive the UI (or the next call); n = 0
 * (one target) turns the section off. */
void ui_set_targets(struct ui *ui, const char *const *names, const bool *down, size_t n);

/* ui_model_changed: new data arrived or time passed. Marks the screen
 * dirty; the panes' content is rebuilt (at the next draw) only when a
 * snapshot changed and the view is not paused. */
void ui_model_changed(struct ui *ui);

/* ui_key: one key as returned by wgetch (characters, KEY_* codes,
 * KEY_RESIZE). Returns the action the app carries out (KA_QUIT,
 * KA_POLL_NOW, KA_SNAPSHOT, KA_BASELINE, KA_FASTER, KA_SLOWER, KA_DUMP,
 * KA_LEAKCHECK, KA_TARGET), or KA_NONE when the UI handled the key itself (or it is
 * bound to nothing). */
enum km_action ui_key(struct ui *ui, int ch);

/* ui_dirty: something needs drawing. */
bool ui_dirty(const struct ui *ui);

/* ui_draw: draws the header always and the body when dirty, then one
 * doupdate(). st may be NULL (nothing known about the poll). */
void ui_draw(struct ui *ui, const struct ui_status *st);

/* ui_shows: the current pane's rows come from endpoint e (EP_CPU: the CPU
 * pane is shown, so CPU windows should run: poller_set_cpu_shown). */
bool ui_shows(const struct ui *ui, enum ep_id e);

/* ui_paused: the view is frozen. */
bool ui_paused(const struct ui *ui);

/* ui_resize: the terminal size changed (after resizeterm): re-layout, mark
 * everything dirty and have the next refresh repaint the whole screen (the
 * terminal's contents after a resize are not curses' last picture). */
void ui_resize(struct ui *ui);

/* ui_report: a plain-text rendering of every pane (all rows, ignoring the
 * filter, names never truncated, control bytes escaped) plus the meters,
 * for a snapshot's report.txt. Uses the view as currently shown (frozen
 * when paused). */
void ui_report(struct ui *ui, FILE *out);

#endif
