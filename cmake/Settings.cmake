# Build settings in one place: every benchgate target links benchgate_settings.
add_library(benchgate_settings INTERFACE)
target_compile_features(benchgate_settings INTERFACE cxx_std_20)
target_compile_options(benchgate_settings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
  -Wimplicit-fallthrough -Wno-missing-field-initializers)

option(BENCHGATE_WERROR "Treat warnings as errors" OFF)
option(BENCHGATE_ASAN "Build with AddressSanitizer" OFF)
option(BENCHGATE_UBSAN "Build with UndefinedBehaviorSanitizer" OFF)
option(BENCHGATE_TSAN "Build with ThreadSanitizer" OFF)

if(BENCHGATE_WERROR)
  target_compile_options(benchgate_settings INTERFACE -Werror)
endif()
if(BENCHGATE_ASAN AND BENCHGATE_TSAN)
  message(FATAL_ERROR "BENCHGATE_ASAN and BENCHGATE_TSAN cannot be combined")
endif()
set(_san "")
if(BENCHGATE_ASAN)
  list(APPEND _san address)
endif()
if(BENCHGATE_UBSAN)
  list(APPEND _san undefined)
endif()
if(BENCHGATE_TSAN)
  list(APPEND _san thread)
endif()
if(_san)
  list(JOIN _san "," _san_list)
  target_compile_options(benchgate_settings INTERFACE -fsanitize=${_san_list} -fno-omit-frame-pointer
                                                      -fno-sanitize-recover=undefined)
  target_link_options(benchgate_settings INTERFACE -fsanitize=${_san_list})
endif()
