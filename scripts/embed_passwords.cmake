# Turns data/common-passwords.txt into a C string (the file as it is) for
# server/password.c. Run by CMake at build time:
# cmake -DOUT=file.c -DIN=data/common-passwords.txt -P this.
file(READ ${IN} text HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" text "${text}")
string(REGEX REPLACE "((\\\\x[0-9a-f][0-9a-f]){32})" "\\1\"\n\t\"" text "${text}")
file(WRITE ${OUT}.tmp "/* generated from data/common-passwords.txt; do not edit */\n#include <stddef.h>\n\nextern const char password_common_text[];\n\nconst char password_common_text[] =\n\t\"${text}\";\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
