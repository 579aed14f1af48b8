# Embeds a text file into a C++ source as a function returning std::string_view, at build time.
#   cmake -DFILE=policy/roles.json -DOUT=roles_json.cc -DFUNC=BuiltinRolesJson -DNS=custodian::policy -P EmbedText.cmake
file(READ "${FILE}" text)
if(text MATCHES "\\)custodian_txt\"")
  message(FATAL_ERROR "${FILE} contains the raw-string delimiter")
endif()
file(WRITE "${OUT}.tmp" "// Generated from ${FILE} by cmake/EmbedText.cmake. Do not edit.
#include <string_view>
namespace ${NS} {
std::string_view ${FUNC}() {
  static constexpr std::string_view kText = R\"custodian_txt(${text})custodian_txt\";
  return kText;
}
}  // namespace ${NS}
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
