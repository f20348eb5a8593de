// covers: kernel/tokenize.c
/*
 * fuzz_tokenize.c - the word splitter (kernel/tokenize.c) on arbitrary
 * text. The first byte picks the word limit and the command buffer size.
 *
 * tok_split: on success at most maxwords words, each a terminated string
 * inside the line; on failure an error message. tok_next_command: walking a
 * line to its end always terminates, the cursor only moves forward and stays
 * inside the line, and a copied command is terminated within the buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../kernel/tokenize.h"

#define MAXWORDS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *words[MAXWORDS];
    const char *err;

    if (size < 1)
        return 0;
    int maxwords = data[0] % (MAXWORDS + 1);
    size_t bufsize = 1 + (data[0] >> 4) * 4;    /* 1 .. 61 */
    size_t len = size - 1;

    char *line = malloc(len + 1);
    memcpy(line, data + 1, len);
    line[len] = '\0';
    size_t textlen = strlen(line);  /* the input may hold NULs: the string ends there */

    int n = tok_split(line, words, maxwords, &err);
    if (n < 0) {
        if (!err || !*err)
            __builtin_trap();
    } else {
        if (n > maxwords)
            __builtin_trap();
        for (int i = 0; i < n; i++)
            if (words[i] < line || words[i] > line + textlen ||
                !memchr(words[i], 0, (size_t)(line + textlen + 1 - words[i])))
                __builtin_trap();
    }

    memcpy(line, data + 1, len);    /* tok_split wrote over it */
    char *buf = malloc(bufsize);    /* exact size: ASan catches overruns */
    const char *cursor = line, *prev = line;
    int r;
    while ((r = tok_next_command(&cursor, buf, bufsize)) != 0) {
        if (cursor <= prev || cursor > line + textlen)
            __builtin_trap();
        prev = cursor;
        if (r == 1 && strnlen(buf, bufsize) == bufsize)
            __builtin_trap();
        if (r != 1 && r != -1)
            __builtin_trap();
    }
    if (*cursor)
        __builtin_trap();
    free(buf);
    free(line);
    return 0;
}
