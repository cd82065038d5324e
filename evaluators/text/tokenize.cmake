# ef_tokenize: azure-ai-evaluation's nltk_tokenize() (NLTK 3.10.4 word_tokenize =
# Punkt English + NLTKWordTokenizer; NISTTokenizer.international_tokenize).
ef_embed(EF_TOKENIZE_EMBED ${CMAKE_CURRENT_SOURCE_DIR}/data/punkt_english.txt ef_punkt_english)
add_library(ef_tokenize STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/nltk_tokenize.c
  ${CMAKE_CURRENT_SOURCE_DIR}/punkt.c
  ${CMAKE_CURRENT_SOURCE_DIR}/punkt_model.c
  ${CMAKE_CURRENT_SOURCE_DIR}/treebank.c
  ${CMAKE_CURRENT_SOURCE_DIR}/nist_tokenize.c
  ${CMAKE_CURRENT_SOURCE_DIR}/uchar.c
  ${EF_TOKENIZE_EMBED})
target_include_directories(ef_tokenize PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(ef_tokenize PUBLIC ef_tokens PRIVATE PkgConfig::UTF8PROC)

ef_unit_test(test_tokenize ${PROJECT_SOURCE_DIR}/tests/unit/text/test_tokenize.c
  LIBS ef_tokenize PkgConfig::CJSON)
ef_fuzz_target(fuzz_tokenize ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_tokenize.c LIBS ef_tokenize)
