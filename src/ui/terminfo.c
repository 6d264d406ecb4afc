/*
 * terminfo.c: is $TERM a terminal type terminfo knows? Asked before
 * newterm(), which on an unknown type leaks the screen it began (ncurses'
 * new_prescr, reported by LeakSanitizer); setupterm() frees what it made.
 * Apart from ui.c because <term.h> defines macros such as `lines`.
 */
#include <unistd.h>

#include "ui_int.h"	/* first: <term.h>'s macros would rename its fields */

#include <term.h>

bool
ui_terminfo_known(void)
{
	int term_err = 0;

	if (setupterm(NULL, STDOUT_FILENO, &term_err) != OK)
		return false;
	del_curterm(cur_term);	/* newterm() loads its own */
	return true;
}
