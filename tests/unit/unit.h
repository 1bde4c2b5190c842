/* Common includes for cmocka unit tests. */
#ifndef MC_UNIT_H
#define MC_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#endif
