# custodian_embed_text(VAR FILE FUNC NS): a generated source defining `std::string_view NS::FUNC()`
# with FILE's text; the source's path is appended to VAR.
function(custodian_embed_text var file func ns)
  get_filename_component(base ${file} NAME)
  string(MAKE_C_IDENTIFIER ${base} id)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/embed_${id}.cc)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DFILE=${file} -DOUT=${out} -DFUNC=${func} -DNS=${ns}
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedText.cmake
    DEPENDS ${file} ${PROJECT_SOURCE_DIR}/cmake/EmbedText.cmake
    COMMENT "Embedding ${base}")
  set(${var} ${${var}} ${out} PARENT_SCOPE)
endfunction()
