# Embeds a folder of numbered SQL migrations into a C++ source file, at build time.
#   cmake -DDIR=migrations/sqlite -DOUT=migrations_sqlite.cc -DFUNC=SqliteMigrations -P EmbedMigrations.cmake
# Files must be named NNNN_name.sql and numbered 1, 2, 3 ... without gaps; anything else
# stops the build, so a migration can never be skipped or applied out of order.
file(GLOB files RELATIVE "${DIR}" "${DIR}/*.sql")
list(SORT files)
set(body "")
set(expected 1)
foreach(f IN LISTS files)
  if(NOT f MATCHES "^([0-9][0-9][0-9][0-9])_([a-z0-9_]+)\\.sql$")
    message(FATAL_ERROR "${DIR}/${f}: a migration is named NNNN_name.sql (lower case)")
  endif()
  set(name "${CMAKE_MATCH_2}")
  math(EXPR version "${CMAKE_MATCH_1}")
  if(NOT version EQUAL expected)
    message(FATAL_ERROR "${DIR}/${f}: expected migration number ${expected}")
  endif()
  math(EXPR expected "${expected} + 1")
  file(READ "${DIR}/${f}" sql)
  if(sql MATCHES "\\)custodian_sql\"")
    message(FATAL_ERROR "${DIR}/${f} contains the raw-string delimiter")
  endif()
  string(APPEND body "    {${version}, \"${name}\", R\"custodian_sql(${sql})custodian_sql\"},\n")
endforeach()
if(expected EQUAL 1)
  message(FATAL_ERROR "${DIR}: no migrations")
endif()
set(content "// Generated from ${DIR} by cmake/EmbedMigrations.cmake. Do not edit.
#include \"store/migrations.h\"

namespace custodian::store::internal {
namespace {
constexpr Migration kMigrations[] = {
${body}};
}  // namespace

std::span<const Migration> ${FUNC}() { return kMigrations; }

}  // namespace custodian::store::internal
")
# Rewrite only on change, so an unrelated build does not recompile the file.
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
  if(old STREQUAL content)
    return()
  endif()
endif()
file(WRITE "${OUT}" "${content}")
