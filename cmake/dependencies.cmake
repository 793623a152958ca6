# All dependencies come from Debian 12 packages (see .ci/install-deps).
find_package(PkgConfig REQUIRED)
find_package(tomlplusplus REQUIRED)
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
# status/peer list --json and nft counters (nlohmann-json3-dev); `metrics --listen` (libcpp-httplib-dev).
find_package(nlohmann_json 3 REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
if(VPNGW_TESTS)
  find_package(GTest REQUIRED)
endif()
