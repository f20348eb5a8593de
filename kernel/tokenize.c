/*
 * tokenize.c - word splitting shared by the command line and the console.
 */
#include "tokenize.h"

#include <stdbool.h>

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int tok_split(char *line, char **words, int maxwords, const char **err)
{
    int n = 0;
    char *r = line, *w = line;

    *err = 0;
    for (;;) {
        while (is_blank(*r))
            r++;
        if (!*r)
            return n;
        if (n == maxwords) {
            *err = "too many words";
            return -1;
        }
        words[n++] = w;
        bool quoted = false;
        while (*r && (quoted || !is_blank(*r))) {
            if (*r == '"') {
                quoted = !quoted;
                r++;
            } else if (*r == '\\') {
                if (!r[1]) {
                    *err = "dangling backslash";
                    return -1;
                }
                *w++ = r[1];
                r += 2;
            } else {
                *w++ = *r++;
            }
        }
        if (quoted) {
            *err = "unterminated quote";
            return -1;
        }
        /* r may equal w here; read the terminator before writing ours. */
        bool end = !*r;
        *w++ = '\0';
        if (end)
            return n;
        r++;
    }
}

int tok_next_command(const char **cursor, char *buf, size_t bufsize)
{
    const char *start = *cursor, *p = start;
    bool quoted = false;

    if (!*p)
        return 0;
    for (; *p && (quoted || *p != ';'); p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (*p == '\\' && p[1])
            p++;
    }
    size_t len = (size_t)(p - start);
    *cursor = *p ? p + 1 : p;
    if (len + 1 > bufsize)
        return -1;
    for (size_t i = 0; i < len; i++)
        buf[i] = start[i];
    buf[len] = '\0';
    return 1;
}
