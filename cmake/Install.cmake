# Installation (`cmake --install build [--prefix DIR]`) and the Debian package
# (`cpack --config build/CPackConfig.cmake`, or `cmake --build build --target package`).
#
#   bin/benchgate                               the tool
#   libexec/benchgate/hello-server              the example server the demo suite gates
#   share/benchgate/examples/demo.toml          the demo suite, pointing at that server
#   share/benchgate/schemas/*.schema.json       the JSON Schemas (also built into the binary)
#   share/benchgate/ci/gitlab/*.yml             the GitLab CI template
#   share/doc/benchgate/                        README, ARCHITECTURE, docs/, example suites
#
# The package is made for the distribution it is built on: its Depends come from the shared
# libraries the binary links (dpkg-shlibdeps), and the file name names the distribution
# (benchgate_0.1.0_debian12_amd64.deb), so one release carries a package per distribution.
include(GNUInstallDirs)

install(TARGETS benchgate RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET hello-server)
  install(TARGETS hello-server RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/benchgate)
  # The demo suite with the installed server's absolute path instead of ./build/examples/.
  file(READ ${CMAKE_SOURCE_DIR}/examples/benchgate.toml _demo)
  string(REPLACE "./build/examples/hello-server"
                 "${CMAKE_INSTALL_FULL_LIBEXECDIR}/benchgate/hello-server" _demo "${_demo}")
  string(REPLACE "./build/benchgate run -c examples/benchgate.toml"
                 "benchgate run -c ${CMAKE_INSTALL_FULL_DATADIR}/benchgate/examples/demo.toml --out /tmp/benchgate-demo"
                 _demo "${_demo}")
  file(WRITE ${CMAKE_BINARY_DIR}/demo.toml.tmp "${_demo}")
  configure_file(${CMAKE_BINARY_DIR}/demo.toml.tmp ${CMAKE_BINARY_DIR}/demo.toml COPYONLY)
  install(FILES ${CMAKE_BINARY_DIR}/demo.toml
          DESTINATION ${CMAKE_INSTALL_DATADIR}/benchgate/examples)
endif()
file(GLOB _schemas ${CMAKE_SOURCE_DIR}/schemas/*.schema.json)
install(FILES ${_schemas} DESTINATION ${CMAKE_INSTALL_DATADIR}/benchgate/schemas)
file(GLOB _gitlab ${CMAKE_SOURCE_DIR}/ci/gitlab/*.yml)
install(FILES ${_gitlab} DESTINATION ${CMAKE_INSTALL_DATADIR}/benchgate/ci/gitlab)
install(FILES README.md ARCHITECTURE.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs FILES_MATCHING PATTERN "*.md")
install(FILES examples/benchgate.toml examples/full.toml
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# ---- CPack: a .deb ---------------------------------------------------------------------------
# The distribution tag in the file name: BENCHGATE_PACKAGE_DISTRO, else ID + VERSION_ID of
# /etc/os-release (debian12, ubuntu22.04, ubuntu24.04).
set(_distro "")
if(EXISTS /etc/os-release)
  file(STRINGS /etc/os-release _os REGEX "^(ID|VERSION_ID)=")
  set(_id "")
  set(_ver "")
  foreach(_l ${_os})
    if(_l MATCHES "^ID=\"?([^\"]*)\"?$")
      set(_id ${CMAKE_MATCH_1})
    elseif(_l MATCHES "^VERSION_ID=\"?([^\"]*)\"?$")
      set(_ver ${CMAKE_MATCH_1})
    endif()
  endforeach()
  set(_distro "${_id}${_ver}")
endif()
set(BENCHGATE_PACKAGE_DISTRO "${_distro}" CACHE STRING
    "Distribution tag of the .deb file name (debian12, ubuntu22.04, ...)")
find_program(BENCHGATE_DPKG dpkg)
set(_arch amd64)
if(BENCHGATE_DPKG)
  execute_process(COMMAND ${BENCHGATE_DPKG} --print-architecture OUTPUT_VARIABLE _arch
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME benchgate)
set(CPACK_PACKAGE_VENDOR benchgate)
set(CPACK_PACKAGE_CONTACT "benchgate maintainers <benchgate@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
    "benchgate launches an HTTP server under test, drives load at it with its built-in load\n"
    "generator (or wrk, wrk2, JMeter), samples CPU and RSS from /proc, repeats runs in\n"
    "interleaved iterations, gates A/B pairs or stored baselines with real statistics and\n"
    "writes JSON, JUnit, Markdown, OpenMetrics and HTML reports.")
string(REPLACE ";" "" CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${_arch})
# Depends: computed by dpkg-shlibdeps from the libraries benchgate links (libc6, libstdc++6,
# libssl3, libfmt9, libpugixml1v5, ...), so each distribution's package names its own versions.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "git, procps")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "wrk, linux-perf, valgrind, nginx-light")
if(BENCHGATE_PACKAGE_DISTRO)
  set(CPACK_DEBIAN_PACKAGE_RELEASE "1+${BENCHGATE_PACKAGE_DISTRO}")
  set(CPACK_DEBIAN_FILE_NAME
      "benchgate_${PROJECT_VERSION}_${BENCHGATE_PACKAGE_DISTRO}_${_arch}.deb")
else()
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
endif()
include(CPack)
