# Compiler settings every vpngw target gets through the vpngw_settings interface target.
add_library(vpngw_settings INTERFACE)
target_compile_options(vpngw_settings INTERFACE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
target_include_directories(vpngw_settings INTERFACE ${PROJECT_SOURCE_DIR}/src)
target_compile_definitions(vpngw_settings INTERFACE VPNGW_VERSION="${PROJECT_VERSION}")
# Full RELRO and immediate binding (lintian's hardening-no-bindnow): a link
# flag only, so no object is compiled differently.
target_link_options(vpngw_settings INTERFACE -Wl,-z,relro,-z,now)

if(VPNGW_FUZZ)
  # Every library gets libFuzzer's coverage instrumentation (fuzzer-no-link), so
  # the fuzzers see vpngw's own branches; only the targets link libFuzzer's
  # main (-fsanitize=fuzzer, tests/fuzz). UB aborts, so the fuzzer reports it.
  # -O1: several times the executions of -O0 for the same sanitizer reports.
  target_compile_options(vpngw_settings INTERFACE -fsanitize=fuzzer-no-link,address,undefined
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer -O1)
  target_link_options(vpngw_settings INTERFACE -fsanitize=address,undefined)
elseif(VPNGW_SANITIZE)
  target_compile_options(vpngw_settings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(vpngw_settings INTERFACE -fsanitize=address,undefined)
endif()

# Every module is a static library over the .cpp files of its directory.
# DEPS: what the module's headers include, so whoever includes them needs it
# too (PUBLIC). PRIVATE_DEPS: what only its .cpp files use: linked into the
# program, but its include paths and definitions stay out of the modules
# above (a static library still passes it on to the final link).
function(vpngw_module name)
  cmake_parse_arguments(M "" "" "DEPS;PRIVATE_DEPS" ${ARGN})
  set_property(GLOBAL APPEND PROPERTY VPNGW_MODULES ${name})  # for cmake/module_links.cmake
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(NOT srcs)  # a module with headers only
    add_library(${name} INTERFACE)
    target_link_libraries(${name} INTERFACE vpngw_settings ${M_DEPS} ${M_PRIVATE_DEPS})
    return()
  endif()
  add_library(${name} STATIC ${srcs})
  target_link_libraries(${name} PUBLIC vpngw_settings ${M_DEPS} PRIVATE ${M_PRIVATE_DEPS})
endfunction()
