/* pane.h - internal to the UI: panes as tables of callbacks, the shared
 * table machinery (rows, sort, filter, selection by id) and text helpers.
 *
 * The tabs are the registry in panes.c; a pane sees a struct pane_ctx
 * (the view, the model, attributes, UTF-8 or not, now), never struct ui.
 * A table pane (goroutines, heap, contention) only says which endpoints it
 * depends on, how to build its rows from the view and what its columns and
 * info lines are; pane_table.c sorts, filters, keeps the selection on its
 * group id, draws and writes the report, and pane_tree.c shows the same
 * data as a call tree. The help (pane_help.c) and the detail view
 * (pane_detail.c) are overlay panes with their own draw and key callbacks.
 */
#ifndef PPROFTOP_PANE_H
#define PPROFTOP_PANE_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pproftop/keymap.h"
#include "pproftop/label.h"
#include "pproftop/model.h"
#include "pproftop/text.h"
#include "pproftop/ui.h"

#define PANE_MAX_COLS 6
#define PANE_MAX_INFO 5

#define PANE_MAX 9 /* tabs 1..9 */

/* What else makes a pane rebuild its rows (pane_ops.rebuild_on). */
enum {
	PANE_ON_LINKS = 1, /* the model's growth links changed (model_link_of) */
	PANE_ON_SYMS = 2,  /* the model learned symbol names (the STATE column) */
};

/* row flags besides DIFF_NEW / DIFF_GONE */
enum {
	ROW_GROWING = 0x10, /* the growth verdict (history_verdict) */
	ROW_LINKED = 0x40,  /* grows in the goroutine and the heap pane (model_link_of) */
	ROW_LEAKED = 0x80,  /* goroutineleak proved some of its goroutines leaked */
};

/* How a numeric cell is written. */
enum cell_style {
	CS_PLAIN,  /* fmt_unit */
	CS_SIGNED, /* fmt_signed: "+3", "-1.2 MiB", "0" */
	CS_RATE,   /* fmt_rate: "+1.2 MiB/s" */
};

struct column {
	const char *title;       /* UTF-8 title */
	const char *ascii_title; /* title for non-UTF-8 terminals */
	int width;
	const char *unit; /* value_type unit: "count", "bytes", "nanoseconds" */
	enum cell_style style;
	int min_screen; /* hidden on screens narrower than this (0: always shown) */
	bool optional;  /* hidden while no row knows it */
};

struct row {
	uint64_t id;
	const struct group *g;       /* the group now, or its last known state when gone */
	const struct snapshot *snap; /* the snapshot g belongs to */
	enum ep_id ep;
	unsigned flags; /* DIFF_NEW, DIFF_GONE, ROW_* */
	char tag;       /* 'B' / 'M' in the contention pane, else 0 */
	double v[PANE_MAX_COLS];
	unsigned known;    /* bit c: v[c] is known (else shown as "-") */
	double slope;      /* growth per second when ROW_GROWING (the verdict's unit) */
	uint32_t apart;    /* label_apart: the frame that tells it from a same-label row */
	const char *state; /* has_state panes: label_state ("" unknown) */
	int label_w;       /* columns of label_text, and with " file:line" */
	int label_loc_w;
	int64_t leaked; /* goroutines proven leaked (ROW_LEAKED) */
};

/* Text attributes by role; filled by ui.c for color or monochrome. */
enum ui_role {
	R_NORMAL,
	R_HEADER,
	R_TITLE,
	R_STALE,
	R_PAUSED,
	R_WARN,
	R_TAB,
	R_TAB_ACTIVE,
	R_COLHDR,
	R_SORTED,
	R_SELECTED,
	R_NEW,
	R_GONE,
	R_GROWING,
	R_SPARK,
	R_DIM,
	R_INFO,
	R_LABEL_FRAME,
	R_COUNT
};

struct pane;
struct detail;

/* What a pane sees of the UI: the data, how to draw, and the little it may
 * change (the detail it opens). ui.c owns it and keeps it current; panes
 * never see struct ui. */
struct pane_ctx {
	const struct model *m;   /* NULL before ui_set_model */
	const struct view *view; /* what is shown: live, or frozen while paused */
	const int *attr;         /* text attributes by enum ui_role */
	bool utf8;               /* the terminal shows UTF-8 */
	double now;              /* poll clock at the last draw */
	int lines, cols;         /* the screen */
	int body_h;              /* rows of the pane's area */
	const regex_t *re;       /* the filter, NULL when none */
	const char *filter;      /* its text ("" when none) */
	int cur;                 /* index of the current pane */
	/* the scheduler at the last draw (ui_status): the help's endpoint
	 * table and the panes' "fetched every k polls" notes */
	const unsigned *every; /* EP_COUNT entries */
	double stretch, share, interval, cpu_load;
	struct detail *detail; /* the detail view's state: Enter opens it */
	/* several targets (ui_set_targets; borrowed), else ntargets 0: the
	 * detail's "by target" section */
	const char *const *target_names;
	const bool *target_down;
	size_t ntargets;
};

/* A pane: a row of the registry (panes.c). A table pane gives its columns
 * and the rows, info and trend callbacks, and pane_table.c does the rest;
 * a pane with a draw callback draws itself. */
struct pane_ops {
	const char *name; /* tab title */
	/* the endpoints its rows come from: it is rebuilt when one of their
	 * snapshots changes (and on rebuild_on's events) */
	const enum ep_id *eps;
	int neps;
	unsigned rebuild_on; /* PANE_ON_* */
	/* optional: draws the pane into rows [y, y + h) instead of the table */
	void (*draw)(const struct pane_ctx *cx, struct pane *p, int y, int h);
	/* optional: a key, before the table's; true when handled */
	bool (*key)(const struct pane_ctx *cx, struct pane *p, enum km_action a);
	/* table panes */
	const struct column *cols;
	int ncols;
	int default_sort; /* column index; ncols = by name */
	int tiebreak;     /* column that orders equal rows before the name */
	bool has_tag;     /* a one-letter kind column (B/M) */
	bool has_state;   /* a STATE column: row->state (why goroutines wait) */
	/* rebuild p->rows from ui->view (p->nrows reset by the caller) */
	void (*rows)(const struct pane_ctx *cx, struct pane *p);
	/* fill p->info with up to PANE_MAX_INFO lines (may be empty) */
	void (*info)(const struct pane_ctx *cx, struct pane *p);
	/* the series for the trend column, oldest first; returns how many */
	size_t (*trend)(const struct pane_ctx *cx, const struct row *r, double *out, size_t max);
	const char *slope_unit; /* rows carry growth verdicts in this unit (NULL: none) */
	/* the call tree (pane_tree.c): of these endpoints' profiles (tagged
	 * with tree_tags[i] when has_tag), showing the value tree_value, and
	 * for each table column the tree column (enum tree_col) sorting alike */
	const enum ep_id *tree_eps;
	int ntree_eps;
	const char *tree_tags;
	const char *tree_value;
	const int *tree_sort;
};

/* The call tree's columns: the value of ops->tree_value cumulative, flat,
 * and its change since the last poll and since the baseline; TC_NCOLS sorts
 * by function. */
enum tree_col { TC_CUM, TC_FLAT, TC_DPOLL, TC_DBASE, TC_NCOLS };

struct ptree; /* pane_tree.c */

struct pane {
	const struct pane_ops *ops;
	int index;        /* in the registry: its tab is index + 1 */
	struct row *rows; /* every row, sorted */
	size_t nrows, caprows;
	size_t *vis; /* indices of the shown rows (the filter) in order */
	size_t nvis, capvis;
	size_t nlive;        /* shown rows of groups in the current data (the tab's count) */
	size_t nempty;       /* groups not made rows: nothing to show (ops->rows) */
	unsigned known_cols; /* union of the rows' known bits */
	int sort;            /* column index, ops->ncols = name */
	bool has_sel;
	bool moved; /* the user moved the selection: it follows its group; until
	             * then (and after Home) it stays on the top row */
	uint64_t sel_id;
	enum ep_id sel_ep;
	size_t sel; /* index into vis */
	size_t top; /* first shown index into vis */
	int page;   /* rows shown by the last draw */
	char info[PANE_MAX_INFO][512];
	int ninfo;
	int info_role[PANE_MAX_INFO];
	struct ptree *tree; /* the call tree, NULL until first shown */
	bool alt;           /* the pane's other table (the CPU pane's functions; ops->key) */
	/* a snapshot the rows point into that the pane made itself (the CPU
	 * pane's functions), or NULL; released by the next rebuild */
	struct snapshot *own;
};

/* The detail of one group (Enter on a row). */
struct detail {
	bool active;
	int from; /* the pane it was opened from */
	enum ep_id ep;
	uint64_t id;
	struct snapshot *snap; /* reference that keeps g alive */
	const struct group *g; /* last known state */
	bool gone;
	double gone_since; /* poll clock of the first poll without it */
	uint32_t apart;    /* the row's label_apart frame (LABEL_NONE: none) */
	int top;           /* scroll offset in lines */
	/* the stacks under a call tree node (detail_open_groups), else 0 */
	uint64_t *ids;
	size_t nids;
	char title[256];
	int nlines; /* lines of the last layout (for scrolling) */
};


/* ---- ui.c: text helpers ---- */

/* Text is escaped and fitted by the core (text.h: text_fit, text_width,
 * text_write). */

/* ui_spark: a sparkline of the last width values, right-aligned (padded
 * with spaces on the left), scaled between their min and max. out must hold
 * 3 * width + 1 bytes. */
void ui_spark(const double *v, size_t n, int width, bool utf8, char *out, size_t outlen);

/* ui_put: writes s at (y, x) with attributes attr, escaped (text_fit) and
 * fitted to maxw columns and to the screen; returns the columns written. */
int ui_put(const struct pane_ctx *cx, int y, int x, int maxw, int attr, const char *s);

/* ui_fill: blanks columns [x, x + w) of row y with attr. */
void ui_fill(const struct pane_ctx *cx, int y, int x, int w, int attr);


/* ui_put_label: label_text (apart: label_apart's frame, or LABEL_NONE) and
 * "basename:line" of g's label frame at (y, x) in at most width columns;
 * the location (in locattr) only when both fit (the label comes first),
 * or when the label is cut anyway and the location is short. Returns the
 * columns used. */
int ui_put_label(const struct pane_ctx *cx, int y, int x, int width, int attr, int locattr,
                 const struct group *g, uint32_t apart);

/* ui_label_fn: the label frame's function without its import path
 * (label_short; "" without frames). */
const char *ui_label_fn(const struct group *g);

/* ---- pane_table.c ---- */

/* table_reserve: room for n more rows (exactly that; table_add grows by
 * doubling past it). Rows returned by table_add before stay valid only
 * until this call. */
void table_reserve(struct pane *p, size_t n);
/* table_add: appends a zeroed row and returns it. */
struct row *table_add(struct pane *p);

/* table_rebuild: rows via ops->rows, then sort, filter and reselect. */
void table_rebuild(const struct pane_ctx *cx, struct pane *p);

/* table_refilter: sort + filter + reselect without rebuilding rows. */
void table_refilter(const struct pane_ctx *cx, struct pane *p);

/* table_selected: the selected row, or NULL. */
const struct row *table_selected(const struct pane *p);

/* table_key: navigation and sort keys; returns true when handled. */
bool table_key(const struct pane_ctx *cx, struct pane *p, enum km_action a);

/* table_draw: the pane into rows [y, y + h) of the screen. */
void table_draw(const struct pane_ctx *cx, struct pane *p, int y, int h);

/* table_report: all rows as text. */
void table_report(const struct pane_ctx *cx, struct pane *p, FILE *out);

/* table_sort_name: title of the sort column. */
const char *table_sort_name(const struct pane_ctx *cx, const struct pane *p);

void table_free(struct pane *p);

/* table_trend_history: the trend column from the row's endpoint history
 * (ops->trend of the table panes). */
size_t table_trend_history(const struct pane_ctx *cx, const struct row *r, double *out, size_t max);

/* table_mark_verdict: sets ROW_GROWING (with r->slope), ROW_LINKED and
 * ROW_LEAKED on r from the view's history of r->ep and the model. */
void table_mark_verdict(const struct pane_ctx *cx, struct row *r);

/* table_mark_text: the mark of a row (▲ +slope, ✖, + new, - gone) and its
 * role; buf holds the text when it is not a constant. */
const char *table_mark_text(const struct pane_ctx *cx, const struct pane *p, const struct row *r,
                            int *role, char *buf, size_t len);

/* pane_nav: where movement key a takes the selection sel among n rows, a
 * page being page rows (*to may be past the end: the caller clamps); false
 * when a is not a movement key. */
bool pane_nav(enum km_action a, size_t sel, size_t n, size_t page, size_t *to);

/* helpers for the pane files */
void pane_add_info(struct pane *p, enum ui_role r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* pane_add_verdicts: info lines on the growth verdicts of p's rows (of
 * endpoint e, slopes in unit), proven leaks, growth links, and a restart
 * of the target (rows still the old process's, or the baseline reset). */
void pane_add_verdicts(const struct pane_ctx *cx, struct pane *p, enum ep_id e, const char *unit);
/* pane_no_data: info lines for an endpoint without data; true when there
 * is nothing to show. */
bool pane_no_data(const struct pane_ctx *cx, struct pane *p, enum ep_id e, const char *what);

/* ---- the panes (panes.c: the registry) ---- */

extern const struct pane_ops pane_goroutines_ops;
extern const struct pane_ops pane_heap_ops;
extern const struct pane_ops pane_contention_ops;
extern const struct pane_ops pane_cpu_ops;

/* The overlays: panes too, drawn over the tab's pane, not in the registry.
 * An overlay's key callback returning false closes it. */
extern const struct pane_ops pane_help_ops;   /* pane_help.c: ? */
extern const struct pane_ops pane_detail_ops; /* pane_detail.c: Enter */

/* pane_registry: the tabs in order (tab i + 1 is entry i), *n of them
 * (at most PANE_MAX). */
const struct pane_ops *const *pane_registry(int *n);

/* ---- pane_tree.c: the call tree of a table pane ---- */

/* tree_shown: p shows its call tree instead of its table. */
bool tree_shown(const struct pane *p);

/* tree_toggle: table <-> call tree (built from the view when needed). */
void tree_toggle(const struct pane_ctx *cx, struct pane *p);

/* tree_sync: the view changed, or p became the current pane: rebuilds the
 * trees whose snapshots changed (only while shown: in tree mode in the
 * current pane; a hidden tree is dropped instead) and feeds the node
 * histories a new point. Called by table_rebuild and on a pane switch. */
void tree_sync(const struct pane_ctx *cx, struct pane *p);

/* tree_refilter: the filter or the sort changed. */
void tree_refilter(const struct pane_ctx *cx, struct pane *p);

/* tree_filter_applied: a new filter (not empty): also opens the paths down
 * to the nodes it matches. */
void tree_filter_applied(const struct pane_ctx *cx, struct pane *p);

/* tree_key: a key while the tree is shown; true when handled. */
bool tree_key(const struct pane_ctx *cx, struct pane *p, enum km_action a);

/* tree_draw: the tree into rows [y, y + h). */
void tree_draw(const struct pane_ctx *cx, struct pane *p, int y, int h);

/* tree_header: "tree top-down  sort: CUM  focus: main.f" for the tab bar. */
void tree_header(const struct pane_ctx *cx, const struct pane *p, char *buf, size_t len);

/* tree_report: the shown tree's visible rows as text (p must be the
 * current pane). */
void tree_report(const struct pane_ctx *cx, struct pane *p, FILE *out);

/* tree_release: frees p's tree. */
void tree_release(struct pane *p);

/* pane_detail.c */
void detail_open(const struct pane_ctx *cx, int from, const struct row *r);
/* detail_open_groups: the detail of the stacks groups[0..n) of s (indexes,
 * heaviest first) under a call tree node named title. */
void detail_open_groups(const struct pane_ctx *cx, int from, enum ep_id ep,
                        const struct snapshot *s, const size_t *groups, size_t n,
                        const char *title);
void detail_close(const struct pane_ctx *cx);
/* detail_refresh: re-find the group in the (new) view. */
void detail_refresh(const struct pane_ctx *cx);
void detail_draw(const struct pane_ctx *cx, int y, int h);
/* detail_key: true when handled. */
bool detail_key(const struct pane_ctx *cx, enum km_action a);
void detail_report(const struct pane_ctx *cx, FILE *out);

#endif
