# ef_unit_test(NAME SOURCE LIBS... [LABELS l1;l2]): one cmocka test binary registered with ctest.
# Labels say what a test needs: "unit" (nothing), "redis", "kafka", "fuzz".
function(ef_unit_test name src)
  cmake_parse_arguments(T "" "" "LIBS;LABELS" ${ARGN})
  if(NOT EF_TESTS)
    return()
  endif()
  if(NOT CMOCKA_FOUND)
    message(FATAL_ERROR "cmocka is required for tests (apt-get install libcmocka-dev)")
  endif()
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE ${T_LIBS} PkgConfig::CMOCKA)
  target_compile_definitions(${name} PRIVATE
    EF_SOURCE_DIR="${PROJECT_SOURCE_DIR}" EF_TEST_DATA="${PROJECT_SOURCE_DIR}/tests/data")
  add_test(NAME ${name} COMMAND ${name})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT 300
    ENVIRONMENT "CMOCKA_MESSAGE_OUTPUT=STDOUT")
endfunction()

# ef_fuzz_target(NAME SOURCE LIBS...): a libFuzzer binary (EF_FUZZ=ON, clang only).
# tests/fuzz/run.sh runs every target for a bounded time against its corpus.
function(ef_fuzz_target name src)
  cmake_parse_arguments(F "" "" "LIBS" ${ARGN})
  if(NOT EF_FUZZ)
    return()
  endif()
  add_executable(${name} ${src})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${name} PRIVATE ${F_LIBS})
endfunction()
