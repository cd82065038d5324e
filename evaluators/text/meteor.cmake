# ef_meteor: NLTK METEOR (meteor_score) with NLTK's Porter stemmer and WordNet
# synonym matching.  Owner: the METEOR component (meteor.*, porter_nltk.*,
# wordnet_syn.*).  WordNet 3.0 is read at run time from /usr/share/wordnet
# (Debian's wordnet-base) or $WNSEARCHDIR / $WNHOME/dict.
add_library(ef_meteor STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/meteor.c
  ${CMAKE_CURRENT_SOURCE_DIR}/porter_nltk.c
  ${CMAKE_CURRENT_SOURCE_DIR}/wordnet_syn.c)
target_include_directories(ef_meteor PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
# The score must follow NLTK's floating-point operation order exactly.
target_compile_options(ef_meteor PRIVATE -ffp-contract=off)
target_link_libraries(ef_meteor PUBLIC ef_tokens
  PRIVATE PkgConfig::UTF8PROC PkgConfig::XXHASH Threads::Threads ${MATH_LIB})

ef_unit_test(test_porter ${PROJECT_SOURCE_DIR}/tests/unit/text/test_porter.c
  LIBS ef_meteor PkgConfig::CJSON)
ef_unit_test(test_wordnet ${PROJECT_SOURCE_DIR}/tests/unit/text/test_wordnet.c
  LIBS ef_meteor PkgConfig::CJSON)
ef_unit_test(test_meteor ${PROJECT_SOURCE_DIR}/tests/unit/text/test_meteor.c
  LIBS ef_meteor PkgConfig::CJSON)
ef_fuzz_target(fuzz_meteor ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_meteor.c LIBS ef_meteor)
