/* clock.h: the two clocks the program reads, in nanoseconds. */
#ifndef GW_CLOCK_H
#define GW_CLOCK_H

#include <stdint.h>

/* For intervals and cadences: never jumps. */
int64_t clock_mono_ns(void);
/* The clock packets are stamped with (live capture). */
int64_t clock_wall_ns(void);

#endif
