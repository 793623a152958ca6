# All dependencies come from Debian 12 packages (see .ci/install-deps).
find_package(PkgConfig REQUIRED)
if(VPNGW_FUZZ)
  # Header-only toml++ in the fuzz build: the packaged libtomlplusplus.so is not
  # instrumented, so the TOML parser's branches would be invisible to libFuzzer.
  # Its debug assertions stay off, as in the packaged library (see the header).
  add_library(tomlplusplus::tomlplusplus INTERFACE IMPORTED)
  target_compile_definitions(tomlplusplus::tomlplusplus INTERFACE TOML_HEADER_ONLY=1)
  target_compile_options(tomlplusplus::tomlplusplus INTERFACE
    -include ${PROJECT_SOURCE_DIR}/cmake/fuzz/toml_assert_off.hpp)
else()
  find_package(tomlplusplus REQUIRED)
endif()
find_package(CLI11 REQUIRED)
find_package(spdlog REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(MNL REQUIRED IMPORTED_TARGET libmnl)
pkg_check_modules(NFTNL REQUIRED IMPORTED_TARGET libnftnl)
pkg_check_modules(NFTABLES REQUIRED IMPORTED_TARGET libnftables)
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode)
pkg_check_modules(PNG REQUIRED IMPORTED_TARGET libpng)
# The peer registry, <state_dir>/peers.db (libsqlite3-dev).
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
# sd_notify, the watchdog and structured journal entries, in src/service_manager only
# (libsystemd-dev).
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
# status/peer list --json and nft counters (nlohmann-json3-dev); `metrics --listen` (libcpp-httplib-dev).
find_package(nlohmann_json 3 REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
# `metrics --listen --tls-cert`: the TLS handshake and records (libssl-dev).
pkg_check_modules(OPENSSL REQUIRED IMPORTED_TARGET openssl)
if(VPNGW_TESTS)
  find_package(GTest REQUIRED)
endif()
