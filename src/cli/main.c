/* main.c: subcommand dispatch. */
#include "cli.h"

#include <signal.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: imapconform COMMAND [options]\n"
            "IMAP conformance test suite for the OMA CPM Message Storage profile.\n\n"
            "Commands:\n"
            "  probe TARGET   connect, check every server line against the grammar, print an\n"
            "                 identity card with the OMA CPM extension table\n"
            "  run TARGET     run the scenarios against TARGET: verdicts, JUnit, transcripts\n"
            "  lint [PATH]    check scenario files without a server\n"
            "  serve FILE     play the server side of a recorded transcript (self-tests)\n"
            "  coverage       which scenarios check each requirement; what is uncovered\n"
            "  validate FILE  check the C:/S: example dialogues in specification text\n"
            "  version        print the version\n"
            "  help           this text\n\n"
            "Run 'imapconform COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
    /* A server closing mid-write must be an error to report, not a signal. */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return IC_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "probe") == 0)
        return ic_cmd_probe(argc - 1, argv + 1);
    if (strcmp(cmd, "run") == 0)
        return ic_cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "lint") == 0)
        return ic_cmd_lint(argc - 1, argv + 1);
    if (strcmp(cmd, "serve") == 0)
        return ic_cmd_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "coverage") == 0)
        return ic_cmd_coverage(argc - 1, argv + 1);
    if (strcmp(cmd, "validate") == 0)
        return ic_cmd_validate(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("imapconform %s\n", IC_VERSION);
        return IC_EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return IC_EXIT_OK;
    }
    fprintf(stderr, "imapconform: unknown command \"%s\" (see 'imapconform help')\n", cmd);
    return IC_EXIT_USAGE;
}
