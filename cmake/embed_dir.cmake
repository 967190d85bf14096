# Embed every file of a folder matching a pattern as one table of
# {name, data, len, hash} (web_int.h: web_file), so that the server carries
# its assets and catalogues and reads nothing from disk at run time.
#   cmake -DDIR=folder -DPATTERN="*.txt" -DOUT=file.c -DNAME=symbol
#         [-DHEADER=core/i18n.h] -P embed_dir.cmake
# HEADER declares web_file (default server/web_int.h, which includes it).
# The hash (first 16 hex digits of SHA-256) versions the asset URLs, so a
# changed file is never served from a stale browser cache.
if(NOT HEADER)
  set(HEADER server/web_int.h)
endif()
file(GLOB files RELATIVE ${DIR} ${DIR}/${PATTERN})
list(SORT files)
set(out "/* generated from ${DIR} by cmake/embed_dir.cmake; do not edit */\n")
string(APPEND out "#include \"${HEADER}\"\n\n")
set(table "")
set(i 0)
foreach(f ${files})
  if(IS_DIRECTORY ${DIR}/${f})
    continue()
  endif()
  file(READ ${DIR}/${f} hex HEX)
  file(SIZE ${DIR}/${f} size)
  file(SHA256 ${DIR}/${f} sum)
  string(SUBSTRING ${sum} 0 16 sum)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
  string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" body "${body}")
  string(APPEND out "static const char f${i}[] = {\n${body}0x00};\n")
  string(APPEND table "    {\"${f}\", f${i}, ${size}, \"${sum}\"},\n")
  math(EXPR i "${i} + 1")
endforeach()
string(APPEND out "\nconst web_file ${NAME}[] = {\n${table}    {0, 0, 0, 0}};\n")
string(APPEND out "const size_t ${NAME}_count = ${i};\n")
file(WRITE ${OUT} "${out}")
