/* Facts every node of a cluster must agree on (cluster_settings). */
#ifndef MC_STORE_CLUSTER_H
#define MC_STORE_CLUSTER_H

#include <stddef.h>

#include "core/result.h"

/* Records `value` under `name` unless a value is there already; either way
 * *stored gets the recorded value (a NUL-terminated copy, cut to len). */
mc_rc store_cluster_setting(const char *name, const char *value, char *stored, size_t len);

#endif
