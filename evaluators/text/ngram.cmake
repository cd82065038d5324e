# ef_ngram: token-overlap F1, BLEU (method4), GLEU, ROUGE-N/L (see the headers).
add_library(ef_ngram STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/ngram_count.c
  ${CMAKE_CURRENT_SOURCE_DIR}/f1.c
  ${CMAKE_CURRENT_SOURCE_DIR}/bleu.c
  ${CMAKE_CURRENT_SOURCE_DIR}/gleu.c
  ${CMAKE_CURRENT_SOURCE_DIR}/rouge.c)
target_include_directories(ef_ngram PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(ef_ngram PUBLIC ef_tokens PkgConfig::UTF8PROC PkgConfig::XXHASH)
if(MATH_LIB)
  target_link_libraries(ef_ngram PUBLIC ${MATH_LIB})
endif()

ef_unit_test(test_ngram ${PROJECT_SOURCE_DIR}/tests/unit/text/test_ngram.c
  LIBS ef_ngram PkgConfig::CJSON)
ef_fuzz_target(fuzz_f1 ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_f1.c LIBS ef_ngram)
ef_fuzz_target(fuzz_rouge ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_rouge.c LIBS ef_ngram)
