/* cost.h - what one of our requests costs the service, and which form of
 * an endpoint costs it less.
 *
 * Pure: numbers in, numbers out. Measured on Debian's Prometheus and on the
 * demo with 100,000 goroutines (docs/cost.md): a protobuf response costs the
 * service a gzip writer of about 1.2 MiB whatever its size, while the
 * debug=1 text costs about what it weighs; so the text is fetched while it
 * stays under COST_TEXT_MAX and the protobuf once it would be larger (20,000
 * distinct stacks make a 50 MB goroutine?debug=1). While the protobuf is
 * fetched, the size the text would have is estimated from the stacks the
 * protobuf brought (snapshot_text_size), so the choice is checked again on
 * every fetch without fetching both.
 */
#ifndef PPROFTOP_COST_H
#define PPROFTOP_COST_H

#include <stddef.h>
#include <stdint.h>

#include "pproftop/model.h"

#define COST_TEXT_MAX ((size_t)1 << 20)    /* a bigger text: fetch the protobuf */
#define COST_TEXT_BACK ((size_t)512 << 10) /* the protobuf's text would be smaller: text again */
/* What a request costs the service besides what its latency shows (HTTP
 * handling around the handler, collecting the garbage it made): Debian's
 * Prometheus and Caddy spent 1.5-1.7x the latency-based estimate,
 * about 1.5 ms more a request at -i 0.5 (docs/cost.md) */
#define COST_REQUEST_S 0.001
#define COST_TEXT_GOROUTINES 10000 /* records: more, and the first fetch is the protobuf */

/* cost_service_s: the seconds a fetch kept the service busy, estimated
 * from libcurl's times: the whole transfer minus what happened before the
 * request went out (pretransfer_s: connecting, TLS) minus one round trip.
 * *rtt_s (< 0 unknown) is the quickest TCP handshake seen so far (a round
 * trip with no work in the service), updated here from handshake_s when
 * this fetch connected (> 0); plus COST_REQUEST_S. It includes sending the
 * body. Never negative. */
double cost_service_s(double total_s, double pretransfer_s, double handshake_s, double *rtt_s);

/* cost_first_form: the form of an endpoint's first fetch, from the record
 * count the index shows (< 0 unknown): above COST_TEXT_GOROUTINES records
 * (goroutines, for the goroutine profile) the protobuf, whose text would
 * likely be too big (a 100,000-goroutine service's is 46 MB), else the
 * text. */
enum ep_form cost_first_form(const struct ep_info *info, int64_t count);

/* cost_choose: the form the next fetch of an endpoint should ask for,
 * after a fetch in form cur whose text form has (or would have) text_bytes.
 * An endpoint with a single form always gets it. */
enum ep_form cost_choose(const struct ep_info *info, enum ep_form cur, size_t text_bytes);

#endif
