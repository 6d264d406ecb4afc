/*
 * main.c: the command line of DESIGN §3. Parses options (config file
 * first, then the command line, which wins) and hands over to the TUI, the
 * headless report or the export.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alog/alog.h"
#include "capture/export.h"
#include "capture/live.h"
#include "capture/pipe.h"
#include "capture/progress.h"
#include "capture/ring.h"
#include "engine.h"
#include "filter/dfilter.h"
#include "headless.h"
#include "peer/peer.h"
#include "report/report.h"
#include "ui/theme.h"
#include "ui/ui.h"
#include "util/clock.h"
#include "util/config.h"

#define LOAD_SLICE 65536	/* frames read between diagnoses */
/* an error line: a path up to PATH_MAX and the reason after it */
#define ERR_LEN (PATH_MAX + 512)

enum mode { MODE_TUI, MODE_REPORT_TEXT, MODE_REPORT_JSON, MODE_EXPORT,
	MODE_FRAMES, MODE_EXPORT_FRAMES };

#define MAX_RANGES 256	/* --export-frames A-B,C-D … */
#define THEMES_LISTED 256	/* --list-themes */

struct cli {
	enum mode mode;
	const char *path;
	const char *out;
	const char *theme;
	char config_theme[CONFIG_THEME_LEN];	/* the config file's theme */
	bool no_mouse;			/* the config's "mouse: false" */
	const char *config;
	uint32_t export_id;
	bool force;
	struct report_opts ropts;
	struct engine_opts eo;
	struct live_opts lo;	/* lo.iface set: live capture */
	const char *user;	/* -Z */
	double duration_s;
	bool follow;
	const char *yfilter;	/* -Y display filter */
	size_t keep;		/* TUI: successes and errors listed, each */
	bool keep_set;		/* --keep given (else by mode) */
	struct frame_range ranges[MAX_RANGES];
	size_t nranges;
	const char *peer;	/* --peer: the next hop's capture */
	const char *alogs[ALOG_MAX_FILES];	/* --access-log, in order */
	size_t nalogs;
	enum alog_format alog_format;		/* --log-format */
};

static volatile sig_atomic_t stop_flag;

static void
on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

enum {
	OPT_REPORT = 256, OPT_ALL, OPT_STATUS, OPT_TIMEOUT, OPT_EXPORT,
	OPT_FORCE, OPT_CONFIG, OPT_DURATION, OPT_FOLLOW, OPT_MAX_MB, OPT_KEEP,
	OPT_RING, OPT_FRAMES, OPT_EXPORT_FRAMES,
	OPT_PEER, OPT_LIST_THEMES,
	OPT_ACCESS_LOG, OPT_LOG_FORMAT,
	OPT_CONN_BUDGET
};

static const struct option long_opts[] = {
	{ "report", optional_argument, NULL, OPT_REPORT },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "status", required_argument, NULL, OPT_STATUS },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "export", required_argument, NULL, OPT_EXPORT },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "follow", no_argument, NULL, OPT_FOLLOW },
	{ "max-mb", required_argument, NULL, OPT_MAX_MB },
	{ "keep", required_argument, NULL, OPT_KEEP },
	{ "conn-budget", required_argument, NULL, OPT_CONN_BUDGET },
	{ "ring", required_argument, NULL, OPT_RING },
	{ "frames", no_argument, NULL, OPT_FRAMES },
	{ "export-frames", required_argument, NULL, OPT_EXPORT_FRAMES },
	{ "peer", required_argument, NULL, OPT_PEER },
	{ "list-themes", no_argument, NULL, OPT_LIST_THEMES },
	{ "access-log", required_argument, NULL, OPT_ACCESS_LOG },
	{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

#define SHORT_OPTS "r:o:t:p:g:c:i:f:s:w:Z:Y:j:hV"

/*
 * --config's file, found the way getopt_long will parse it (--config F,
 * --config=F, an abbreviation such as --conf F), before the other options
 * so that those override the file. Errors are left to the real parse.
 */
static const char *
config_arg(int argc, char **argv)
{
	const char *path = NULL;
	int c;

	/* "-": operands come back in place, so argv is not permuted */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "-" SHORT_OPTS, long_opts,
	    NULL)) != -1)
		if (c == OPT_CONFIG)
			path = optarg;
	opterr = 1;
	optind = 0;	/* glibc: the next getopt_long starts afresh */
	return path;
}

static void
usage(FILE *out)
{
	fputs(

"usage: gw502tui [options] [FILE]     TUI on a capture file (pcap or pcapng)\n"
"       gw502tui [options] -i IFACE   TUI on a live capture (IFACE 'any' allowed)\n"
"  -r FILE        capture file to read (same as the positional FILE);\n"
"                 - or a FIFO: a pcap/pcapng stream, read as it arrives\n"
"                 like a live capture (ssh gw tcpdump -U -w - | gw502tui -r -)\n"
"  -i IFACE       live capture interface (default 'any' with no FILE)\n"
"  -f 'BPF'       capture filter. A filter on ports drops IP fragments\n"
"                 (only the first carries the ports); keep them with\n"
"                 -f 'port 53 or port 9090 or (ip[6:2] & 0x3fff != 0)'\n"
"  -s SNAPLEN     live snap length (0 = whole packet, the default)\n"
"  -w FILE        live or -r -: keep the capture in FILE (else a private spool\n"
"                 file, removed at exit)\n"
"  -Z USER        live: drop privileges to USER once the capture is open\n"
"                 (default: the user who ran sudo)\n"
"  --max-mb N     live: stop capturing when the spool reaches N MB\n"
"                 (default 1024)\n"
"  --ring N       live: files of --max-mb MB each, the newest N kept\n"
"                 (-w FILE: FILE_00001.pcap … and FILE.ring, which\n"
"                 gw502tui opens as one capture)\n"
"  --keep N       screen: list the newest N successful requests and the\n"
"                 newest N errors, in bounded memory (0: all; default\n"
"                 10000 live, all for a file)\n"
"  --conn-budget N  connections tracked before those that carried no data\n"
"                 and no request needs are evicted (a SYN flood, a scan;\n"
"                 0: never, else at least 1024; default one per 8 KiB of\n"
"                 memory, 16384-65536)\n"
"  --duration SEC with --report -i: capture this long (each diagnosis is\n"
"                 written once final, then the summary)\n"
"  --follow       with --report -i or -r -: flush each diagnosis at once\n"
"                 (pipes)\n"
"  -p PORTS       proxy port(s), comma separated (default 9090)\n"
"  -g ADDR        the gateway's address for its upstream traffic (default:\n"
"                 any address but the requesting client's)\n"
"  -c ADDR        only this client\n"
"  --status LIST  codes treated as gateway errors (default 502,503,504)\n"
"  --timeout SEC  upstream timeout assumed by the gateway (default 120)\n"
"  -j 1|2         threads for a file: 1 (the default) reads and decodes it\n"
"                 on the thread that correlates, 2 in a second thread\n"
"  -t THEME       theme name or path to a YAML theme file\n"
"  --list-themes  print the names -t finds, one a line, and exit\n"
"  --config FILE  configuration file (default\n"
"                 $XDG_CONFIG_HOME/gw502tui/config.yaml)\n"
"  --report[=text|json]  no TUI: print the diagnosis of every gateway\n"
"                 error (with --all: every request) and exit\n"
"  --all          with --report: every request, not only the gateway\n"
"                 errors; the screen starts listing them all (key a)\n"
"  --export ID -o OUT.pcap  no TUI: write transaction ID's frame range\n"
"  --force        let --export, --export-frames and -w replace an\n"
"                 existing file\n"
"  -Y FILTER      display filter (Wireshark syntax, doc/filters.md): the\n"
"                 TUI's packet list starts with it; with --report, only\n"
"                 requests one of whose frames it selects: the request,\n"
"                 the answer or an evidence frame (a look-up, a SYN …)\n"
"  --frames       no TUI: print the frames -Y selects (all without -Y),\n"
"                 one line each: No. time source → destination protocol\n"
"                 length info\n"
"  --export-frames A-B[,C-D…] -o OUT.pcap  no TUI: write those frames\n"
"                 (with -Y: those of them it selects)\n"
"  --peer FILE    the next hop's capture, taken at the same time: each\n"
"                 failing request is placed between gateway and destination\n"
"  --access-log LOG  the gateway's access log (repeatable; '-' stdin;\n"
"                 .gz read directly): with a capture and --report, each\n"
"                 request gets its log line and logged 5xx the capture\n"
"                 lacks are listed; with no capture, --report (or the\n"
"                 screen) gives the log's triage (5xx per minute,\n"
"                 failing hosts and clients, the capture command)\n"
"  --log-format NAME  webgateway, squid, clf (combined, nginx, apache,\n"
"                 mitmproxy), haproxy or ats (trafficserver: its squid\n"
"                 format, timed at the request) (default: detected per\n"
"                 line)\n"
"  -h, --help     -V, --version\n"
"Exit status: 0 success, 1 runtime error, 2 usage error.\n", out);
}

/* A whole decimal number from lo to hi, into *v. */
static bool
int_arg(const char *arg, long lo, long hi, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(arg, &end, 10);
	return errno == 0 && end != arg && *end == '\0' && *v >= lo && *v <= hi;
}

static int
usage_error(const char *fmt, const char *arg)
{
	fputs("gw502tui: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (see gw502tui --help)\n", stderr);
	return 2;
}

/* "502,503" → list; false on anything but numbers in [lo,hi]. */
static bool
parse_list(const char *s, uint16_t *out, size_t max, size_t *n, long lo,
    long hi)
{
	char *end;

	*n = 0;
	while (*s) {
		long v;

		errno = 0;
		v = strtol(s, &end, 10);
		if (end == s || errno || v < lo || v > hi || *n >= max ||
		    (*end != ',' && *end != '\0'))
			return false;
		out[(*n)++] = (uint16_t)v;
		s = *end ? end + 1 : end;
	}
	return *n > 0;
}

/* "34-3310,3400" → ranges; false on anything else. */
static bool
parse_ranges(const char *s, struct frame_range *out, size_t max, size_t *n)
{
	char *end;

	*n = 0;
	while (*s) {
		unsigned long long a, b;

		errno = 0;
		a = strtoull(s, &end, 10);
		b = a;
		if (end != s && *end == '-') {
			s = end + 1;
			b = strtoull(s, &end, 10);
		}
		if (end == s || errno || a == 0 || b < a || *n >= max ||
		    (*end != ',' && *end != '\0') || *s == '-')
			return false;
		out[*n].first = a;
		out[(*n)++].last = b;
		s = *end ? end + 1 : end;
	}
	return *n > 0;
}

/* -Y: a syntax error is a usage error, shown with a caret. */
static int
check_filter(struct cli *cl, const char *text)
{
	struct dfilter_error fe;
	struct dfilter *df;
	char msg[1024];

	if (dfilter_blank(text)) {
		cl->yfilter = NULL;
		return 0;
	}
	if ((df = dfilter_compile(text, &fe)) == NULL) {
		dfilter_error_format(text, &fe, 4, msg, sizeof msg);
		fprintf(stderr, "gw502tui: -Y: %s\n", msg);
		return 2;
	}
	dfilter_free(df);
	cl->yfilter = text;
	return 0;
}

/*
 * 0, or the exit status after one line on stderr: 1 for a file that cannot
 * be read (a runtime error, as for a capture), 2 for invalid settings in it
 * (like an invalid option).
 */
static int
apply_config(struct cli *cl)
{
	struct gw_config cfg;
	char err[ERR_LEN];
	int r;

	memset(&cfg, 0, sizeof cfg);
	if ((r = config_load(&cfg, cl->config, err, sizeof err)) != 0) {
		fprintf(stderr, "gw502tui: %s\n", err);
		return r == CONFIG_UNREADABLE ? 1 : 2;
	}
	if (cfg.nproxy_ports) {
		memcpy(cl->eo.proxy_ports, cfg.proxy_ports,
		    sizeof cl->eo.proxy_ports);
		cl->eo.nproxy_ports = cfg.nproxy_ports;
	}
	if (cfg.nstatuses) {
		memcpy(cl->eo.statuses, cfg.statuses, sizeof cl->eo.statuses);
		cl->eo.nstatuses = cfg.nstatuses;
	}
	if (cfg.timeout_s > 0)
		cl->eo.timeout_ns = cfg.timeout_s * 1000000000LL;
	if (cfg.theme[0] && cl->theme == NULL) {
		snprintf(cl->config_theme, sizeof cl->config_theme, "%s",
		    cfg.theme);
		cl->theme = cl->config_theme;
	}
	cl->no_mouse = cfg.mouse_off;
	return 0;
}

static int
parse_opt(struct cli *cl, int c, const char *arg)
{
	char *end;
	long v;

	switch (c) {
	case 'r':
		cl->path = arg;
		break;
	case 'o':
		cl->out = arg;
		break;
	case 't':
		cl->theme = arg;
		break;
	case 'p':
		if (!parse_list(arg, cl->eo.proxy_ports, FLOW_MAX_PROXY_PORTS,
		    &cl->eo.nproxy_ports, 1, 65535))
			return usage_error("-p: not a list of ports: %s", arg);
		break;
	case OPT_STATUS:
		if (!parse_list(arg, cl->eo.statuses, 16, &cl->eo.nstatuses,
		    100, 999))
			return usage_error("--status: not a list of HTTP "
			    "status codes: %s", arg);
		break;
	case 'g':
		if (!addr_parse(arg, &cl->eo.gateway))
			return usage_error("-g: not an IP address: %s", arg);
		break;
	case 'c':
		if (!addr_parse(arg, &cl->ropts.client))
			return usage_error("-c: not an IP address: %s", arg);
		cl->eo.client = cl->ropts.client;
		break;
	case OPT_TIMEOUT:
		if (!int_arg(arg, 1, 86400, &v))
			return usage_error("--timeout: not a number of seconds "
			    "(1-86400): %s", arg);
		cl->eo.timeout_ns = v * 1000000000LL;
		break;
	case OPT_REPORT:
		if (arg == NULL || strcmp(arg, "text") == 0)
			cl->mode = MODE_REPORT_TEXT;
		else if (strcmp(arg, "json") == 0)
			cl->mode = MODE_REPORT_JSON;
		else
			return usage_error("--report: text or json, not %s",
			    arg);
		break;
	case OPT_ALL:
		cl->ropts.all = true;
		break;
	case OPT_PEER:
		cl->peer = arg;
		break;
	case OPT_EXPORT:
		if (!int_arg(arg, 1, UINT32_MAX, &v))
			return usage_error("--export: not a transaction id: %s",
			    arg);
		cl->export_id = (uint32_t)v;
		cl->mode = MODE_EXPORT;
		break;
	case OPT_FORCE:
		cl->force = true;
		cl->lo.force = true;
		break;
	case 'i':
		cl->lo.iface = arg;
		break;
	case 'f':
		cl->lo.filter = arg;
		break;
	case 'w':
		cl->lo.write_path = arg;
		break;
	case 'Z':
		cl->user = arg;
		break;
	case 's':
		if (!int_arg(arg, 0, 262144, &v))
			return usage_error("-s: a snap length from 0 to 262144, "
			    "not %s", arg);
		cl->lo.snaplen = (int)v;
		break;
	case OPT_DURATION:
		errno = 0;
		cl->duration_s = strtod(arg, &end);
		if (errno || *end || !(cl->duration_s > 0) ||
		    cl->duration_s > 31536000)
			return usage_error("--duration: not a number of "
			    "seconds: %s", arg);
		break;
	case OPT_FOLLOW:
		cl->follow = true;
		break;
	case OPT_MAX_MB:
		if (!int_arg(arg, 1, 1048576, &v))
			return usage_error("--max-mb: not a size in MB: %s", arg);
		cl->lo.max_bytes = (uint64_t)v << 20;
		break;
	case OPT_RING:
		if (!int_arg(arg, 2, RING_MAX_FILES, &v))
			return usage_error("--ring: a number of files from 2 to "
			    "1024, not %s", arg);
		cl->lo.ring_files = (unsigned)v;
		break;
	case OPT_KEEP:
		if (!int_arg(arg, 0, 100000000, &v))
			return usage_error("--keep: not a number of requests: "
			    "%s", arg);
		cl->keep = (size_t)v;
		cl->keep_set = true;
		break;
	case OPT_CONN_BUDGET:
		/* each eviction walks the model: not one every few frames */
		if (!int_arg(arg, 0, 100000000, &v) || (v > 0 && v < 1024))
			return usage_error("--conn-budget: 0, or a number of "
			    "connections from 1024: %s", arg);
		cl->eo.conn_budget = (size_t)v;
		cl->eo.conn_budget_set = true;
		break;
	case OPT_CONFIG:
		cl->config = arg;
		break;
	case 'Y':
		return check_filter(cl, arg);
	case 'j':
		if (!int_arg(arg, 1, 2, &v))
			return usage_error("-j: 1 (read on one thread) or 2, "
			    "not %s", arg);
		cl->eo.threads = (unsigned)v;
		break;
	case OPT_FRAMES:
		cl->mode = MODE_FRAMES;
		break;
	case OPT_EXPORT_FRAMES:
		if (!parse_ranges(arg, cl->ranges, MAX_RANGES, &cl->nranges))
			return usage_error("--export-frames: not a list of "
			    "frame ranges (like 34-3310,3400): %s", arg);
		cl->mode = MODE_EXPORT_FRAMES;
		break;
	case OPT_ACCESS_LOG:
		if (cl->nalogs >= ALOG_MAX_FILES)
			return usage_error("--access-log: at most 32 files: %s",
			    arg);
		cl->alogs[cl->nalogs++] = arg;
		break;
	case OPT_LOG_FORMAT:
		if (!alog_format_parse(arg, &cl->alog_format))
			return usage_error("--log-format: webgateway, squid, "
			    "clf, haproxy or ats, not %s", arg);
		break;
	default:
		return usage_error("%s", "unknown option");
	}
	return 0;
}

/* --list-themes: what -t NAME and `t` find (completion asks this). */
static int
list_themes(void)
{
	char names[THEMES_LISTED][THEME_NAME_MAX];
	size_t n, i;

	n = theme_list(names, THEMES_LISTED);
	for (i = 0; i < n; i++)
		printf("%s\n", names[i]);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}

/* How many long options NAME (up to any '=') abbreviates. */
static int
long_matches(const char *name)
{
	size_t len = strcspn(name, "=");
	int n = 0;

	for (const struct option *o = long_opts; o->name; o++)
		n += strncmp(o->name, name, len) == 0;
	return n;
}

/*
 * getopt_long's errors worded as the other usage errors: "gw502tui:"
 * whatever path it was run by, and the hint. c is '?' or ':' (SHORT_OPTS
 * after ':'); optopt and optind as getopt_long left them.
 */
static int
option_error(int c, char **argv)
{
	const char *word = argv[optind - 1];
	char letter[2] = { (char)optopt, '\0' }, opt[64];

	if (c == ':' && optopt < 256)
		return usage_error("option '-%s' requires an argument", letter);
	/* the long option as given, without a value after '=' */
	snprintf(opt, sizeof opt, "%.*s", (int)strcspn(word, "="), word);
	if (c == ':')
		return usage_error("option '%s' requires an argument", opt);
	if (optopt >= 256 || (optopt && strchr(SHORT_OPTS, optopt)))
		return usage_error("option '%s' takes no argument", opt);
	if (optopt)
		return usage_error("invalid option '-%s'", letter);
	if (long_matches(word + 2) > 1)
		return usage_error("option '%s' is ambiguous", opt);
	return usage_error("unrecognized option '%s'", word);
}

static int
parse_args(struct cli *cl, int argc, char **argv)
{
	int c, r;

	opterr = 0;	/* option_error says it */
	while ((c = getopt_long(argc, argv, ":" SHORT_OPTS, long_opts,
	    NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			exit(0);
		}
		if (c == 'V') {
			printf("gw502tui %s\n", GW_VERSION);
			exit(0);
		}
		if (c == OPT_LIST_THEMES)
			exit(list_themes());
		if (c == '?' || c == ':')
			return option_error(c, argv);
		if ((r = parse_opt(cl, c, optarg)) != 0)
			return r;
	}
	if (optind < argc) {
		if (cl->path != NULL || optind + 1 < argc)
			return usage_error("one capture file at a time: %s",
			    argv[optind]);
		cl->path = argv[optind];
	}
	if (cl->path != NULL && cl->lo.iface != NULL)
		return usage_error("a capture file or -i, not both: %s",
		    cl->path);
	/* -r - or a FIFO: read as it arrives, through the live path */
	if (cl->path != NULL && pipe_is_stream(cl->path)) {
		if (cl->lo.filter)
			return usage_error("%s", "-f filters an interface: "
			    "filter a stream where it is captured (tcpdump "
			    "-w - 'FILTER')");
		if (cl->mode != MODE_TUI && cl->mode != MODE_REPORT_TEXT &&
		    cl->mode != MODE_REPORT_JSON)
			return usage_error("%s", "--export, --frames and "
			    "--export-frames read a file: keep the stream "
			    "with -w FILE first");
		if (cl->yfilter && cl->mode != MODE_TUI)
			return usage_error("%s", "-Y with --report reads a "
			    "file: keep the stream with -w FILE first");
		/* the pairing reads the gateway's capture file again */
		if (cl->peer)
			return usage_error("%s", "--peer reads the gateway's "
			    "capture as a file: keep the stream with -w FILE "
			    "first");
		cl->lo.stream = cl->path;
	}
	if (cl->path == NULL && cl->lo.iface == NULL && cl->nalogs == 0)
		cl->lo.iface = "any";	/* DESIGN §3: live on all interfaces */
	if (cl->nalogs && (cl->lo.iface != NULL || cl->lo.stream != NULL ||
	    (cl->mode != MODE_REPORT_TEXT && cl->mode != MODE_REPORT_JSON &&
	    cl->mode != MODE_TUI)))
		return usage_error("%s", "--access-log goes with a capture file "
		    "(the screen or --report; not -i or a stream) or alone");
	if (cl->lo.iface == NULL && cl->lo.stream == NULL &&
	    (cl->lo.write_path || cl->duration_s ||
	    cl->follow || cl->lo.filter || cl->lo.ring_files))
		return usage_error("%s", "-w, -f, --ring, --duration and "
		    "--follow go with -i (or a stream: -r -)");
	if (cl->lo.iface != NULL && cl->mode == MODE_EXPORT)
		return usage_error("%s", "--export reads a file: capture with "
		    "-w FILE first");
	if ((cl->duration_s || cl->follow) && cl->mode == MODE_TUI)
		return usage_error("%s", "--duration and --follow go with "
		    "--report");
	if (cl->keep_set && cl->mode != MODE_TUI)
		return usage_error("%s", "--keep goes with the screen (a "
		    "report lists every request in level memory by itself)");
	if (cl->mode == MODE_EXPORT && cl->out == NULL)
		return usage_error("%s", "--export needs -o OUT.pcap");
	if (cl->mode == MODE_EXPORT_FRAMES && cl->out == NULL)
		return usage_error("%s", "--export-frames needs -o OUT.pcap");
	if (cl->lo.iface != NULL && (cl->mode == MODE_FRAMES ||
	    cl->mode == MODE_EXPORT_FRAMES || (cl->yfilter &&
	    cl->mode != MODE_TUI)))
		return usage_error("%s", "--frames, --export-frames and -Y with "
		    "--report read a file: capture with -w FILE first");
	if (cl->peer && cl->lo.iface != NULL)
		return usage_error("%s", "--peer reads the next hop's capture "
		    "beside a capture file: capture with -w FILE first");
	/* only the screen shows requests whose story is still going on */
	cl->eo.settled_only = cl->mode != MODE_TUI;
	return 0;
}

/*
 * Reads the whole file; warns on a damaged tail but keeps what was read.
 * With rs, the report is written (and the model trimmed) as it goes.
 */
static int
load(struct engine *e, const struct cli *cl, struct report_stream *rs)
{
	/* a report's progress on a terminal's stderr (a long load only) */
	bool tty_out = isatty(STDOUT_FILENO);
	struct progress_line pl;
	struct progress pg;
	char err[ERR_LEN];

	progress_init(&pg, clock_mono_ns());
	progress_line_init(&pl, rs ? STDERR_FILENO : -1);
	if (engine_open(e, cl->path, &cl->eo, err, sizeof err) != 0) {
		fprintf(stderr, "gw502tui: %s\n", err);
		return 1;
	}
	if (cl->peer && peer_load(e, cl->peer) != 0) {
		engine_close(e);
		return 1;
	}
	/* diagnosing slice by slice keeps each look-up near its window */
	while (engine_step(e, LOAD_SLICE) == 1) {
		engine_diagnose(e);
		if (rs && tty_out)
			progress_line_clear(&pl);	/* the report's lines */
		if (rs)
			report_stream_step(rs, e);
		if (tty_out)
			fflush(stdout);
		progress_update(&pg, engine_pos(e), capfile_size(e->cap),
		    e->flow.stats.frames, clock_mono_ns());
		progress_line_draw(&pl, &pg, clock_mono_ns());
	}
	progress_line_clear(&pl);
	engine_diagnose(e);
	if (rs)
		report_stream_end(rs, e);
	if (e->damaged)
		fprintf(stderr, "gw502tui: warning: %s (the report covers the "
		    "%" PRIu64 " frames before it)\n", e->error,
		    e->flow.stats.frames);
	/* an export's only line on stderr is its result */
	engine_notice(e, err, sizeof err);
	if (err[0] && cl->mode != MODE_EXPORT)
		fprintf(stderr, "gw502tui: warning: %s\n", err);
	return 0;
}

static int
do_export(struct engine *e, const struct cli *cl)
{
	struct frame_ref first, last;
	const struct txn *t;
	uint32_t ti = diag_find(&e->diag, cl->export_id);
	uint64_t written = 0;
	char err[ERR_LEN];
	const char *format;

	if (ti == NONE32) {
		fprintf(stderr, "gw502tui: %s: no transaction %u (the capture "
		    "has %" PRIu64 ")\n", cl->path, cl->export_id,
		    diag_total(&e->diag));
		return 1;
	}
	t = &e->diag.txns[ti];
	txn_frame_range(&e->flow, t, &first, &last);
	/* -o names the file, not its format: say when it is pcapng */
	if ((format = export_range_format(cl->path, &e->flow.offsets, &first,
	    last.number, err, sizeof err)) == NULL ||
	    export_range(cl->path, &e->flow.offsets, &first, last.number,
	    cl->out, cl->force, &written, err, sizeof err) != 0) {
		fprintf(stderr, "gw502tui: %s\n", err);
		return 1;
	}
	fprintf(stderr, "gw502tui: wrote %" PRIu64 " frames (%" PRIu64 "–%"
	    PRIu64 ") to %s as %s%s\n", written, (uint64_t)first.number,
	    (uint64_t)last.number, cl->out, format,
	    strcmp(format, "pcapng") == 0 ?
	    " (the frames mix link types; a pcap file holds one)" : "");
	return 0;
}

/* -Y with --report: only the transactions the filter selects. */
static int
filter_txns(struct engine *e, struct cli *cl, uint8_t **keep)
{
	struct dfilter_error fe;
	struct dfilter *df = dfilter_compile(cl->yfilter, &fe);
	char err[ERR_LEN];
	int r = 0;

	*keep = calloc(e->diag.ntxns ? e->diag.ntxns : 1, 1);
	if (df == NULL || *keep == NULL) {
		fprintf(stderr, "gw502tui: out of memory\n");
		r = 1;
	} else if (report_filter_txns(e, cl->path, df, *keep, err,
	    sizeof err) != 0) {
		fprintf(stderr, "gw502tui: %s\n", err);
		r = 1;
	}
	cl->ropts.txn_keep = *keep;
	dfilter_free(df);
	return r;
}

/* --frames: the frames -Y selects, one line each. */
static int
do_frames(struct engine *e, const struct cli *cl)
{
	struct dfilter_error fe;
	struct dfilter *df = NULL;
	char err[ERR_LEN];
	int r = 0;

	if (cl->yfilter && (df = dfilter_compile(cl->yfilter, &fe)) == NULL) {
		fprintf(stderr, "gw502tui: out of memory\n");
		return 1;
	}
	if (report_frames(stdout, e, cl->path, df, err, sizeof err) != 0) {
		fprintf(stderr, "gw502tui: %s\n", err);
		r = 1;
	}
	dfilter_free(df);
	return r;
}

/* --export-frames A-B,… -o OUT: those frames (that -Y selects). */
static int
do_export_frames(struct engine *e, const struct cli *cl)
{
	struct dfilter_error fe;
	struct dfilter *df = NULL;
	struct frame_ref *refs = NULL;
	struct frame_offsets offs = { 0 };
	uint64_t written = 0;
	size_t n = 0;
	char err[ERR_LEN];
	int r = 1;

	if (cl->yfilter && (df = dfilter_compile(cl->yfilter, &fe)) == NULL) {
		fprintf(stderr, "gw502tui: out of memory\n");
		return 1;
	}
	if (frames_collect(e, cl->path, df, cl->ranges, cl->nranges, &refs,
	    &n, &offs, err, sizeof err) != 0)
		fprintf(stderr, "gw502tui: %s\n", err);
	else if (n == 0)
		fprintf(stderr, "gw502tui: %s: no frame in the range%s%s\n",
		    cl->path, df ? " matches " : "", df ? cl->yfilter : "");
	else if (export_frames(cl->path, &offs, refs, n, cl->out, cl->force,
	    &written, err, sizeof err) != 0)
		fprintf(stderr, "gw502tui: %s\n", err);
	else {
		fprintf(stderr, "gw502tui: wrote %" PRIu64 " frames (%" PRIu64
		    "–%" PRIu64 ") to %s\n", written, (uint64_t)refs[0].number,
		    (uint64_t)refs[n - 1].number, cl->out);
		r = 0;
	}
	free(refs);
	frameoff_free(&offs);
	dfilter_free(df);
	return r;
}

/*
 * Opens the interface and gives up root at once; NULL after one line, with
 * *status the exit status: 2 for an -f libpcap cannot compile (a usage
 * error, as a bad -Y, though only the open interface's link type tells).
 */
static struct live *
open_live(const struct cli *cl, int *status)
{
	struct live *l;
	bool bad_filter;
	char err[ERR_LEN];

	*status = 1;
	if ((l = live_open(&cl->lo, &bad_filter, err, sizeof err)) == NULL) {
		fprintf(stderr, "gw502tui: %s\n", err);
		if (bad_filter)
			*status = 2;
		return NULL;
	}
	if (live_drop_privileges(l, cl->user, err, sizeof err) != 0) {
		fprintf(stderr, "gw502tui: %s\n", err);
		live_close(l, err, sizeof err);
		return NULL;
	}
	return l;
}

/*
 * --access-log: reads every log; with no capture, prints the log's own
 * report and returns 0 with *done set. 1 on an unreadable log.
 */
static int
read_alogs(struct cli *cl, struct alog_set *s, bool *done)
{
	char err[ERR_LEN];

	*done = false;
	alog_init(s, cl->alog_format);
	for (size_t i = 0; i < cl->nalogs; i++) {
		if (alog_read(s, cl->alogs[i], err, sizeof err) != 0) {
			fprintf(stderr, "gw502tui: %s\n", err);
			return 1;
		}
		if (err[0])
			fprintf(stderr, "gw502tui: warning: %s\n", err);
	}
	if (s->unknown)
		fprintf(stderr, "gw502tui: access log: %" PRIu64 " of %" PRIu64
		    " lines in no known format (listed in the report)\n",
		    s->unknown, s->lines);
	if (cl->path == NULL && cl->mode == MODE_TUI) {
		*done = true;
		if (ui_log_main(s, cl->eo.proxy_ports, cl->eo.nproxy_ports, err,
		    sizeof err) != 0) {
			fprintf(stderr, "gw502tui: %s\n", err);
			return 1;
		}
	} else if (cl->path == NULL) {
		alog_report_logonly(stdout, s, cl->mode == MODE_REPORT_JSON,
		    cl->eo.proxy_ports, cl->eo.nproxy_ports);
		*done = true;
	}
	return 0;
}

/*
 * The screen on a stream, with standard input not a terminal (the stream
 * itself, -r - or /dev/stdin, or some other pipe): its keys come from the
 * terminal, as less and fzf take them. The stream has a descriptor of its
 * own; descriptor 0, where the screen reads keys, becomes /dev/tty.
 */
static int
keys_from_tty(struct live *l)
{
	char err[ERR_LEN];
	int fd;

	if (isatty(STDIN_FILENO))
		return 0;
	if ((fd = open("/dev/tty", O_RDONLY | O_CLOEXEC)) < 0 ||
	    dup2(fd, STDIN_FILENO) < 0) {
		fprintf(stderr, "gw502tui: /dev/tty: %s: the screen reads its "
		    "keys there while the capture comes on stdin (use "
		    "--report without a terminal)\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		live_close(l, err, sizeof err);
		return 1;
	}
	close(fd);
	return 0;
}

/* --report -i IFACE: capture, diagnose, print; no screen. */
static int
run_live_report(struct cli *cl)
{
	struct headless_opts ho;
	struct engine e;
	struct live *l;
	char err[ERR_LEN];
	int r;

	if ((l = open_live(cl, &r)) == NULL)
		return r;
	if (engine_init(&e, &cl->eo, err, sizeof err) != 0) {
		fprintf(stderr, "gw502tui: %s\n", err);
		live_close(l, err, sizeof err);
		return 1;
	}
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	signal(SIGHUP, on_stop);
	/* `| head`: a write error ends the capture, which removes the spool */
	signal(SIGPIPE, SIG_IGN);
	if (cl->lo.iface != NULL)
		fprintf(stderr, "gw502tui: capturing on %s%s%s\n",
		    cl->lo.iface, cl->lo.filter ? " with filter " : "",
		    cl->lo.filter ? cl->lo.filter : "");
	memset(&ho, 0, sizeof ho);
	ho.json = cl->mode == MODE_REPORT_JSON;
	ho.follow = cl->follow;
	ho.duration_s = cl->duration_s;
	ho.slice = cl->lo.stream && !cl->follow ? LOAD_SLICE : 0;
	ho.ropts = cl->ropts;
	r = headless_run(l, &e, &ho, &stop_flag, stdout);
	engine_close(&e);
	if (live_close(l, err, sizeof err) != 0) {
		fprintf(stderr, "gw502tui: %s\n", err);
		r = 1;
	}
	return r;
}

int
main(int argc, char **argv)
{
	struct engine e;
	struct cli cl;
	struct report_stream rs;
	struct alog_set alogs;
	bool report, streamed, logonly;
	uint8_t *keep = NULL;
	char err[ERR_LEN];
	int r;

	memset(&cl, 0, sizeof cl);
	engine_default_opts(&cl.eo);
	cl.lo.max_bytes = 1024ULL << 20;
	/* the config file first, so the command line can override it */
	cl.config = config_arg(argc, argv);
	if ((r = apply_config(&cl)) != 0)
		return r;
	if ((r = parse_args(&cl, argc, argv)) != 0)
		return r;
	memset(&alogs, 0, sizeof alogs);
	if (cl.nalogs && ((r = read_alogs(&cl, &alogs, &logonly)) != 0 ||
	    logonly)) {
		alog_free(&alogs);
		if (r == 0 && fflush(stdout) != 0)
			r = 1;
		return r;
	}
	if ((cl.lo.iface != NULL || cl.lo.stream != NULL) &&
	    cl.mode != MODE_TUI)
		return run_live_report(&cl);
	if (cl.mode == MODE_TUI) {
		struct ui_opts uo;

		struct live *l = NULL;

		memset(&uo, 0, sizeof uo);
		if ((cl.lo.iface != NULL || cl.lo.stream != NULL) &&
		    (l = open_live(&cl, &r)) == NULL)
			return r;
		if (l != NULL && cl.lo.stream && keys_from_tty(l) != 0)
			return 1;
		uo.path = l ? live_spool_path(l) : cl.path;
		uo.live = l;
		uo.iface = cl.lo.iface ? cl.lo.iface : cl.lo.stream;
		uo.filter = cl.lo.filter;
		uo.eo = cl.eo;
		uo.theme = cl.theme;
		uo.show_all = cl.ropts.all;
		uo.dfilter = cl.yfilter;
		uo.no_mouse = cl.no_mouse;
		/* a live list is bounded unless asked; a file lists all */
		uo.keep = cl.keep_set ? cl.keep : l ? 10000 : 0;
		uo.alog = cl.nalogs ? &alogs : NULL;
		uo.peer = cl.peer;
		r = ui_main(&uo, err, sizeof err);
		alog_free(&alogs);
		if (r == 1)
			fprintf(stderr, "gw502tui: %s\n", err);
		if (l != NULL && live_close(l, err, sizeof err) != 0) {
			fprintf(stderr, "gw502tui: %s\n", err);
			r = 1;
		}
		return r;
	}
	/* a report without -Y is written while reading: flat memory */
	report = cl.mode == MODE_REPORT_JSON || cl.mode == MODE_REPORT_TEXT;
	streamed = report && cl.yfilter == NULL && cl.nalogs == 0;
	if (cl.mode == MODE_EXPORT_FRAMES && cl.yfilter == NULL) {
		/* no field needs the model: no first pass */
		if (engine_init(&e, &cl.eo, err, sizeof err) != 0) {
			fprintf(stderr, "gw502tui: %s\n", err);
			return 1;
		}
	} else if (streamed) {
		report_stream_init(&rs, stdout, cl.mode == MODE_REPORT_JSON,
		    &cl.ropts);
		r = load(&e, &cl, &rs);
		report_stream_free(&rs);
		if (r != 0)
			return r;
	} else if ((r = load(&e, &cl, NULL)) != 0) {
		return r;
	}
	if (cl.nalogs) {
		alog_match(&alogs, &e);
		e.alog = &alogs;
	}
	if (report && cl.yfilter && filter_txns(&e, &cl, &keep) != 0)
		cl.mode = MODE_TUI;	/* nothing to print */
	if (cl.mode == MODE_TUI)
		r = 1;
	else if (cl.mode == MODE_FRAMES)
		r = do_frames(&e, &cl);
	else if (cl.mode == MODE_EXPORT_FRAMES)
		r = do_export_frames(&e, &cl);
	else if (report && !streamed)
		report_all(stdout, &e, &cl.ropts, cl.mode == MODE_REPORT_JSON);
	if (report && cl.nalogs)
		alog_report_unmatched(stdout, &alogs, &e,
		    cl.mode == MODE_REPORT_JSON);
	else if (cl.mode == MODE_EXPORT)
		r = do_export(&e, &cl);
	engine_close(&e);
	alog_free(&alogs);
	free(keep);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "gw502tui: writing the report: %s\n",
		    strerror(errno));
		return 1;
	}
	return r;
}
