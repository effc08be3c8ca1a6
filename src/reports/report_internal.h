/* report_internal.h: helpers the reporters share (console, JUnit,
 * transcript files).  Not a public interface.
 *
 * Text from results is already rendered by ic_render, but the reporters do
 * not rely on it: everything they print goes through rep_clean (or
 * ic_xml_escape), which leaves rendered text unchanged and turns any byte a
 * terminal or an XML parser must not see into a visible \xHH escape.
 */
#ifndef IC_REPORT_INTERNAL_H
#define IC_REPORT_INTERNAL_H

#include "ic_report.h"

/* Appends len bytes of text, unchanged where it is rendered text (printable
 * ASCII, valid UTF-8, \n, \t, backslash escapes), with every other byte
 * rendered as ic_render would (ESC -> \x1B). */
int rep_clean(const char *text, size_t len, ic_buf *out);
/* Same as ic_xml_escape, with an explicit length. */
int rep_xml_escape(const char *text, size_t len, ic_buf *out);

const char *rep_level_name(ic_level l);                /* "MUST", "SHOULD", "MAY" */

/* Appends "UIDPLUS-13 (MUST, RFC 4315 §3)" (raw, not cleaned); nothing when
 * the result names no requirement. */
int rep_requirement_text(const ic_result *r, ic_buf *out);

/* Appends value (may be NULL: nothing) cleaned, one output line per line of
 * value: the first as indent + label + line, the others aligned under the
 * first (indent + as many spaces as label has). */
int rep_field(ic_buf *out, const char *indent, const char *label, const char *value);

/* Appends why a result is not a PASS, one item per line, each starting with
 * indent: requirement (level, reference), location, message, expected,
 * received, nearest miss.  Items the result lacks are left out. */
int rep_detail(const ic_result *r, const char *indent, ic_buf *out);

/* Writes data to path through a temporary file in the same directory and
 * rename(), so a crash never leaves half a file.  IC_ERR_USAGE with the path
 * and the system's reason in err. */
int rep_write_file(const char *path, const void *data, size_t len, ic_error *err);

#endif
