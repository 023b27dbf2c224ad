/* cost.c - the cost of a request to the service, and the cheaper form
 * (see cost.h). */
#include "pproftop/cost.h"

double
cost_service_s(double total_s, double pretransfer_s, double handshake_s, double *rtt_s)
{
	double pre = pretransfer_s > 0 ? pretransfer_s : 0;

	if (handshake_s > 0 && (*rtt_s < 0 || handshake_s < *rtt_s))
		*rtt_s = handshake_s;
	double s = total_s - pre - (*rtt_s > 0 ? *rtt_s : 0);
	return (s > 0 ? s : 0) + COST_REQUEST_S;
}

enum ep_form
cost_first_form(const struct ep_info *info, int64_t count)
{
	if (info->query[FORM_PROTO] == NULL)
		return FORM_TEXT;
	if (info->query[FORM_TEXT] == NULL)
		return FORM_PROTO;
	return count > COST_TEXT_GOROUTINES ? FORM_PROTO : FORM_TEXT;
}

enum ep_form
cost_choose(const struct ep_info *info, enum ep_form cur, size_t text_bytes)
{
	if (info->query[FORM_PROTO] == NULL)
		return FORM_TEXT;
	if (info->query[FORM_TEXT] == NULL)
		return FORM_PROTO;
	if (cur == FORM_TEXT)
		return text_bytes > COST_TEXT_MAX ? FORM_PROTO : FORM_TEXT;
	return text_bytes < COST_TEXT_BACK ? FORM_TEXT : FORM_PROTO;
}
