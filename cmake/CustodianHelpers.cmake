# Helper functions shared by every target: one place for warnings and test registration.

# custodian_warnings(target): the project's warning set, errors on in CI builds only.
function(custodian_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                         -Wno-missing-field-initializers)
  if(CUSTODIAN_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# custodian_add_library(name SOURCES ...): a static library with the public include dir.
function(custodian_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/include PRIVATE ${PROJECT_SOURCE_DIR}/src)
  custodian_warnings(${name})
endfunction()

# custodian_add_test_executable(name SOURCES ... LIBS ...): a GoogleTest binary (with its
# main) that sees src/ and tests/; the caller registers its tests with CTest.
function(custodian_add_test_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  custodian_warnings(${name})
endfunction()

# custodian_add_test(name SOURCES ... LIBS ... LABELS ... [PROPERTIES ...]): a GoogleTest
# binary registered with CTest, each of its tests with LABELS and any further PROPERTIES.
function(custodian_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS;PROPERTIES" ${ARGN})
  custodian_add_test_executable(${name} SOURCES ${ARG_SOURCES} LIBS ${ARG_LIBS})
  include(GoogleTest)
  gtest_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}" ${ARG_PROPERTIES}
                       WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                       DISCOVERY_TIMEOUT 30)
endfunction()
