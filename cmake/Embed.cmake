# ef_embed(TARGET_VAR FILE SYMBOL): generate a C source holding FILE's bytes as
#   const unsigned char SYMBOL[]; const size_t SYMBOL_len;
# (NUL-terminated, the length excludes the NUL) and append it to TARGET_VAR.
function(ef_embed out_var file symbol)
  set(gen "${CMAKE_CURRENT_BINARY_DIR}/embed_${symbol}.c")
  add_custom_command(
    OUTPUT "${gen}"
    COMMAND ${CMAKE_COMMAND} -DIN=${file} -DOUT=${gen} -DSYM=${symbol}
            -P "${PROJECT_SOURCE_DIR}/cmake/EmbedFile.cmake"
    DEPENDS "${file}" "${PROJECT_SOURCE_DIR}/cmake/EmbedFile.cmake"
    COMMENT "Embedding ${file}")
  set(${out_var} ${${out_var}} "${gen}" PARENT_SCOPE)
endfunction()
