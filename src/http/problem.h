/* The one place where results become HTTP statuses. */
#ifndef MC_PROBLEM_H
#define MC_PROBLEM_H

#include "core/result.h"

int problem_status(mc_rc rc);
const char *problem_title(mc_rc rc);
/* Default machine code when a failing function set none. */
const char *problem_default_code(mc_rc rc);

#endif
