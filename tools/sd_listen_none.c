/*
 * sd_listen_none.c: the two libsystemd calls Debian's static libdbus-1.a
 * makes, for `make static` (Debian ships libsystemd only as a .so).
 * libdbus calls them only when a D-Bus *server* is started by systemd
 * socket activation; gw502tui is at most a D-Bus client (libpcap's
 * dbus-system/dbus-session capture), so no socket is ever passed: the
 * answers systemd's own library gives a process it did not activate.
 */
#include <errno.h>

int sd_listen_fds(int unset_environment);
int sd_is_socket(int fd, int family, int type, int listening);

int
sd_listen_fds(int unset_environment)
{
	(void)unset_environment;
	return 0;	/* no sockets passed */
}

int
sd_is_socket(int fd, int family, int type, int listening)
{
	(void)family;
	(void)type;
	(void)listening;
	return fd < 0 ? -EBADF : 0;	/* never asked: no socket was passed */
}
