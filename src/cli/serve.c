/* serve.c: `imapconform serve TRANSCRIPT --listen HOST:PORT`: the responder. */
#include "cli.h"
#include "ic_responder.h"

#include <stdlib.h>
#include <string.h>

#define SERVE_CMD "serve"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: imapconform serve TRANSCRIPT [--listen HOST:PORT] [--idle-timeout MS]\n"
            "Plays the server side of a recorded transcript (from 'run --record DIR'): the k-th\n"
            "connection plays the k-th \"-- open\" section, client tags are mapped, and a client\n"
            "that leaves the recorded dialogue gets a BYE.  Listens on 127.0.0.1:0 by default and\n"
            "prints \"listening on HOST:PORT\" once ready.\n"
            "Exit codes: 0 every connection followed the transcript; 1 a deviation or an\n"
            "unfinished connection; 2 usage or a bad transcript; 3 idle timeout.\n");
}

/* Splits "127.0.0.1:10143" or "[::1]:10143". */
static int split_listen(const char *arg, char *host, size_t hn, char *port, size_t pn)
{
    const char *colon = strrchr(arg, ':');
    if (!colon || colon == arg || !colon[1])
        return -1;
    size_t len = (size_t)(colon - arg);
    if (arg[0] == '[' && len >= 2 && arg[len - 1] == ']') {
        arg++;
        len -= 2;
    }
    if (len >= hn || strlen(colon + 1) >= pn)
        return -1;
    memcpy(host, arg, len);
    host[len] = '\0';
    snprintf(port, pn, "%s", colon + 1);
    return 0;
}

int ic_cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        { "listen", required_argument, NULL, 'l' },
        { "idle-timeout", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { 0, 0, 0, 0 },
    };
    char host[128] = "127.0.0.1", port[16] = "0";
    int idle_ms = 30000, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return IC_EXIT_OK;
        }
        if (c == 'l' && split_listen(optarg, host, sizeof host, port, sizeof port) == 0)
            continue;
        if (c == 't' && (idle_ms = atoi(optarg)) > 0)
            continue;
        ic_cli_usage_error(SERVE_CMD, c == 'l' ? "--listen needs HOST:PORT, e.g. 127.0.0.1:10143"
                           : c == 't' ? "--idle-timeout needs milliseconds"
                                      : "unknown option \"%s\"", argv[optind - 1]);
        return IC_EXIT_USAGE;
    }
    if (optind + 1 != argc) {
        ic_cli_usage_error(SERVE_CMD, "give exactly one TRANSCRIPT file");
        return IC_EXIT_USAGE;
    }
    ic_error err;
    ic_tx *t = NULL;
    if (ic_transcript_load(argv[optind], &t, &err)) {
        fprintf(stderr, "imapconform serve: %s\n", err.msg);
        return IC_EXIT_USAGE;
    }
    ic_responder_options o = { host, port, idle_ms, stderr, stdout };
    int rc = ic_responder_serve(t, &o, &err);
    ic_transcript_free(t);
    if (rc)
        fprintf(stderr, "imapconform serve: %s\n", err.msg);
    return rc == IC_OK ? IC_EXIT_OK : rc == IC_ERR_TIMEOUT ? IC_EXIT_UNREACHABLE
           : rc == IC_ERR_USAGE ? IC_EXIT_USAGE : IC_EXIT_FAIL;
}
