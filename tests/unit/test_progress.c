/*
 * test_progress.c: a load's progress (capture/progress.c): the numbers
 * (percent, frames per second, time left), their line, and the terminal
 * line: nothing before half a second, nothing on what is not a terminal,
 * redrawn in place within the width, erased at the end (read back through
 * a pseudo-terminal).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/progress.h"

#define S 1000000000LL

static void
test_numbers(void **state)
{
	struct progress p;
	char line[200];

	(void)state;
	progress_init(&p, 10 * S);
	progress_update(&p, 25000000, 100000000, 500000, 12 * S);
	assert_int_equal(p.percent, 25);
	assert_true(p.frames_per_s > 249999 && p.frames_per_s < 250001);
	assert_true(p.left_s > 5.99 && p.left_s < 6.01);	/* 2 s per 25 % */
	progress_format(&p, line, sizeof line);
	assert_string_equal(line, "25%, 25.0 MB of 100.0 MB, 250 k frames/s, "
	    "6 s left");
	/* a stream: no size, so no share and no time left */
	progress_update(&p, 2500000, 0, 4000000, 12 * S);
	assert_int_equal(p.percent, 0);
	assert_true(p.left_s < 0);
	progress_format(&p, line, sizeof line);
	assert_string_equal(line, "2.5 MB, 2.0 M frames/s");
}

/* Everything the terminal received so far (the master side). */
static const char *
received(int master)
{
	static char buf[1024];
	ssize_t n = read(master, buf, sizeof buf - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void
test_terminal_line(void **state)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 30 };
	struct progress_line l;
	struct progress p;
	int master, slave;

	(void)state;
	master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	assert_true(slave >= 0);
	assert_int_equal(ioctl(slave, TIOCSWINSZ, &ws), 0);
	/* the line has no \n for the terminal to turn into \r\n */
	assert_int_equal(fcntl(master, F_SETFL, O_NONBLOCK), 0);

	progress_line_init(&l, slave);
	progress_init(&p, 0);
	progress_update(&p, 1000, 4000, 10, S / 4);
	progress_line_draw(&l, &p, S / 4);		/* too early */
	assert_string_equal(received(master), "");
	progress_line_clear(&l);			/* nothing shown */
	assert_string_equal(received(master), "");
	progress_update(&p, 2000, 4000, 20, S);
	progress_line_draw(&l, &p, S);
	/* cut to 29 columns after the \r, then erase to the end */
	assert_string_equal(received(master),
	    "\rgw502tui: loading 50%, 2.0 KB\033[K");
	progress_line_draw(&l, &p, S + S / 20);	/* within 100 ms: not again */
	assert_string_equal(received(master), "");
	progress_line_clear(&l);
	assert_string_equal(received(master), "\r\033[K");
	close(slave);
	close(master);
}

static void
test_not_a_terminal(void **state)
{
	struct progress_line l;
	struct progress p;
	int fd[2];
	char c;

	(void)state;
	assert_int_equal(pipe(fd), 0);
	progress_line_init(&l, fd[1]);
	progress_init(&p, 0);
	progress_update(&p, 2000, 4000, 20, 5 * S);
	progress_line_draw(&l, &p, 5 * S);
	progress_line_clear(&l);
	close(fd[1]);
	assert_int_equal(read(fd[0], &c, 1), 0);	/* nothing written */
	close(fd[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_terminal_line),
		cmocka_unit_test(test_not_a_terminal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
