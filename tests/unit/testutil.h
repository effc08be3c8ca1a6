/* testutil.h: small helpers shared by the Check unit tests. */
#ifndef IC_TESTUTIL_H
#define IC_TESTUTIL_H

#include <check.h>
#include <stdlib.h>
#include "ic_buf.h"

/* Every unit test binary has a main like this: one suite, exit status from
 * the failure count. */
#define IC_TEST_MAIN(suite_fn)                                  \
    int main(void)                                              \
    {                                                           \
        SRunner *sr = srunner_create(suite_fn());               \
        srunner_run_all(sr, CK_ENV);                            \
        int nf = srunner_ntests_failed(sr);                     \
        srunner_free(sr);                                       \
        return nf ? EXIT_FAILURE : EXIT_SUCCESS;                \
    }

#define BYTES(s) ic_bytes_from_str(s)

#endif
